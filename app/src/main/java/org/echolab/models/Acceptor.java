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
import org.echolab.connection.CloseReason;
import org.echolab.connection.Connection;
import org.echolab.connection.Refusal;
import org.echolab.process.Refusals;

/**
 * What the blocking models share: an {@link AcceptLoop} on a {@code ServerSocket} that registers
 * each connection and hands it to the model as a {@link Session}, the task that runs the shared
 * session to its end. How sessions are handed out (run at once, a thread each, a queue for a pool)
 * is the whole difference between the blocking models, as an Executor is in the JDK's httpserver.
 * A connection from an address that already holds {@code --max-per-client} connections is turned
 * away ({@link Refusal}) on the accept thread and never handed out.
 */
final class Acceptor {

    private final ModelContext ctx;
    private final EchoStack stack;
    private final ServerSocket listener;
    private final Semaphore admission; // null: no limit beyond --max-connections
    private final AcceptLoop<Socket> loop;
    private final HeadGate<Session> gate; // null: a connection goes to the model as soon as it is accepted
    private final FirstHead firstHead; // null: the session reads the first head like any other
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    /** A connection's whole session, as the task a model hands out. */
    public final class Session implements Runnable {
        private final Connection connection;
        private final long acceptedAt = System.nanoTime();

        Session(Connection connection) {
            this.connection = connection;
        }

        /** Runs the session; an {@link Error} in it (out of memory) is reported as the process's crash. */
        @Override
        public void run() {
            peak.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                if (firstHead == null || firstHead.read(connection, acceptedAt)) { // false: closed instead
                    stack.session().serve(connection);
                }
            } catch (Error e) {
                ctx.crashed(e);
            } finally {
                active.decrementAndGet();
                if (admission != null) {
                    admission.release();
                }
            }
        }

        /**
         * Takes the admission permit (a worker's place) for a connection let through the head
         * gate, waiting for one; false (and the connection closed) if the server stopped first.
         */
        private boolean admit() {
            try {
                if (admission != null) {
                    admission.acquire();
                }
                return true;
            } catch (InterruptedException e) {
                connection.closeUnserved(); // a head the gate read is a request unanswered
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Turns the client away ({@link Refusal}: an HTTP 503, or an ERR line under {@code --protocol tcp}) and closes it. */
        public void reject(String why) {
            try {
                Refusal.refuse(
                        connection.socket(),
                        stack.config(),
                        stack.process().ledger(),
                        Refusals.Reason.FULL,
                        connection.client(),
                        why);
            } finally {
                connection.why(CloseReason.turnedAway(why));
                connection.close();
                if (admission != null) {
                    admission.release();
                }
            }
        }
    }

    private Acceptor(
            ModelContext ctx, Semaphore admission, Consumer<Session> handOff, boolean gated, FirstHead firstHead)
            throws IOException {
        this.ctx = ctx;
        this.stack = ctx.stack();
        this.admission = admission;
        this.firstHead = stack.tls() == null ? firstHead : null; // under TLS a handshake comes first
        this.listener = ctx.openListener();
        this.gate = gated && stack.tls() == null
                ? new HeadGate<>(stack.config(), session -> {
                    if (session.admit()) { // a worker's place, now that the head is whole
                        handOff.accept(session);
                    }
                })
                : null;
        List<Semaphore> permits = new ArrayList<>(List.of(stack.connections().slots()));
        if (admission != null && gate == null) {
            permits.add(admission);
        }
        Consumer<Socket> accepted = socket -> {
            Session session = new Session(new Connection(socket, stack.connections()));
            if (!stack.connections().admit(session.connection)) {
                Refusal.refuse(
                        socket,
                        stack.config(),
                        stack.process().ledger(),
                        Refusals.Reason.PER_CLIENT,
                        session.connection.client(),
                        stack.connections().perClientRefusal());
                if (admission != null && gate == null) {
                    admission.release(); // taken with the slot, before the accept
                }
            } else if (gate != null && HeadGate.accepts(session.connection)) {
                gate.admit(session.connection, session);
            } else {
                if (gate == null || session.admit()) {
                    handOff.accept(session);
                }
            }
        };
        this.loop = gate != null && admission != null
                ? AcceptLoop.startWhileIdle(permits, admission, listener::accept, accepted, ctx.crash())
                : AcceptLoop.start(permits, listener::accept, accepted, ctx.crash());
    }

    /**
     * Binds (or takes the inherited listener) and starts accepting. Before each accept it takes a
     * {@code --max-connections} slot and, if {@code admission} is given, one of its permits, which
     * the session gives back when it ends: when either runs out, clients wait in the backlog.
     */
    public static Acceptor start(ModelContext ctx, Semaphore admission, Consumer<Session> handOff) throws IOException {
        return new Acceptor(ctx, admission, handOff, false, null);
    }

    /**
     * As {@link #start}; if {@code gated}, a connection reaches the model (and takes an
     * {@code admission} permit) only once its request head has arrived ({@link HeadGate}): for a
     * model with a fixed number of workers, which slow clients would otherwise hold. Without TLS
     * only: a handshake comes before the head.
     */
    public static Acceptor start(ModelContext ctx, Semaphore admission, Consumer<Session> handOff, boolean gated)
            throws IOException {
        return new Acceptor(ctx, admission, handOff, gated, null);
    }

    /**
     * As {@link #start}, each session first reading its request head through {@code firstHead},
     * which pushes out slow clients while the model is full (without TLS only).
     */
    public static Acceptor start(ModelContext ctx, Semaphore admission, Consumer<Session> handOff, FirstHead firstHead)
            throws IOException {
        return new Acceptor(ctx, admission, handOff, false, firstHead);
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
            loop.interrupt(); // under sequential the accept thread runs a session: abandon its work
        }
        if (gate != null) {
            gate.close(); // after the drain, in which whole heads still reached a worker
        }
        loop.join();
    }
}
