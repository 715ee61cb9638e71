package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.server.Connection;

/**
 * The accept loop the blocking models share. One platform thread, {@code echolab-accept}, blocks
 * in {@code accept()} and hands each connection to the model's executor as a {@link Session}
 * task; the executor is the whole difference between the models (JDK httpserver's design).
 *
 * <p>Before each accept it takes a {@code --max-connections} slot and, if the model gives one, an
 * admission permit: when either runs out, new connections wait in the kernel's backlog.
 */
public final class Acceptor {

    private static final System.Logger LOG = System.getLogger("echolab.accept");

    private final ServerContext ctx;
    private final ServerSocket listener;
    private final Executor executor;
    private final Semaphore admission;          // null: no limit beyond --max-connections
    private final Thread thread;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private volatile boolean stopping;

    /** A connection's whole session, as the task a model's executor runs. */
    public final class Session implements Runnable {
        private final Connection connection;

        Session(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void run() {
            peak.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                ctx.session().serve(connection);
            } finally {
                active.decrementAndGet();
                if (admission != null) {
                    admission.release();
                }
            }
        }

        /** Refuses the connection with 503 and closes it (the pool model's overflow=reject). */
        public void reject(String why) {
            try {
                connection.socket().getOutputStream().write(org.echolab.server.EchoService.busy(why));
            } catch (IOException ignored) {
                // the client is gone already; closing is all that is left
            } finally {
                connection.close();
                if (admission != null) {
                    admission.release();
                }
            }
        }
    }

    private Acceptor(ServerContext ctx, Executor executor, Semaphore admission) throws IOException {
        this.ctx = ctx;
        this.executor = executor;
        this.admission = admission;
        this.listener = ctx.openListener();
        this.thread = Thread.ofPlatform().name("echolab-accept").unstarted(this::run);
    }

    /**
     * Binds and starts accepting; sessions run on {@code executor}. An {@link ExecutorService} is
     * shut down (its threads interrupted and awaited) by {@link #stop}.
     */
    public static Acceptor start(ServerContext ctx, Executor executor, Semaphore admission) throws IOException {
        Acceptor a = new Acceptor(ctx, executor, admission);
        a.thread.start();
        return a;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The accept loop's figures for /stats: sessions running now and the most ever at once. */
    public Map<String, Object> stats() {
        return Map.of("sessionsActive", active.get(), "sessionsPeak", peak.get());
    }

    private void run() {
        while (!stopping) {
            try {
                if (!acquire()) {
                    continue;
                }
            } catch (InterruptedException e) {
                break;
            }
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                releasePermits();
                if (stopping || listener.isClosed()) {
                    break;
                }
                // e.g. EMFILE: out of descriptors. Back off instead of spinning on the error.
                LOG.log(Level.WARNING, "accept failed: {0}; retrying in 100 ms", e.toString());
                sleepQuietly(100);
                continue;
            }
            Connection c = ctx.connections().register(socket);
            executor.execute(new Session(c));   // the pool's rejection handler may refuse it
        }
    }

    /** Takes a connection slot and an admission permit, polling so that stop() is noticed. */
    private boolean acquire() throws InterruptedException {
        if (!ctx.connections().tryAwaitSlot(100, TimeUnit.MILLISECONDS)) {
            return false;
        }
        if (admission != null && !admission.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            ctx.connections().releaseSlot();
            return false;
        }
        return true;
    }

    private void releasePermits() {
        ctx.connections().releaseSlot();
        if (admission != null) {
            admission.release();
        }
    }

    /**
     * The blocking models' shutdown: stop accepting, drain connections within {@code grace},
     * then interrupt whatever still runs (a session stuck in its wait) and wait for the threads.
     */
    public void stop(Duration grace) throws InterruptedException {
        stopping = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        ctx.connections().drain(grace);
        if (executor instanceof ExecutorService workers) {
            workers.shutdownNow();
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "worker threads still running 5 s after shutdown");
            }
        }
        thread.join();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
