package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.echolab.session.Connection;
import org.echolab.session.Connections;
import org.echolab.session.Conversation;
import org.echolab.session.EchoStack;
import org.echolab.session.Refusals;

/**
 * What the blocking models share: an {@link AcceptLoop} on a {@code ServerSocket} that registers
 * each connection and hands it to the model as a {@link Session}, the task that runs the shared
 * session to its end. How sessions are handed out (run at once, a thread each, a queue for a pool)
 * is the whole difference between the blocking models, as an Executor is in the JDK's httpserver.
 * A connection from an address that already holds {@code --max-per-client} connections is
 * answered 503 on the accept thread and never handed out.
 */
public final class Acceptor {

    private final ModelContext ctx;
    private final EchoStack stack;
    private final ServerSocket listener;
    private final Semaphore admission;          // null: no limit beyond --max-connections
    private final AcceptLoop<Socket> loop;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    /** A connection's whole session, as the task a model hands out. */
    public final class Session implements Runnable {
        private final Connection connection;

        Session(Connection connection) {
            this.connection = connection;
        }

        /** Runs the session; an {@link Error} in it (out of memory) is reported as the process's crash. */
        @Override
        public void run() {
            peak.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                stack.session().serve(connection);
            } catch (Error e) {
                ctx.crashed(e);
            } finally {
                active.decrementAndGet();
                if (admission != null) {
                    admission.release();
                }
            }
        }

        /** Refuses the connection (HTTP 503, or an ERR line where the server speaks only TCP lines) and closes it: the model has no place for it. */
        public void reject(String why) {
            reject(Refusals.Reason.FULL, why);
        }

        private void reject(Refusals.Reason reason, String why) {
            try {
                Connections.refuse(connection.socket(),
                        new Conversation(stack.config(), stack.service(), connection.client()).busy(reason, why));
            } finally {
                connection.close();
                if (admission != null) {
                    admission.release();
                }
            }
        }
    }

    private Acceptor(ModelContext ctx, Semaphore admission, Consumer<Session> handOff) throws IOException {
        this.ctx = ctx;
        this.stack = ctx.stack();
        this.admission = admission;
        this.listener = ctx.openListener();
        List<Semaphore> permits = new ArrayList<>(List.of(stack.connections().slots()));
        if (admission != null) {
            permits.add(admission);
        }
        this.loop = AcceptLoop.start(permits, listener::accept, socket -> {
            Session session = new Session(stack.connections().register(socket));
            if (session.connection.admitted()) {
                handOff.accept(session);
            } else {
                session.reject(Refusals.Reason.PER_CLIENT, stack.connections().clients().refusal());
            }
        }, ctx.crash());
    }

    /**
     * Binds (or takes the inherited listener) and starts accepting. Before each accept it takes a
     * {@code --max-connections} slot and, if {@code admission} is given, one of its permits, which
     * the session gives back when it ends: when either runs out, clients wait in the backlog.
     */
    public static Acceptor start(ModelContext ctx, Semaphore admission, Consumer<Session> handOff) throws IOException {
        return new Acceptor(ctx, admission, handOff);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The figures for /stats: sessions running now and the most ever at once. */
    public Map<String, Object> stats() {
        return Map.of("sessionsActive", active.get(), "sessionsPeak", peak.get());
    }

    /**
     * The blocking models' shutdown, first half: stop accepting (close the listener), drain the
     * connections within {@code grace} (idle ones close now, busy ones finish their request),
     * close what is left, and wait for the accept thread. The model then ends its workers (a
     * session stuck in its wait).
     */
    public void stop(Duration grace) throws InterruptedException {
        loop.stop(listener);
        if (stack.connections().drain(grace) > 0) {
            loop.interrupt();           // under sequential the accept thread runs a session: abandon its work
        }
        loop.join();
    }
}
