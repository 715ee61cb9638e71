package org.echolab.connection;

import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.echolab.protocol.Durations;
import org.echolab.state.ServerState;

/**
 * The open connections of a blocking server: the {@code --max-connections} gate, the
 * {@code --max-per-client} counts, the open/peak gauges (kept in the shared {@link ServerState}),
 * the deadline watch and graceful drain. Thread-safe: the accept thread registers, worker threads
 * close, the deadline watch and a shutdown thread close what they must.
 *
 * <p><b>The deadline watch</b>, one platform thread ({@code echolab-deadline-watch}, started with
 * the first connection, ended by {@link #close}), looks at every connection each
 * {@value #WATCH_MILLIS} ms: a read past its deadline (header, body or idle timeout) has its
 * socket's input shut, which ends the read as a timeout; a write that has made no progress by its
 * deadline has its socket closed. Java's blocking sockets have no write timeout at all, so without
 * it a client that never reads would hold its thread for ever; and their read timeout
 * ({@code SO_TIMEOUT}) costs every read a timer, where this costs it two volatile writes
 * (docs/performance.md). Timeouts fire up to {@value #WATCH_MILLIS} ms late.
 */
public final class Connections {

    private static final System.Logger LOG = System.getLogger("echolab.connections");
    private static final long WATCH_MILLIS = 100;

    private final ServerState state;
    private final Semaphore slots;
    private final ClientCounts clients;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private Thread watch;                       // guarded by this
    private boolean closed;                     // guarded by this

    /** {@code perClientLoopbackToo}: whether {@code maxPerClient} bounds loopback clients too (see {@link ClientCounts}). */
    public Connections(ServerState state, int maxConnections, int maxPerClient, boolean perClientLoopbackToo) {
        this.state = state;
        this.slots = new Semaphore(maxConnections > 0 ? maxConnections : Integer.MAX_VALUE);
        this.clients = new ClientCounts(maxPerClient, perClientLoopbackToo);
    }

    /**
     * The {@code --max-connections} slots: the accept loop takes one before each accept (so at the
     * limit new connections wait in the backlog); closing a registered connection gives it back.
     */
    public Semaphore slots() {
        return slots;
    }

    /** The connections per client address; the event loop, which keeps no {@link Connection}s, counts in it too. */
    public ClientCounts clients() {
        return clients;
    }

    /** Registers an accepted socket; if its address is over {@code --max-per-client}, {@link Connection#admitted} says so. */
    public Connection register(Socket socket) {
        String client = socket.getInetAddress() == null ? "?" : socket.getInetAddress().getHostAddress();
        Connection c = new Connection(socket, this, client, clients.open(client));
        open.add(c);
        state.connectionOpened();
        LOG.log(Level.DEBUG, "{0}: connection opened ({1} open)", c.client(), open.size());
        startWatch();
        if (draining) {
            c.closeIfIdle();
        }
        return c;
    }

    void closed(Connection c, boolean counted) {
        if (open.remove(c)) {
            if (counted) {
                clients.close(c.client());
            }
            state.connectionClosed();
            slots.release();
            LOG.log(Level.DEBUG, "{0}: connection closed: {1} ({2} open)", c.client(), c.why(), open.size());
        }
    }

    public boolean draining() {
        return draining;
    }

    public int size() {
        return open.size();
    }

    /**
     * Graceful drain: connections between requests close now (after {@link Deadlines#QUIET}),
     * unless a request waits in the socket unread (it is served); those with a request in flight
     * finish it (their response says
     * {@code Connection: close}) until {@code grace} runs out; then the rest are closed, and the
     * count is logged. Returns the number force-closed.
     */
    public int drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        draining = true;                        // from now on every answer says Connection: close
        Thread.sleep(Deadlines.QUIET);          // a request sent just before the stop may still be on its way
        open.forEach(Connection::closeIfIdle);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            open.forEach(Connection::closeIfIdle);
            Thread.sleep(10);
        }
        int forced = 0;
        for (Connection c : open) {
            c.forceClose();
            forced++;
        }
        if (forced > 0) {
            LOG.log(Level.WARNING, "grace of {0} ran out: closed {1} connection(s) with requests in flight",
                    Durations.format(grace), forced);
        }
        return forced;
    }

    /**
     * Refuses a connection at the accept: writes {@code answer}, drops what the client has sent so
     * far, so that the close is a FIN and not a reset that could destroy the answer before the
     * client reads it, and closes. Never blocks for long: the answer fits a new socket's buffer.
     */
    public static void refuse(Socket socket, byte[] answer) {
        try (socket) {
            socket.getOutputStream().write(answer);
            socket.shutdownOutput();
            var in = socket.getInputStream();
            in.skipNBytes(Math.max(0, in.available()));
        } catch (java.io.IOException ignored) {
            // the client is gone already; closing is all that is left
        }
    }

    /** Ends the deadline watch (after the drain). */
    public void close() {
        Thread w;
        synchronized (this) {
            closed = true;
            w = watch;
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startWatch() {
        if (watch == null && !closed) {
            // a daemon: a process model's child exits when its session ends, without a stop
            watch = Thread.ofPlatform().name("echolab-deadline-watch").daemon().start(this::watchDeadlines);
        }
    }

    private void watchDeadlines() {
        try {
            while (true) {
                Thread.sleep(WATCH_MILLIS);
                long now = System.nanoTime();
                for (Connection c : open) {
                    c.endIfReadOverdue(now);
                    if (c.closeIfWriteStalled(now)) {
                        LOG.log(Level.DEBUG, "{0} read nothing of its response for --write-timeout; closed", c.client());
                    }
                }
            }
        } catch (InterruptedException e) {
            // close(): the server has stopped
        }
    }
}
