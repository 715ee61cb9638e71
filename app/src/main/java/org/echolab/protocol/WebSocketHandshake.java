package org.echolab.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The server's side of the WebSocket opening handshake (RFC 6455 section 4.2): whether an HTTP
 * request is a valid upgrade, and the {@code Sec-WebSocket-Accept} that proves the server read
 * it. No subprotocol or extension is ever agreed. Pure and stateless.
 */
public final class WebSocketHandshake {

    /** The version this server speaks, the only one RFC 6455 defines. */
    public static final String VERSION = "13";

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What to answer: {@link Accept} (101) or {@link Refuse}. */
    public sealed interface Outcome permits Accept, Refuse {}

    /** Switch protocols, with this {@code Sec-WebSocket-Accept}. */
    public record Accept(String accept) implements Outcome {}

    /**
     * Not a valid upgrade: answer {@code status} (400, 405 or 426) saying {@code why}. A 426 carries
     * {@code Upgrade: websocket} and {@code Sec-WebSocket-Version: 13}, which tell the client what to send.
     */
    public record Refuse(int status, String reason, String why) implements Outcome {}

    private WebSocketHandshake() {}

    public static Outcome check(HttpRequest req) {
        if (!req.method().equals("GET")) {
            return new Refuse(405, "Method Not Allowed", "a WebSocket handshake is a GET");
        }
        if (!hasToken(req.header("Upgrade"), "websocket")) {
            return new Refuse(
                    426,
                    "Upgrade Required",
                    "this is a WebSocket endpoint: send GET with Upgrade: websocket and Connection: Upgrade");
        }
        if (req.minorVersion() < 1) {
            return new Refuse(400, "Bad Request", "a WebSocket upgrade needs HTTP/1.1");
        }
        if (!hasToken(req.header("Connection"), "upgrade")) {
            return new Refuse(400, "Bad Request", "a WebSocket upgrade needs Connection: Upgrade");
        }
        if (!VERSION.equals(strip(req.header("Sec-WebSocket-Version")))) {
            return new Refuse(426, "Upgrade Required", "Sec-WebSocket-Version must be " + VERSION);
        }
        String key = strip(req.header("Sec-WebSocket-Key"));
        if (!validKey(key)) {
            return new Refuse(400, "Bad Request", "Sec-WebSocket-Key must be 16 bytes in base64");
        }
        return new Accept(accept(key));
    }

    /** {@code base64(SHA-1(key + GUID))}: RFC 6455's proof that the server understood the handshake. */
    public static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static boolean validKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }

    private static boolean hasToken(String list, String token) {
        if (list == null) {
            return false;
        }
        for (String part : list.split(",")) {
            if (part.strip().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }
}
