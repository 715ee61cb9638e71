package org.echolab.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>The routes that wait or hold a body of the client's size are in {@link HttpbinBodies}.
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

    private static final DateTimeFormatter COOKIE_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

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
                case "cookies" -> cookies(req, origin, p);
                case "status" -> p.length != 2 ? null : status(p[1]);
                case "delay" -> p.length != 2 ? null : bodies.delay(req, origin, p[1]);
                case "drip" -> p.length != 1 ? null : bodies.drip(req);
                case "bytes" -> p.length != 2 ? null : bodies.bytes(req, p[1]);
                case "stream" -> p.length != 2 ? null : HttpbinBodies.stream(req, origin, p[1]);
                case "redirect", "relative-redirect", "absolute-redirect" ->
                    p.length != 2 ? null : redirect(req, origin, first, p[1]);
                case "redirect-to" -> p.length != 1 ? null : redirectTo(req);
                case "basic-auth" -> p.length != 3 ? null : basicAuth(req, p[1], p[2]);
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

    // ---- status, redirects, cookies, auth ----------------------------------------------------

    /** {@code /status/418}, or {@code /status/200:3,500:1} for a weighted random choice; some codes come with go-httpbin's headers and body. */
    private static Answer status(String codes) throws Bad {
        int code = codes.contains(",") ? weightedChoice(codes) : statusCode(codes);
        HttpResponse res = new HttpResponse(code, HttpResponse.reasonOf(code)).header("Content-Type", TEXT);
        switch (code) {
            case 301, 302, 303, 305, 307 -> res.header("Location", "/redirect/1");
            case 300, 308 -> res.header("Location", "/image/jpeg");
            case 401 -> res.header("WWW-Authenticate", "Basic realm=\"Fake Realm\"");
            case 402 -> res.header("X-More-Info", "http://vimeo.com/22053820").body(bytes("Fuck you, pay me!"));
            case 407 -> res.header("Proxy-Authenticate", "Basic realm=\"Fake Realm\"");
            case 418 ->
                res.header("X-More-Info", "http://tools.ietf.org/html/rfc2324").body(bytes("I'm a teapot!"));
            default -> {}
        }
        return new Answer(res);
    }

    static int statusCode(String text) throws Bad {
        int code = whole(text, "invalid status code: \"" + text + "\"");
        // a 1xx is an interim answer, which a final one must follow: go-httpbin's server adds a 200 after it
        if (code < 200 || code > 599) {
            throw new Bad(400, "invalid status code: " + code + " not in range [200, 599]");
        }
        return code;
    }

    /** {@code 200:3,500:1}: a code by its weight (1 if left out), as go-httpbin picks one. */
    private static int weightedChoice(String text) throws Bad {
        List<Integer> codes = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double total = 0;
        for (String pair : text.split(",", -1)) {
            int colon = pair.indexOf(':');
            double w = 1;
            if (colon >= 0) {
                try {
                    w = Double.parseDouble(pair.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new Bad(400, "invalid weight value: \"" + pair.substring(colon + 1) + "\"");
                }
            }
            String code = colon < 0 ? pair : pair.substring(0, colon);
            int c;
            try {
                c = statusCode(code);
            } catch (Bad e) {
                throw new Bad(400, "invalid choice value: \"" + code + "\"");
            }
            if (!(w >= 0)) {
                throw new Bad(400, "invalid weight value: \"" + pair.substring(colon + 1) + "\"");
            }
            codes.add(c);
            weights.add(w);
            total += w;
        }
        double pick = ThreadLocalRandom.current().nextDouble() * total;
        for (int i = 0; i < codes.size(); i++) {
            pick -= weights.get(i);
            if (pick < 0) {
                return codes.get(i);
            }
        }
        return codes.getLast(); // every weight 0: go-httpbin panics here; the last is as good an answer
    }

    /**
     * {@code /redirect/3}: 302 to {@code /relative-redirect/2} (or {@code /absolute-redirect/2} as a
     * whole URL, with {@code ?absolute=true}), and so on down to {@code /get}.
     */
    private static Answer redirect(HttpRequest req, Origin origin, String route, String count) throws Bad {
        int n = whole(count, "invalid redirect count: \"" + count + "\"");
        if (n < 1) {
            throw new Bad(400, "redirect count must be > 0");
        }
        boolean relative = switch (route) {
            case "redirect" -> !"true".equalsIgnoreCase(query(req).get("absolute"));
            case "relative-redirect" -> true;
            default -> false;
        };
        String path = n == 1 ? "/get" : (relative ? "/relative-redirect/" : "/absolute-redirect/") + (n - 1);
        String location = relative ? path : HttpbinJson.scheme(req, origin) + "://" + req.header("Host") + path;
        return redirectTo(location, 302);
    }

    /** {@code /redirect-to?url=U[&status_code=307]}: to a whole URL or a path starting with /, with a 3xx (302 unless asked). */
    private static Answer redirectTo(HttpRequest req) throws Bad {
        Map<String, String> q = query(req);
        String url = q.get("url");
        if (url == null || url.isEmpty()) {
            throw new Bad(400, "missing required query parameter: url");
        }
        url = new String(url.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        if (!url.startsWith("/") && !url.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return new Answer(new HttpResponse(403, "Forbidden")
                    .header("Content-Type", "text/plain")
                    .body(bytes("Forbidden redirect URL: give a whole URL (https://...) or a path starting with /")));
        }
        int code = 302;
        String asked = q.get("status_code");
        if (asked != null && !asked.isEmpty()) {
            code = whole(asked, "invalid status code: \"" + asked + "\"");
            if (code < 300 || code > 399) {
                throw new Bad(400, "invalid status code: " + code + " not in range [300, 399]");
            }
        }
        return redirectTo(url, code);
    }

    private static Answer redirectTo(String location, int code) {
        return new Answer(new HttpResponse(code, HttpResponse.reasonOf(code)).header("Location", location));
    }

    /**
     * {@code /cookies}: the request's cookies as JSON; {@code /cookies/set?k=v} and
     * {@code /cookies/delete?k} set or expire them (Path=/, HttpOnly, Secure over HTTPS; each may be
     * changed with {@code attr[Path]=/x}, {@code attr[Secure]=false}, {@code attr[SameSite]=Lax},
     * {@code attr[Domain]=}) and redirect to {@code /cookies}.
     */
    private static Answer cookies(HttpRequest req, Origin origin, String[] p) {
        if (p.length == 1) {
            Map<String, String> jar = new LinkedHashMap<>();
            for (HttpRequest.Header h : req.headers()) {
                if (h.name().equalsIgnoreCase("Cookie")) {
                    for (String c : h.value().split(";")) {
                        int eq = c.indexOf('=');
                        if (eq > 0) {
                            jar.putIfAbsent(
                                    c.substring(0, eq).strip(),
                                    unquote(c.substring(eq + 1).strip()));
                        }
                    }
                }
            }
            return json(200, Map.of("cookies", jar));
        }
        if (p.length != 2 || !(p[1].equals("set") || p[1].equals("delete"))) {
            return null;
        }
        boolean delete = p[1].equals("delete");
        Map<String, String> attr = new LinkedHashMap<>(Map.of(
                "path",
                "/",
                "httponly",
                "true",
                "secure",
                Boolean.toString(origin.tls() != null || "https".equals(HttpbinJson.scheme(req, origin)))));
        Map<String, String> set = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Query.pairs(req.rawQuery())) {
            String k = e.getKey();
            if (k.startsWith("attr[") && k.endsWith("]")) {
                attr.put(k.substring(5, k.length() - 1).toLowerCase(Locale.ROOT), e.getValue());
            } else {
                set.putIfAbsent(k, e.getValue());
            }
        }
        HttpResponse res = new HttpResponse(302, "Found").header("Location", "/cookies");
        for (Map.Entry<String, String> c : set.entrySet()) {
            res.header("Set-Cookie", setCookie(c.getKey(), c.getValue(), attr, delete));
        }
        return new Answer(res);
    }

    /** A Set-Cookie value with its attributes in the order Go writes them. */
    private static String setCookie(String name, String value, Map<String, String> attr, boolean delete) {
        StringBuilder sb = new StringBuilder(name)
                .append('=')
                .append(value.contains(" ") || value.contains(",") ? "\"" + value + "\"" : value);
        if (!attr.get("path").isEmpty()) {
            sb.append("; Path=").append(attr.get("path"));
        }
        if (attr.get("domain") != null && !attr.get("domain").isEmpty()) {
            sb.append("; Domain=").append(attr.get("domain"));
        }
        if (delete) {
            sb.append("; Expires=")
                    .append(COOKIE_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).minusDays(365)))
                    .append("; Max-Age=0");
        }
        if (truth(attr.get("httponly"))) {
            sb.append("; HttpOnly");
        }
        if (truth(attr.get("secure"))) {
            sb.append("; Secure");
        }
        String sameSite =
                attr.get("samesite") == null ? "" : attr.get("samesite").toLowerCase(Locale.ROOT);
        switch (sameSite) {
            case "strict" -> sb.append("; SameSite=Strict");
            case "lax" -> sb.append("; SameSite=Lax");
            case "none" -> sb.append("; SameSite=None");
            default -> {}
        }
        return sb.toString();
    }

    private static boolean truth(String s) {
        return "1".equals(s) || "true".equalsIgnoreCase(s);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** {@code /basic-auth/user/passwd}: 200 if the request's Basic credentials are those, else 401 with a challenge. */
    private static Answer basicAuth(HttpRequest req, String user, String password) {
        String given = "";
        String givenPassword = null;
        String auth = req.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair =
                        new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon >= 0) {
                    given = pair.substring(0, colon);
                    givenPassword = pair.substring(colon + 1);
                }
            } catch (IllegalArgumentException e) {
                // not base64: no credentials, as in Go's Request.BasicAuth
            }
        }
        boolean ok = given.equals(user) && password.equals(givenPassword);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("authenticated", ok);
        m.put("user", given);
        m.put("authorized", ok); // go-httpbin's older name, kept by it too
        Answer a = json(ok ? 200 : 401, m);
        if (!ok) {
            a.response().header("WWW-Authenticate", "Basic realm=\"Fake Realm\"");
        }
        return a;
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

    private static byte[] bytes(String s) {
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
