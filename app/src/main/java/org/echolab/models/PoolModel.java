package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.echolab.config.ServerConfig;
import org.echolab.config.ServerConfig.Overflow;

/**
 * {@code pool}: a fixed pool of {@code --threads} platform threads fed by a queue of at most
 * {@code --queue} connections (UNP's prethreaded server, "main thread accepts and hands off";
 * CS:APP's {@code echoservert_pre.c} with its bounded buffer {@code sbuf}).
 *
 * <p><b>Threads:</b> the accept thread accepts and puts each connection in the queue; the
 * workers, {@code pool-1} to {@code pool-N}, all started up front, each take a connection from the
 * queue and run its whole session (every request on it, keep-alive included) before taking the next.
 *
 * <p><b>The one bound</b> is {@code places}, threads + queue (CS:APP's {@code slots} semaphore;
 * the queue itself plays {@code items} and {@code mutex}). On its own, the accept thread takes a
 * place before it accepts, so at most threads + queue connections are accepted and the rest wait
 * in the kernel's backlog; a worker reads the first request head itself ({@link FirstHead}), and
 * while every worker is taken and other connections wait (in the queue, or for a place) it pushes
 * out (408) a client that has sent part of its head but not all of it within 50 ms, so that slow
 * clients cannot keep the threads from the clients behind them.
 * In a prefork worker a connection takes a place only once its head has arrived, waiting until then
 * in the {@link HeadGate}, read without blocking. When no place is free ({@code --overflow}):
 * {@code backlog} (default) leaves clients waiting for one; {@code reject} answers 503 at once, so
 * clients learn of the overload.
 *
 * <p><b>Cost:</b> thread creation is paid once; memory and kernel threads are bounded by
 * {@code --threads}. The price: a connection holds its thread for its whole life, so more than
 * {@code threads} keep-alive clients queue even when the server is idle between their requests.
 */
public final class PoolModel implements ConcurrencyModel {

    private final ServerConfig config;
    private final Semaphore places;
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>(); // never more than places allow
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();
    private Acceptor acceptor;
    private FirstHead firstHead; // null in a prefork worker, whose head gate reads the heads
    private ModelContext ctx;

    public PoolModel(ServerConfig config) {
        this.config = config;
        this.places = new Semaphore(config.threads + config.queue);
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        this.ctx = ctx;
        for (int i = 1; i <= config.threads; i++) {
            workers.add(Thread.ofPlatform().name("pool-" + i).start(this::work));
        }
        if (ctx.inheritedListener() != null) {
            // In a prefork worker, one process of a server: a connection takes a place only once its
            // request head is in (HeadGate), so a full worker leaves new clients to the others.
            acceptor = config.overflow == Overflow.BACKLOG
                    ? Acceptor.start(ctx, places, queue::add, true) // a place, or wait for one
                    : Acceptor.start(ctx, null, this::admitOrReject, true); // a place or 503
        } else {
            // On its own, the lab's pool: a connection takes a place from its accept on; a worker
            // gives up on a slow head only while every worker is taken and others wait: in the
            // queue, or for a place.
            firstHead = new FirstHead(
                    config,
                    () -> busy.get() >= config.threads // no worker idle
                            && (!queue.isEmpty() // and connections wait for one
                                    || (config.overflow == Overflow.BACKLOG
                                            ? places.hasQueuedThreads() // or the accept thread waits for a place
                                            : places.availablePermits() == 0)), // or the next would get a 503
                    "every thread was taken and clients waited");
            acceptor = config.overflow == Overflow.BACKLOG
                    ? Acceptor.start(ctx, places, queue::add, firstHead) // a place, or wait in the backlog
                    : Acceptor.start(ctx, null, this::admitOrReject, firstHead); // a place or 503
        }
        return acceptor.address();
    }

    /** overflow=reject: a place, or 503 at once. */
    private void admitOrReject(Acceptor.Session session) {
        if (!places.tryAcquire()) {
            rejected.increment();
            session.reject("all " + config.threads + " threads are busy and the queue of " + config.queue + " is full");
            return;
        }
        queue.add(() -> {
            try {
                session.run();
            } finally {
                places.release();
            }
        });
    }

    /**
     * A worker: take a connection (wait while there is none), serve it to the end, repeat until
     * interrupted. A worker that failed would leave the pool one thread short for good, so a failure
     * is the process's crash, not a quiet loss.
     */
    private void work() {
        try {
            while (true) {
                Runnable session = queue.take();
                busy.incrementAndGet();
                try {
                    session.run(); // the session closes its connection itself
                } finally {
                    busy.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            // stop(): the pool is ending
        } catch (RuntimeException | Error e) {
            ctx.crashed(e);
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(grace);
        for (Thread worker : workers) {
            worker.interrupt(); // a session still in its wait after the grace, or a take()
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** Its threads: a connection holds one for its whole life. */
    @Override
    public int capacity(ServerConfig config) {
        return Math.min(config.threads, config.connectionLimit());
    }

    @Override
    public String describe() {
        return "threads=" + config.threads + " queue=" + config.queue + " overflow="
                + config.overflow.name().toLowerCase();
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("poolThreads", workers.stream().filter(Thread::isAlive).count());
        m.put("poolBusy", busy.get());
        m.put("queued", queue.size());
        m.put("rejected", rejected.sum());
        if (firstHead != null) {
            m.put("pushedOut", firstHead.pushedOut());
        }
        m.putAll(acceptor.stats());
        return m;
    }
}
