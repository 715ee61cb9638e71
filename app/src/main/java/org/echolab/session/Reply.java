package org.echolab.session;

import java.time.Duration;
import java.util.Arrays;
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
    private final byte[] farewell;         // what a message's reply gains as the connection's last
    private final Upgrade upgrade;         // a 101 to WebSocket, or null

    /**
     * This reply switches its connection to WebSocket (a 101); each message then waits
     * {@code delay} doing {@code work}, unless the message says otherwise.
     */
    public record Upgrade(Duration delay, Work work) {}

    private Reply(HttpResponse response, boolean head, byte[] bytes, long filler, Duration delay, Work work, boolean close,
                  long ticket) {
        this(response, head, bytes, filler, delay, work, close, ticket, new byte[0], null);
    }

    private Reply(HttpResponse response, boolean head, byte[] bytes, long filler, Duration delay, Work work, boolean close,
                  long ticket, byte[] farewell, Upgrade upgrade) {
        this.response = response;
        this.head = head;
        this.bytes = bytes;
        this.filler = filler;
        this.delay = delay;
        this.work = work;
        this.close = close;
        this.ticket = ticket;
        this.farewell = farewell;
        this.upgrade = upgrade;
    }

    /** An HTTP response; a HEAD request gets the headers only. {@code ticket}: from {@link Activity#began}. */
    public static Reply http(HttpResponse response, boolean head, Duration delay, Work work, long ticket) {
        return new Reply(response, head, response.encode(head), response.fillerLength(head), delay, work, response.closes(),
                ticket);
    }

    /** The 101 that switches the connection to WebSocket, whose messages then wait as {@code upgrade} says. */
    public static Reply upgrade(HttpResponse response, Upgrade upgrade, long ticket) {
        return new Reply(response, false, response.encode(false), 0, Duration.ZERO, Work.SLEEP, false, ticket,
                new byte[0], upgrade);
    }

    /**
     * A WebSocket message's echo (a frame), after which the connection goes on; as the last reply
     * of a draining server it is followed by {@code farewell} (a close frame).
     */
    public static Reply message(byte[] frame, byte[] farewell, Duration delay, Work work, long ticket) {
        return new Reply(null, false, frame, 0, delay, work, false, ticket, farewell, null);
    }

    /** A TCP line, after which the connection goes on. */
    public static Reply line(byte[] bytes, Duration delay, Work work, long ticket) {
        return new Reply(null, false, bytes, 0, delay, work, false, ticket);
    }

    /** Non-null if this reply switches the connection to WebSocket. */
    public Upgrade upgraded() {
        return upgrade;
    }

    /** The request's slot in {@link Activity}. */
    long ticket() {
        return ticket;
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
     * request waited: an HTTP response gains {@code Connection: close}; a line is simply the last;
     * a WebSocket message's echo is followed by its farewell close frame.
     */
    public Reply closing() {
        if (close) {
            return this;
        }
        if (response != null) {
            return http(response.close(true), head, delay, work, ticket);
        }
        byte[] last = Arrays.copyOf(bytes, bytes.length + farewell.length);
        System.arraycopy(farewell, 0, last, bytes.length, farewell.length);
        return new Reply(null, false, last, 0, delay, work, true, ticket);
    }
}
