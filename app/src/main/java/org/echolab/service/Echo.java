package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Payload;
import org.echolab.protocol.Sizes;

/**
 * The answer of {@code /echo}: {@code msg} byte for byte (a GET) or the body (a POST, with its
 * Content-Type), cut or filled to {@code size=} bytes if it asks. Stateless.
 */
final class Echo {

    /** Largest body {@code size=} may ask for. */
    private static final int MAX_SIZE = 64 * 1024 * 1024;

    private Echo() {}

    /** The response to {@code req}, whose query {@code q} is checked. */
    static HttpResponse of(HttpRequest req, Map<String, String> q) {
        String type = "text/plain; charset=utf-8";
        byte[] body;
        if (req.method().equals("POST")) {
            body = req.body();
            String t = req.header("Content-Type");
            type = t != null ? t : "application/octet-stream";
        } else {
            body = q.getOrDefault("msg", "").getBytes(StandardCharsets.ISO_8859_1); // Query's bytes, exactly
        }
        String size = q.get("size");
        if (size == null) {
            return new HttpResponse(200, "OK").header("Content-Type", type).body(body);
        }
        int n;
        try {
            n = (int) Sizes.parse(size, MAX_SIZE);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("bad size: " + e.getMessage());
        }
        byte[] prefix = Payload.prefix(body, n);
        return new HttpResponse(200, "OK")
                .header("Content-Type", type)
                .body(prefix)
                .filler(n - prefix.length);
    }
}
