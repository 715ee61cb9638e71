package org.echolab.session;

import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.echolab.protocol.Durations;
import org.echolab.state.ServerState;

/**
 * The open connections of a blocking server: the {@code --max-connections} gate, the open/peak
 * gauges (kept in the shared {@link ServerState}) and graceful drain. Thread-safe: the accept
 * thread registers, worker threads close, a shutdown thread drains.
 */
public final class Connections {

    private static final System.Logger LOG = System.getLogger("echolab.connections");

    private final ServerState state;
    private final Semaphore slots;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    public Connections(ServerState state, int maxConnections) {
        this.state = state;
        this.slots = new Semaphore(maxConnections > 0 ? maxConnections : Integer.MAX_VALUE);
    }

    /**
     * The {@code --max-connections} slots: the accept loop takes one before each accept (so at the
     * limit new connections wait in the backlog); closing a registered connection gives it back.
     */
    public Semaphore slots() {
        return slots;
    }

    public Connection register(Socket socket) {
        Connection c = new Connection(socket, this);
        open.add(c);
        state.connectionOpened();
        LOG.log(Level.DEBUG, "{0}: connection opened ({1} open)", c.client(), open.size());
        if (draining) {
            c.closeIfIdle();
        }
        return c;
    }

    void closed(Connection c) {
        if (open.remove(c)) {
            state.connectionClosed();
            slots.release();
            LOG.log(Level.DEBUG, "{0}: connection closed ({1} open)", c.client(), open.size());
        }
    }

    public boolean draining() {
        return draining;
    }

    public int size() {
        return open.size();
    }

    /**
     * Graceful drain: connections between requests close now; those with a request in flight
     * finish it (their response says {@code Connection: close}) until {@code grace} runs out;
     * then the rest are closed, and the count is logged. Returns the number force-closed.
     */
    public int drain(Duration grace) throws InterruptedException {
        draining = true;
        open.forEach(Connection::closeIfIdle);
        long deadline = System.nanoTime() + grace.toNanos();
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
}
