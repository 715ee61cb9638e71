package org.echolab.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Query;

/**
 * The routes of go-httpbin that HTTP clients' test suites use, with its status codes, headers and
 * JSON: {@code /get}, {@code /post}, {@code /put}, {@code /patch}, {@code /delete},
 * {@code /headers}, {@code /ip}, {@code /user-agent}, {@code /uuid}, {@code /status/{codes}},
 * {@code /delay/{seconds}}, {@code /drip}, {@code /bytes/{n}}, {@code /stream/{n}},
 * {@code /redirect/{n}} (with {@code /relative-redirect/{n}} and {@code /absolute-redirect/{n}},
 * where it leads), {@code /redirect-to}, {@code /cookies} (and {@code /cookies/set},
 * {@code /cookies/delete}), {@code /basic-auth/{user}/{password}}, {@code /gzip},
 * {@code /deflate}; and CORS on every response ({@link #cors}, {@link #preflight}).
 *
 * <p>This class routes, and answers the routes that describe the request; the routes that wait or
 * hold a body of the client's size are in {@link HttpbinBodies}, status codes and redirects in
 * {@link HttpbinStatus}, cookies and Basic auth in {@link HttpbinCredentials}.
 *
 * <p>Thread-safe: it holds only immutable configuration.
 */
final class Httpbin {

    /** What a route answers, after {@code delay}; {@code pace} non-null: its body goes out in pieces. */
    record Answer(HttpResponse response, Duration delay, Reply.Pace pace) {
        Answer(HttpResponse response) {
            this(response, Duration.ZERO, null);
        }
    }

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    /** The first segment of each route's path. */
    private static final Set<String> ROUTES = Set.of(
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "headers",
            "ip",
            "user-agent",
            "uuid",
            "gzip",
            "deflate",
            "cookies",
            "status",
            "delay",
            "drip",
            "bytes",
            "stream",
            "redirect",
            "relative-redirect",
            "absolute-redirect",
            "redirect-to",
            "basic-auth");

    private final HttpbinBodies bodies;

    Httpbin(ServerConfig config) {
        this.bodies = new HttpbinBodies(config.maxWait, config.limits.maxBody());
    }

    /**
     * The answer of the route {@code req} asks for, or null if its path is none of httpbin's (then
     * it is EchoLab's own). A bad value is a 400 in go-httpbin's error JSON, the wrong method a 405.
     */
    Answer answer(HttpRequest req, Origin origin) {
        String path = req.path();
        int end = path.indexOf('/', 1);
        if (!path.startsWith("/") || !ROUTES.contains(path.substring(1, end < 0 ? path.length() : end))) {
            return null; // most often EchoLab's own /echo: no more work spent here
        }
        String[] p = path.substring(1).split("/", -1);
        String first = p[0];
        try {
            return switch (first) {
                case "get", "post", "put", "patch", "delete" -> p.length != 1 ? null : methodRoute(req, origin, first);
                case "headers" -> p.length != 1 ? null : json(200, Map.of("headers", HttpbinJson.headers(req)));
                case "ip" -> p.length != 1 ? null : ip(req, origin);
                case "user-agent" ->
                    p.length != 1
                            ? null
                            : json(
                                    200,
                                    Map.of(
                                            "user-agent",
                                            req.header("User-Agent") == null ? "" : req.header("User-Agent")));
                case "uuid" ->
                    p.length != 1
                            ? null
                            : json(200, Map.of("uuid", UUID.randomUUID().toString()));
                case "gzip", "deflate" -> p.length != 1 ? null : compressed(req, origin, first.equals("gzip"));
                case "cookies" -> HttpbinCredentials.cookies(req, origin, p);
                case "status" -> p.length != 2 ? null : HttpbinStatus.status(p[1]);
                case "delay" -> p.length != 2 ? null : bodies.delay(req, origin, p[1]);
                case "drip" -> p.length != 1 ? null : bodies.drip(req);
                case "bytes" -> p.length != 2 ? null : bodies.bytes(req, p[1]);
                case "stream" -> p.length != 2 ? null : HttpbinBodies.stream(req, origin, p[1]);
                case "redirect", "relative-redirect", "absolute-redirect" ->
                    p.length != 2 ? null : HttpbinStatus.redirect(req, origin, first, p[1]);
                case "redirect-to" -> p.length != 1 ? null : HttpbinStatus.redirectTo(req);
                case "basic-auth" -> p.length != 3 ? null : HttpbinCredentials.basicAuth(req, p[1], p[2]);
                default -> null;
            };
        } catch (Bad e) {
            return new Answer(error(e.status, e.getMessage()));
        }
    }

    // ---- CORS --------------------------------------------------------------------------------

    /** Every response allows the caller's origin (or any, without one) with credentials, as go-httpbin's do. */
    static void cors(HttpRequest req, HttpResponse res) {
        String origin = req.header("Origin");
        res.header("Access-Control-Allow-Origin", origin == null || origin.isEmpty() ? "*" : origin)
                .header("Access-Control-Allow-Credentials", "true");
    }

    /** The answer to OPTIONS on any path, a CORS preflight: 200, the methods allowed, and the request headers asked for. */
    static HttpResponse preflight(HttpRequest req) {
        HttpResponse res = new HttpResponse(200, "OK")
                .header("Access-Control-Allow-Methods", "GET, POST, HEAD, PUT, DELETE, PATCH, OPTIONS")
                .header("Access-Control-Max-Age", "3600");
        String asked = req.header("Access-Control-Request-Headers");
        return asked == null || asked.isEmpty() ? res : res.header("Access-Control-Allow-Headers", asked);
    }

    // ---- the request as JSON -----------------------------------------------------------------

    /** {@code /get} takes GET and HEAD, {@code /post} POST, and so on; each answers the request as JSON. */
    private static Answer methodRoute(HttpRequest req, Origin origin, String route) throws Bad {
        String method = route.toUpperCase(Locale.ROOT);
        if (route.equals("get")) {
            if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
                return notAllowed("GET, HEAD");
            }
            return json(200, HttpbinJson.noBody(req, origin));
        }
        if (!req.method().equals(method)) {
            return notAllowed(method);
        }
        return json(200, withBody(req, origin));
    }

    private static Answer ip(HttpRequest req, Origin origin) {
        String ip = HttpbinJson.origin(req, origin);
        if ("text".equals(query(req).get("format"))) {
            return new Answer(HttpResponse.text(200, "OK", ip + "\n"));
        }
        return json(200, Map.of("origin", ip));
    }

    /** {@code /gzip}, {@code /deflate}: the request as JSON (without its url), compressed, and {@code gzipped} or {@code deflated} true. */
    private static Answer compressed(HttpRequest req, Origin origin, boolean gzip) {
        Map<String, Object> m = HttpbinJson.noBody(req, origin);
        m.put("url", ""); // go-httpbin leaves it out of these two
        m.put(gzip ? "gzipped" : "deflated", true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var z = gzip
                ? new GZIPOutputStream(out)
                : new DeflaterOutputStream(out)) { // deflate: zlib format, as HTTP means it
            z.write(HttpbinJson.write(m));
        } catch (IOException e) {
            throw new IllegalStateException("compressing into memory cannot fail", e);
        }
        return new Answer(new HttpResponse(200, "OK")
                .header("Content-Encoding", gzip ? "gzip" : "deflate")
                .header("Content-Type", JSON)
                .body(out.toByteArray()));
    }

    static int statusCode(String text) throws Bad {
        int code = whole(text, "invalid status code: \"" + text + "\"");
        // a 1xx is an interim answer, which a final one must follow: go-httpbin's server adds a 200 after it
        if (code < 200 || code > 599) {
            throw new Bad(400, "invalid status code: " + code + " not in range [200, 599]");
        }
        return code;
    }

    // ---- helpers -----------------------------------------------------------------------------

    static Map<String, Object> withBody(HttpRequest req, Origin origin) throws Bad {
        try {
            return HttpbinJson.withBody(req, origin);
        } catch (HttpbinJson.BadBody e) {
            throw new Bad(400, e.getMessage());
        }
    }

    static Answer json(int status, Object body) {
        return new Answer(new HttpResponse(status, HttpResponse.reasonOf(status))
                .header("Content-Type", JSON)
                .body(HttpbinJson.write(body)));
    }

    /** go-httpbin's error: {@code {"status_code": 400, "error": "Bad Request", "detail": "..."}}. */
    private static HttpResponse error(int status, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status_code", status);
        m.put("error", HttpResponse.reasonOf(status));
        m.put("detail", detail);
        return json(status, m).response();
    }

    /** As Go's ServeMux answers a method a route does not take. */
    private static Answer notAllowed(String allow) {
        return new Answer(HttpResponse.text(405, "Method Not Allowed", "Method Not Allowed\n")
                .header("Allow", allow));
    }

    /** The query's first value per name; none if it is malformed, as go-httpbin drops what it cannot decode. */
    static Map<String, String> query(HttpRequest req) {
        try {
            return Query.parse(req.rawQuery());
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }

    static int whole(String text, String why) throws Bad {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new Bad(400, why);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A value httpbin refuses, with its status and go-httpbin's detail. */
    static final class Bad extends Exception {
        final int status;

        Bad(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }
}
