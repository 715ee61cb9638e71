package org.echolab.connection;

import java.time.Duration;
import org.echolab.config.ServerConfig;

/**
 * When a connection's current read or write must end: the one meaning of every timeout, shared
 * by the blocking and the non-blocking sessions so that each model times out alike.
 *
 * <ul>
 *   <li>{@code HEADER}: a request's head (request line and headers, or a TCP line) must arrive
 *       within {@code --header-timeout} of its first byte; on a new connection, of the accept,
 *       so a client that connects and sends nothing is closed as soon as one that sends half a
 *       request. Then 408 (an HTTP request) or a quiet close (nothing sent yet).</li>
 *   <li>{@code BODY}: the body within {@code --body-timeout} of its head; then 408.</li>
 *   <li>{@code IDLE}: the next request on a kept-alive connection within {@code --idle-timeout}
 *       of the last answer; then a quiet close.</li>
 *   <li>{@code WRITE}: each slice of a response must be taken by the client within
 *       {@code --write-timeout}; a client that reads nothing is closed then.</li>
 *   <li>{@code LINGER}: after a refusal or a timeout answer the server half-closes and reads what
 *       the client still sends for at most {@link #LINGER}, so that unread input does not reset
 *       the connection under the answer (RFC 9112 9.6).</li>
 * </ul>
 * A read's deadline counts from when its phase began ({@link Conversation.Read#phase}), however
 * many reads it takes. Not thread-safe: one per connection.
 */
public final class Deadlines {

    public enum Kind {
        HEADER,
        BODY,
        IDLE,
        WRITE,
        LINGER
    }

    /** How long a closing connection reads and drops what its client still sends. */
    public static final Duration LINGER = Duration.ofSeconds(2);

    private final ServerConfig config;
    private long phase = -1;
    private long since;

    public Deadlines(ServerConfig config) {
        this.config = config;
    }

    /** The deadline (a nanoTime) of the read {@code r} asks for, at {@code now}. */
    public long read(Conversation.Read r, long now) {
        if (r.phase() != phase) {
            phase = r.phase();
            since = now;
        }
        return since + timeout(r.kind()).toNanos();
    }

    /** The deadline of a write (or linger) that begins or makes progress at {@code now}. */
    public long from(long now, Kind kind) {
        return now + timeout(kind).toNanos();
    }

    public Duration timeout(Kind kind) {
        return switch (kind) {
            case HEADER -> config.headerTimeout;
            case BODY -> config.bodyTimeout;
            case IDLE -> config.idleTimeout;
            case WRITE -> config.writeTimeout;
            case LINGER -> LINGER;
        };
    }
}
