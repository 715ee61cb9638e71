package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Connection;
import org.echolab.connection.Refusal;
import org.echolab.process.Refusals;

/**
 * {@code prethread} and {@code prethread-mutex}: {@code --threads} platform threads started up
 * front, each of which calls {@code accept} itself and serves what it accepted (UNP ch. 30.11,
 * "prethreaded server, per-thread accept", row 7 of Figure 30.1; the thread twin of
 * {@code prefork}). There is no accept thread and no queue: where {@code pool} has one thread
 * accept and hand off (row 8), here the kernel hands each connection to a waiting thread.
 *
 * <p><b>Threads:</b> {@code prethread-1} to {@code prethread-N}, each a loop: take a
 * {@code --max-connections} slot, accept, run the session to its end, repeat. With
 * {@code prethread-mutex} a {@link ReentrantLock} (UNP's {@code pthread_mutex_lock}) is held around
 * each {@code accept}, so one thread waits in {@code accept} and the others wait for the lock.
 * Without it the outcome is the same, as /proc shows ({@code AcceptSerialisationTest}): the JDK's
 * socket takes a lock of its own around {@code accept} (NioSocketImpl's read lock), so threads of
 * one JVM never wait in the system call side by side. Processes do: that is {@code prefork}.
 *
 * <p><b>Slow clients:</b> each thread reads its connection's first request head itself
 * ({@link FirstHead}); while every thread is in a session, a client that has sent part of its head
 * but not all of it within 50 ms is pushed out (408), so that slow clients cannot keep the threads
 * from the clients waiting in the backlog.
 *
 * <p><b>Cost:</b> N threads and their stacks, paid once; nothing per connection. Like
 * {@code pool}, at most N connections are served at once (a keep-alive client holds its thread),
 * but the rest wait in the kernel's backlog, not in a queue of the server's.
 *
 * <p><b>Stop:</b> close the listening socket (the thread in accept gets an exception, the ones
 * waiting for the lock then find the socket closed), drain the connections, join the threads.
 */
final class PrethreadModel implements ConcurrencyModel {

    private final ServerConfig config;
    private final ReentrantLock acceptLock; // null: every thread calls accept unguarded
    private final List<AcceptLoop<Socket>> threads = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private EchoStack stack;
    private FirstHead firstHead; // null under TLS, whose handshake comes before the head
    private ModelContext ctx;
    private ServerSocket listener;

    /** {@code mutexAroundAccept}: take a lock around each accept (UNP's row 7) or not. */
    public PrethreadModel(ServerConfig config, boolean mutexAroundAccept) {
        this.config = config;
        this.acceptLock = mutexAroundAccept ? new ReentrantLock() : null;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        this.ctx = ctx;
        stack = ctx.stack();
        listener = ctx.openListener();
        firstHead = stack.tls() != null
                ? null
                : new FirstHead(
                        config,
                        () -> active.get() >= config.threads,
                        "all " + config.threads + " threads were in a session");
        for (int i = 1; i <= config.threads; i++) {
            threads.add(AcceptLoop.start(
                    "prethread-" + i, List.of(stack.connections().slots()), this::accept, this::serve, ctx.crash()));
        }
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** On each thread: accept, under the lock if there is one. */
    private Socket accept() throws IOException {
        if (acceptLock == null) {
            return listener.accept(); // the JDK's own lock inside lets one thread at a time into accept(2)
        }
        acceptLock.lock(); // the other threads wait here, not in accept
        try {
            return listener.accept();
        } finally {
            acceptLock.unlock(); // released before the session: the lock guards accept only
        }
    }

    /**
     * On the thread that accepted: the whole session, then back to accept; or, from an address
     * over {@code --max-per-client}, turned away at once ({@link Refusal}).
     */
    private void serve(Socket socket) {
        long acceptedAt = System.nanoTime();
        Connection c = new Connection(socket, stack.connections());
        if (!stack.connections().admit(c)) {
            Refusal.refuse(
                    socket,
                    config,
                    stack.process().ledger(),
                    Refusals.Reason.PER_CLIENT,
                    c.client(),
                    stack.connections().perClientRefusal());
            return;
        }
        peak.accumulateAndGet(active.incrementAndGet(), Math::max);
        try {
            if (firstHead == null || firstHead.read(c, acceptedAt)) { // false: closed instead
                stack.session().serve(c);
            }
        } finally {
            active.decrementAndGet();
        }
    }

    /** Its threads: a connection holds one for its whole life. */
    @Override
    public int capacity(ServerConfig config) {
        return Math.min(config.threads, config.connectionLimit());
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        for (AcceptLoop<Socket> t : threads) {
            t.stop(() -> {}); // every thread told first, so that none takes the close for a failure
        }
        try {
            listener.close(); // wakes the thread in accept
        } catch (IOException ignored) {
            // already closed
        }
        stack.connections().drain(grace);
        for (AcceptLoop<Socket> t : threads) {
            t.join();
        }
    }

    @Override
    public String describe() {
        return config.threads + " threads that each accept" + (acceptLock == null ? "" : ", a mutex around accept");
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", config.threads);
        m.put("acceptLock", acceptLock == null ? "none" : "mutex");
        m.put("sessionsActive", active.get());
        m.put("sessionsPeak", peak.get());
        if (firstHead != null) {
            m.put("pushedOut", firstHead.pushedOut());
        }
        return m;
    }
}
