package org.echolab.server;

import java.time.Duration;
import org.echolab.protocol.HttpResponse;

/**
 * What to send and what to do first: perform {@code work} for {@code delay}, then write
 * {@link #bytes()}; close afterwards if {@link #close()}. Blocking models do the wait on their
 * thread; the event loop turns a sleep into a timer. Immutable.
 */
public final class Reply {

    private final HttpResponse response;   // null for a TCP line
    private final boolean head;
    private final byte[] bytes;
    private final Duration delay;
    private final Work work;

    private Reply(HttpResponse response, boolean head, byte[] bytes, Duration delay, Work work) {
        this.response = response;
        this.head = head;
        this.bytes = bytes;
        this.delay = delay;
        this.work = work;
    }

    /** An HTTP response; a HEAD request gets the headers only. */
    public static Reply http(HttpResponse response, boolean head, Duration delay, Work work) {
        return new Reply(response, head, response.encode(head), delay, work);
    }

    /** A TCP line (or any raw bytes), which never closes the connection by itself. */
    public static Reply line(byte[] bytes, Duration delay, Work work) {
        return new Reply(null, false, bytes, delay, work);
    }

    public byte[] bytes() {
        return bytes;
    }

    public Duration delay() {
        return delay;
    }

    public Work work() {
        return work;
    }

    /** True if the connection closes after this reply. */
    public boolean close() {
        return response != null && response.closes();
    }

    /**
     * This reply as the last one on its connection: an HTTP response gains
     * {@code Connection: close}. For a server that began draining while the request waited.
     */
    public Reply closing() {
        if (response == null || response.closes()) {
            return this;
        }
        return http(response.close(true), head, delay, work);
    }
}
