package org.echolab.connection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.echolab.service.Faults;
import org.echolab.service.Reply;

/**
 * Why a connection closed, in the words the {@code -v} log line of its close says under every
 * model ({@code connection closed: client closed}): the blocking and the non-blocking sessions
 * give the same cause the same words. Stateless.
 */
public final class CloseReason {

    public static final String CLIENT_CLOSED = "client closed";
    public static final String CLIENT_GONE_MID_REQUEST = "client closed in the middle of a request";
    public static final String DRAINED_IDLE = "drained: idle while the server stops";
    public static final String FORCED = "forced shutdown";
    public static final String TLS_FAILED = "TLS handshake failed";

    private CloseReason() {}

    /** The client went away: in the middle of a request, or between requests. */
    public static String clientClosed(boolean midRequest) {
        return midRequest ? CLIENT_GONE_MID_REQUEST : CLIENT_CLOSED;
    }

    /** An I/O error (a reset, most often) or a bug ended the connection. */
    public static String failure(Throwable e) {
        if (e instanceof IOException) {
            return String.valueOf(e.getMessage()).contains("reset") ? "reset by the client" : "I/O error: " + e;
        }
        return "a bug in the server: " + e;
    }

    /** A deadline of {@code kind} passed ({@link Deadlines}). */
    static String timeout(Deadlines.Kind kind) {
        String option = "--" + kind.name().toLowerCase() + "-timeout";
        return kind == Deadlines.Kind.WRITE ? option + ": the client took none of the response" : option;
    }

    /** The server refused a request and closes: the first line of its answer (an HTTP status line, a TCP line's ERR). */
    static String refused(byte[] answer) {
        String text = new String(answer, 0, Math.min(answer.length, 120), StandardCharsets.ISO_8859_1);
        int end = text.indexOf('\r') >= 0 ? text.indexOf('\r') : text.indexOf('\n');
        return "refused: " + (end >= 0 ? text.substring(0, end) : text);
    }

    /** {@code reply} was the connection's last: a fault's cut, the drain, or the request asked for it. */
    static String answered(Reply reply, boolean draining) {
        return reply.cut() != Faults.Cut.NONE
                ? "fault: " + reply.cut().name().toLowerCase().replace('_', ' ')
                : draining ? "drained: answered while the server stops" : "the request asked to close";
    }
}
