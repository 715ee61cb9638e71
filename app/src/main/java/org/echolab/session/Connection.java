package org.echolab.session;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One accepted connection of a blocking model, with the state a graceful shutdown needs: IDLE
 * (between requests, blocked in read), BUSY (a request is being read, waited on or answered) or
 * CLOSED. Shutdown closes IDLE connections at once and lets BUSY ones finish; the compare-and-set
 * on {@code state} decides each race between the two.
 */
public final class Connection implements AutoCloseable {

    private static final int IDLE = 0, BUSY = 1, CLOSED = 2;

    private final Socket socket;
    private final Connections owner;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final String client;

    Connection(Socket socket, Connections owner) {
        this.socket = socket;
        this.owner = owner;
        this.client = socket.getInetAddress() == null ? "?" : socket.getInetAddress().getHostAddress();
    }

    public Socket socket() {
        return socket;
    }

    /** The client's address, the key of the per-client counts. */
    public String client() {
        return client;
    }

    /** Bytes of a request arrived: IDLE to BUSY. False if shutdown closed the connection first. */
    public boolean beginRequest() {
        int s = state.get();
        return s == BUSY || state.compareAndSet(IDLE, BUSY);
    }

    /**
     * The request is answered and no further bytes are buffered: BUSY to IDLE. False when the
     * server is draining, in which case the connection has been closed (or is closing).
     */
    public boolean endRequest() {
        state.compareAndSet(BUSY, IDLE);
        if (owner.draining()) {            // shutdown may have scanned while we were BUSY
            closeIfIdle();
            return false;
        }
        return state.get() != CLOSED;
    }

    /** Shutdown's move: closes the connection only if it sits between requests. */
    boolean closeIfIdle() {
        if (state.compareAndSet(IDLE, CLOSED)) {
            closeSocket();
            return true;
        }
        return false;
    }

    public boolean closedByServer() {
        return state.get() == CLOSED;
    }

    /** Closes for good (idempotent) and gives the connection's slot back. */
    @Override
    public void close() {
        state.set(CLOSED);
        closeSocket();
        owner.closed(this);
    }

    void forceClose() {
        state.set(CLOSED);
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
