package org.echolab.service;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.Query;

/**
 * {@code /anything}: the request as the server saw it, as JSON, for a client to check what it
 * sent: go-httpbin's fields ({@link HttpbinJson}), then EchoLab's. {@code headerLines} keeps the
 * headers' order, case and repeats (a list of name and value); the query keeps every value of a
 * repeated name; a body that is not UTF-8 comes as base64 ({@code bodyEncoding}).
 * {@code tls} is null on a plain connection. Stateless and thread-safe.
 */
final class Inspection {

    private Inspection() {}

    /**
     * The most memory {@link #json} may hold while it builds the reply for {@code req}, on top of
     * the request itself: a control character in the body or a header becomes a six-byte escape,
     * the body is also held as text (two bytes a char) or base64, and the JSON writer's buffer is
     * copied once into the result. Measured: a 1 MB body of control characters made a 6 MB reply.
     */
    static long worstCase(HttpRequest req) {
        long head = req.target().length();
        for (HttpRequest.Header h : req.headers()) {
            head += h.name().length() + h.value().length() + 32;
        }
        return 16L * (req.body().length + head) + 64 * 1024;
    }

    static byte[] json(HttpRequest req, Origin origin, String model, String worker, long number) {
        Map<String, Object> m;
        try {
            m = HttpbinJson.withBody(req, origin, false); // go-httpbin's fields first, then EchoLab's
        } catch (HttpbinJson.BadBody e) {
            throw new IllegalStateException("a lenient reading of a body cannot fail", e);
        }
        m.put("target", req.target());
        m.put("path", req.path());
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : Query.pairs(req.rawQuery())) {
            query.computeIfAbsent(text(p.getKey()), k -> new ArrayList<>()).add(text(p.getValue()));
        }
        m.put("query", query);
        List<Map<String, String>> headers = new ArrayList<>();
        for (HttpRequest.Header h : req.headers()) {
            headers.add(two("name", h.name(), "value", h.value()));
        }
        m.put("headerLines", headers);
        String utf8 = utf8(req.body());
        m.put("body", utf8 != null ? utf8 : Base64.getEncoder().encodeToString(req.body()));
        m.put("bodyEncoding", utf8 != null ? "utf-8" : "base64");
        m.put("bodyLength", req.body().length);
        m.put("peer", two("address", origin.address(), "port", origin.port()));
        m.put("protocol", "HTTP/1." + req.minorVersion());
        Map<String, Object> tls = null;
        if (origin.tls() != null) {
            tls = new LinkedHashMap<>();
            tls.put("protocol", origin.tls().protocol());
            tls.put("cipher", origin.tls().cipher());
            tls.put("alpn", origin.tls().alpn());
        }
        m.put("tls", tls);
        Map<String, Object> served = new LinkedHashMap<>();
        served.put("model", model);
        served.put("worker", worker);
        served.put("request", number);
        served.put("onConnection", origin.onConnection());
        m.put("servedBy", served);
        return HttpbinJson.write(m);
    }

    /** A map of two entries that keeps their order in the JSON. */
    private static <V> Map<String, V> two(String k1, V v1, String k2, V v2) {
        Map<String, V> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** A query value's bytes (one char per byte) as UTF-8 text, with U+FFFD where they are not UTF-8. */
    private static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** The bytes as text if they are valid UTF-8, else null. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
