package org.echolab.connection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.echolab.process.Closes;
import org.echolab.service.Faults;
import org.echolab.service.Reply;

/**
 * Why a connection closed: its {@link Closes.Cause}, one of a small fixed set that {@code /stats}
 * and {@code /metrics} count, and the words the {@code -v} log line of its close says under every
 * model ({@code connection closed: client closed}): the blocking and the non-blocking sessions
 * give the same cause the same words. Immutable.
 */
public record CloseReason(Closes.Cause cause, String words) {

    public static final CloseReason CLIENT_CLOSED = new CloseReason(Closes.Cause.CLIENT_CLOSED, "client closed");
    public static final CloseReason CLIENT_GONE_MID_REQUEST =
            new CloseReason(Closes.Cause.CLIENT_CLOSED, "client closed in the middle of a request");
    public static final CloseReason CLIENT_GONE_BEFORE_REQUEST =
            new CloseReason(Closes.Cause.CLIENT_CLOSED, "closed by the client before a request");
    public static final CloseReason DRAINED_IDLE =
            new CloseReason(Closes.Cause.DRAINED, "drained: idle while the server stops");
    public static final CloseReason FORCED = new CloseReason(Closes.Cause.FORCED, "forced shutdown");
    public static final CloseReason TLS_FAILED = new CloseReason(Closes.Cause.TLS_FAILED, "TLS handshake failed");
    public static final CloseReason OUTPUT_WOULD_NOT_SHUT =
            new CloseReason(Closes.Cause.IO_ERROR, "I/O error: the output would not shut");
    /** No cause was given: a path that should have said one did not, which is the server's fault. */
    static final CloseReason UNSAID = new CloseReason(Closes.Cause.SERVER_ERROR, "closed");

    /** The client went away: in the middle of a request, or between requests. */
    public static CloseReason clientClosed(boolean midRequest) {
        return midRequest ? CLIENT_GONE_MID_REQUEST : CLIENT_CLOSED;
    }

    /** An I/O error (a reset, most often) or a bug ended the connection. */
    public static CloseReason failure(Throwable e) {
        if (e instanceof IOException) {
            return String.valueOf(e.getMessage()).contains("reset")
                    ? new CloseReason(Closes.Cause.CLIENT_RESET, "reset by the client")
                    : new CloseReason(Closes.Cause.IO_ERROR, "I/O error: " + e);
        }
        return new CloseReason(Closes.Cause.SERVER_ERROR, "a bug in the server: " + e);
    }

    /** A deadline of {@code kind} passed ({@link Deadlines}). */
    static CloseReason timeout(Deadlines.Kind kind) {
        String option = "--" + kind.name().toLowerCase() + "-timeout";
        return timedOut(kind == Deadlines.Kind.WRITE ? option + ": the client took none of the response" : option);
    }

    /** A deadline passed, in {@code words} (a model's own: a head that did not come in time). */
    public static CloseReason timedOut(String words) {
        return new CloseReason(Closes.Cause.TIMEOUT, words);
    }

    /** The server refused a request and closes: the first line of its answer (an HTTP status line, a TCP line's ERR). */
    static CloseReason refused(byte[] answer) {
        String text = new String(answer, 0, Math.min(answer.length, 120), StandardCharsets.ISO_8859_1);
        int end = text.indexOf('\r') >= 0 ? text.indexOf('\r') : text.indexOf('\n');
        return new CloseReason(Closes.Cause.REFUSED, "refused: " + (end >= 0 ? text.substring(0, end) : text));
    }

    /** The model turned the client away ({@link Refusal}: a 503, or an ERR line) for {@code why}, and closes. */
    public static CloseReason turnedAway(String why) {
        return new CloseReason(Closes.Cause.REFUSED, "refused: " + why);
    }

    /** {@code reply} was the connection's last: a fault's cut, the drain, or the request asked for it. */
    static CloseReason answered(Reply reply, boolean draining) {
        return new CloseReason(
                Closes.Cause.ANSWERED,
                reply.cut() != Faults.Cut.NONE
                        ? "fault: " + reply.cut().name().toLowerCase().replace('_', ' ')
                        : draining ? "drained: answered while the server stops" : "the request asked to close");
    }

    @Override
    public String toString() {
        return words;
    }
}
