package org.echolab.process;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every connection of this process that closed, counted by its cause, and among them those the
 * server closed on a request it had not begun to answer: the unanswered. {@code /stats} shows them
 * as {@code connectionsClosedBy} and {@code requestsUnanswered}, {@code /metrics} as
 * {@code echolab_connections_closed_total{reason=...}} and {@code echolab_requests_unanswered_total}.
 * Every admitted connection is counted once, when it leaves the {@link Connections} registry; a
 * client turned away before it was admitted is a refusal ({@link Refusals}), not a close.
 *
 * <p><b>Unanswered</b>: the server closed the connection (a timeout, the drain, a forced shutdown,
 * a bug) while it held a complete request, parsed and taken, of whose answer not one byte had been
 * written. A refusal is an answer; a client that closes or resets is not the server's unanswered,
 * nor is an I/O error, which a client's going causes. One such connection is one request
 * unanswered, as a connection's requests are answered one at a time.
 *
 * <p>Thread-safe: any thread that closes a connection counts.
 */
public final class Closes {

    /** Why a connection closed: a label of a small fixed set, for {@code /stats} and {@code /metrics}. */
    public enum Cause {
        /** The client closed its side (between requests, or in the middle of one). */
        CLIENT_CLOSED("client-closed", false),
        /** The client reset the connection. */
        CLIENT_RESET("client-reset", false),
        /** Another I/O error: the connection or the client is gone. */
        IO_ERROR("io-error", false),
        /** The last answer went out: the request asked to close, the drain, a fault's cut. */
        ANSWERED("answered", true),
        /** The server refused a request (a 400, a 503, a WebSocket close) and closed. */
        REFUSED("refused", true),
        /** A header, body, idle, write or linger timeout. */
        TIMEOUT("timeout", true),
        /** The drain closed it between requests. */
        DRAINED("drained", true),
        /** The drain's grace ran out: a forced shutdown. */
        FORCED("forced", true),
        /** The TLS handshake failed. */
        TLS_FAILED("tls-failed", true),
        /** A bug in the server (an exception, an error such as OutOfMemoryError). */
        SERVER_ERROR("server-error", true);

        /** The name in {@code /stats}, {@code /metrics} and the docs. */
        public final String label;
        /** Whether the server, not the client, ended the connection: only then can it leave a request unanswered. */
        public final boolean byServer;

        Cause(String label, boolean byServer) {
            this.label = label;
            this.byServer = byServer;
        }
    }

    /** Where a child process's closes go too: its process tree's board. */
    public interface Copy {
        void closed(Cause cause, boolean unanswered);
    }

    private final LongAdder[] counts = new LongAdder[Cause.values().length];
    private final LongAdder unanswered = new LongAdder();
    private volatile Copy copy;

    public Closes() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * A connection closed for {@code cause}; {@code heldUnanswered}: it held a complete request
     * none of whose answer was written. Returns whether it counted as unanswered.
     */
    public boolean closed(Cause cause, boolean heldUnanswered) {
        boolean isUnanswered = cause.byServer && heldUnanswered;
        counts[cause.ordinal()].increment();
        if (isUnanswered) {
            unanswered.increment();
        }
        Copy c = copy;
        if (c != null) {
            c.closed(cause, isUnanswered);
        }
        return isUnanswered;
    }

    /** From now on every close is copied to {@code to} as well (a process tree's board). */
    public void copyTo(Copy to) {
        copy = to;
    }

    public long count(Cause cause) {
        return counts[cause.ordinal()].sum();
    }

    /** Connections the server closed on a complete request it had not begun to answer. */
    public long unanswered() {
        return unanswered.sum();
    }

    /** Each cause's count, every cause listed (zeros included), for /stats. */
    public Map<String, Long> figures() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Cause c : Cause.values()) {
            m.put(c.label, count(c));
        }
        return m;
    }
}
