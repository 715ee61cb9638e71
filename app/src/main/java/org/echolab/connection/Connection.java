package org.echolab.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.echolab.process.Connections;

/**
 * One accepted connection of a blocking model, with the state a graceful shutdown needs: IDLE
 * (between requests, blocked in read), BUSY (a request is being read, waited on or answered) or
 * CLOSED. Shutdown closes IDLE connections at once, unless their client's next request is already
 * waiting to be read, and lets BUSY ones finish; the compare-and-set on {@code state} decides each
 * race between the two. It is a member of the process's {@link Connections}, which any thread
 * may close. It also carries the deadline of the read or write in progress, which the registry's
 * deadline watch enforces: a blocking socket has no write timeout of its own,
 * and its read timeout ({@code SO_TIMEOUT}) costs every read a timer (a virtual thread's timed
 * park) or an extra {@code poll(2)} (a platform thread's), where one thread looking at every
 * connection ten times a second costs a read nothing but two volatile writes.
 *
 * <p>Under {@code --tls} the session talks through {@link #io}, an {@link SSLSocket} layered on the
 * accepted socket; what other threads do (shutdown, the deadline watch) acts on the accepted socket
 * underneath, which ends whatever the session's thread is blocked in.
 */
public final class Connection implements AutoCloseable, Connections.Member {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final int IDLE = 0, BUSY = 1, CLOSED = 2;
    /** How long a TLS close_notify may take to go out before the write watch closes the socket under it. */
    private static final long CLOSE_NOTIFY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Socket socket;
    private volatile Socket io; // what the session reads and writes: the socket, or TLS over it
    private final Connections registry;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final String client;
    private volatile long writeDeadline; // nanoTime; 0: not writing
    private volatile CloseReason why; // see why(CloseReason)
    private volatile long readDeadline; // nanoTime; 0: not reading
    private volatile boolean readTimedOut; // the watch ended a read past its deadline
    private volatile ByteBuffer early; // read before the session began (a model's head gate); null: none

    /** An accepted {@code socket}, to be {@linkplain Connections#admit admitted} to {@code registry}. */
    public Connection(Socket socket, Connections registry) {
        this.socket = socket;
        this.io = socket;
        this.registry = registry;
        this.client =
                socket.getInetAddress() == null ? "?" : socket.getInetAddress().getHostAddress();
    }

    /** The accepted socket: its options, its timeouts (which TLS over it obeys too), its address. */
    public Socket socket() {
        return socket;
    }

    /** What the session reads and writes: the accepted socket, or once {@link #secure}d the TLS socket over it. */
    public Socket io() {
        return io;
    }

    /** From now on the session talks TLS, through {@code tls} (layered on {@link #socket}). */
    void secure(SSLSocket tls) {
        io = tls;
    }

    /**
     * Bytes already read from the connection before its session began (by a model that waits for
     * the request head before giving the connection a worker), in read mode: the session reads
     * them first.
     */
    public void readEarly(ByteBuffer bytes) {
        early = bytes;
    }

    /** The bytes read before the session, once (null if none). */
    ByteBuffer takeEarly() {
        ByteBuffer b = early;
        early = null;
        return b;
    }

    /** The client's address, the key of the per-client counts. */
    @Override
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
     * server is draining and has closed the connection (nothing more had arrived).
     */
    public boolean endRequest() {
        state.compareAndSet(BUSY, IDLE);
        if (registry.draining()) { // shutdown may have scanned while we were BUSY
            closeIfIdle();
        }
        return state.get() != CLOSED;
    }

    /**
     * Shutdown's move: closes the connection only if it sits between requests with nothing to
     * read. A request that the client sent before the stop, waiting in the socket, is served.
     */
    @Override
    public void closeIfIdle() {
        if (state.get() == IDLE && !inputWaiting() && state.compareAndSet(IDLE, CLOSED)) {
            why(CloseReason.DRAINED_IDLE);
            closeSocket();
        }
    }

    /** Whether bytes wait in the socket, unread (FIONREAD; safe while another thread is blocked in read). */
    private boolean inputWaiting() {
        try {
            return socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Why the connection ends, for the {@code -v} log line of its close (client closed, reset, a
     * timeout, a fault, a refusal, the drain); the first reason given wins, as it is the cause.
     */
    public void why(CloseReason reason) {
        if (why == null) {
            why = reason;
        }
    }

    CloseReason why() {
        return why == null ? CloseReason.UNSAID : why;
    }

    public boolean closedByServer() {
        return state.get() == CLOSED;
    }

    /** A write begins (or goes on) and must make progress by {@code deadline} (nanoTime); 0: the write is over. */
    public void writing(long deadline) {
        writeDeadline = deadline;
    }

    /** The deadline watch's move: ends a read past its deadline, closes a write past its own. */
    @Override
    public void watchDeadlines(long now) {
        endIfReadOverdue(now);
        long d = writeDeadline;
        if (d != 0 && now - d > 0) {
            why(CloseReason.timeout(Deadlines.Kind.WRITE));
            forceClose(); // which fails that write
            LOG.log(Level.DEBUG, "{0} read nothing of its response for --write-timeout; closed", client);
        }
    }

    /** A read begins and must return by {@code deadline} (nanoTime); 0: the read is over. */
    public void reading(long deadline) {
        readDeadline = deadline;
    }

    /** Whether the deadline watch ended the last read: its end of input is a timeout, not the client's close. */
    public boolean readTimedOut() {
        return readTimedOut;
    }

    /**
     * The deadline watch's move on a read past its deadline: shuts the socket's input, so the
     * blocked read returns end of input and the session, seeing {@link #readTimedOut}, answers the
     * timeout (a 408 while a request was under way) on the output, which stays open.
     */
    private void endIfReadOverdue(long now) {
        long d = readDeadline;
        if (d != 0 && now - d > 0 && !readTimedOut) {
            readTimedOut = true;
            try {
                socket.shutdownInput();
            } catch (IOException e) {
                forceClose(); // closed under us: the read fails instead
            }
        }
    }

    /** Closes for good (idempotent) and gives the connection's slot back; it held no request unanswered. */
    @Override
    public void close() {
        close(false);
    }

    /**
     * Closes for good (idempotent) and gives the connection's slot back; {@code heldUnanswered}: it
     * held a complete request none of whose answer was written ({@link org.echolab.process.Closes}).
     */
    void close(boolean heldUnanswered) {
        state.set(CLOSED);
        if (io != socket) {
            writing(System.nanoTime() + CLOSE_NOTIFY_NANOS); // a client that reads nothing does not hold the close up
            try {
                io.close(); // TLS: close_notify, then the socket
            } catch (IOException ignored) {
                // the client is gone: the socket's close below is all that is left
            }
        }
        closeSocket();
        CloseReason reason = why();
        registry.closed(this, reason.cause(), reason.words(), heldUnanswered);
    }

    /**
     * The server stops before a session began: closes the connection, whose request head, if a
     * model's head gate read it ({@link #readEarly}), is left unanswered.
     */
    public void closeUnserved() {
        why(CloseReason.FORCED);
        close(early != null);
    }

    /** The grace ran out: the socket closes under the session, which ends. */
    @Override
    public void closeNow() {
        why(CloseReason.FORCED);
        forceClose();
    }

    private void forceClose() {
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
