package org.echolab.session;

import java.time.Duration;
import org.echolab.protocol.HttpResponse;

/**
 * What to send and what to do first: perform {@code work} for {@code delay}, then write
 * {@link #outgoing()}: the {@link #bytes()} it holds, then the filler of a {@code size=} body,
 * streamed; close afterwards if {@link #close()}. Blocking models do the wait on their thread;
 * the event loop turns a sleep into a timer. Immutable.
 */
public final class Reply {

    private final HttpResponse response;   // null for a TCP line
    private final boolean head;
    private final byte[] bytes;
    private final long filler;
    private final Duration delay;
    private final Work work;
    private final boolean close;
    private final long ticket;             // the request's slot in Activity
    private final Logged logged;           // what the access log needs; null while it is off

    /**
     * What {@link AccessLog} writes of this reply: when its request arrived, its status (or a
     * line's outcome), the body's length and the request's number.
     */
    public record Logged(AccessLog.Arrival arrival, int status, long bodyBytes, long number) {}

    private Reply(HttpResponse response, boolean head, byte[] bytes, long filler, Duration delay, Work work, boolean close,
                  long ticket, Logged logged) {
        this.response = response;
        this.head = head;
        this.bytes = bytes;
        this.filler = filler;
        this.delay = delay;
        this.work = work;
        this.close = close;
        this.ticket = ticket;
        this.logged = logged;
    }

    /**
     * An HTTP response; a HEAD request gets the headers only. {@code ticket}: from
     * {@link Activity#began}; {@code logged}: null while the access log is off.
     */
    public static Reply http(HttpResponse response, boolean head, Duration delay, Work work, long ticket, Logged logged) {
        return new Reply(response, head, response.encode(head), response.fillerLength(head), delay, work, response.closes(),
                ticket, logged);
    }

    /** A TCP line, after which the connection goes on. */
    public static Reply line(byte[] bytes, Duration delay, Work work, long ticket, Logged logged) {
        return new Reply(null, false, bytes, 0, delay, work, false, ticket, logged);
    }

    /** The request's slot in {@link Activity}. */
    long ticket() {
        return ticket;
    }

    /** What the access log writes of it; null while the log is off. */
    Logged logged() {
        return logged;
    }

    /** The bytes this reply holds in memory: the head and the message (what a budget counts). */
    public byte[] bytes() {
        return bytes;
    }

    /** Everything to write, the filler included, as slices. */
    public Outgoing outgoing() {
        return new Outgoing(bytes, filler);
    }

    public Duration delay() {
        return delay;
    }

    public Work work() {
        return work;
    }

    /** True if the connection closes after this reply. */
    public boolean close() {
        return close;
    }

    /**
     * This reply as the last one on its connection, for a server that began draining while the
     * request waited: an HTTP response gains {@code Connection: close}; a line is simply the last.
     */
    public Reply closing() {
        if (close) {
            return this;
        }
        return response == null
                ? new Reply(null, false, bytes, 0, delay, work, true, ticket, logged)
                : http(response.close(true), head, delay, work, ticket, logged);
    }
}
