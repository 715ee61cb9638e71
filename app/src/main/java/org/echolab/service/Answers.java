package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.ProtocolDetector.Protocol;
import org.echolab.protocol.WebSocketFrames;

/**
 * The canned answers: what the server says, in the connection's own protocol, when it will not or
 * cannot echo (busy, too slow, bad input). An HTTP client gets a status and a short reason; a TCP
 * client gets an {@code ERR} line; a WebSocket client a close frame with its code. All of them but {@link #errorLine} close the connection.
 * Stateless and thread-safe.
 */
public final class Answers {

    private Answers() {}

    /**
     * The server will not take this request or connection now (pool full, offload queue full).
     * Before the protocol is known ({@code null}), an HTTP 503: the most likely client is HTTP.
     */
    public static byte[] busy(Protocol protocol, String why) {
        if (protocol == Protocol.TCP) {
            return line("ERR busy: " + why + "; closing");
        }
        if (protocol == Protocol.WEBSOCKET) {
            return WebSocketFrames.close(WebSocketFrames.TRY_AGAIN_LATER, "busy: " + why);
        }
        return HttpResponse.text(503, "Service Unavailable", "503 Service Unavailable: " + why + "\n")
                .header("Retry-After", "1")
                .close(true)
                .encode(false);
    }

    /** A request (or line, or message) began but did not arrive within its timeout; null: say nothing. */
    public static byte[] timedOut(Protocol protocol) {
        if (protocol == null) {
            return null;
        }
        if (protocol == Protocol.WEBSOCKET) {
            return WebSocketFrames.close(WebSocketFrames.POLICY, "message not complete within the body timeout");
        }
        return protocol == Protocol.HTTP
                ? HttpResponse.text(408, "Request Timeout", "408 Request Timeout: the request did not arrive in time\n")
                        .close(true)
                        .encode(false)
                : line("ERR line not complete within the header timeout; closing");
    }

    /** The parser refused an HTTP request: its status and reason (a 503, for a full budget, says when to retry). */
    public static byte[] refused(HttpParser.Failure f, String model) {
        HttpResponse r = HttpResponse.error(f);
        if (f.status() == 503) {
            r.header("Retry-After", "1");
        }
        return r.header("Server", "EchoLab")
                .header("Date", HttpDate.now())
                .header("X-Echo-Model", model)
                .encode(false);
    }

    /** A TCP line over the limit. */
    public static byte[] lineTooLong(int limit) {
        return line("ERR line longer than " + limit + " bytes; closing");
    }

    /** A TCP line the server could not read (a bad directive): answered, and the connection goes on. */
    public static byte[] errorLine(String why) {
        return line("ERR " + why);
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The Date header, formatted once a second rather than once a request. Each text is kept until
     * its second ends on the monotonic clock, so a request that has read that clock already (its
     * ledger's beginning) needs no read of the wall clock; a step of the wall clock shows from the
     * next second on.
     */
    static final class HttpDate {
        private static final DateTimeFormatter FORMAT =
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

        /** {@code text} names the second that ends at {@code endNanos} ({@link System#nanoTime}). */
        private record Cached(long endNanos, String text) {}

        private static volatile Cached cached = format();

        /** The Date of now. */
        static String now() {
            return at(System.nanoTime());
        }

        /** The Date of {@code nanos}, a {@link System#nanoTime} of a moment just past. */
        static String at(long nanos) {
            Cached c = cached;
            if (nanos - c.endNanos() >= 0) {
                c = format();
                cached = c; // threads that race here store the same text
            }
            return c.text();
        }

        private static Cached format() {
            long nanos = System.nanoTime(); // read first: the second then ends no later than the wall clock's does
            Instant wall = Instant.now();
            return new Cached(nanos + 1_000_000_000L - wall.getNano(), FORMAT.format(wall.atZone(ZoneOffset.UTC)));
        }
    }
}
