package org.echolab.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.Query;

/**
 * The request as go-httpbin describes it in JSON, for {@link Httpbin}'s routes and
 * {@code /anything}: {@code args} and {@code headers} as maps of a name to its values, sorted by
 * name as Go writes a map, header names in Go's canonical case ({@code X-Mixed-Case});
 * {@code origin}, the client's address (or the one a proxy header names); {@code url}, as the
 * client asked for it; and for a request with a body {@code data}, {@code form}, {@code files}
 * ({@link Multipart}) and {@code json}. Stateless and thread-safe.
 */
final class HttpbinJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Headers a hosting platform sets to the client's address, in the order go-httpbin trusts them. */
    private static final List<String> CLIENT_IP_HEADERS =
            List.of("Fly-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "True-Client-IP");

    private HttpbinJson() {}

    /** A body go-httpbin would refuse to parse (malformed JSON or form): its route answers 400. */
    static final class BadBody extends Exception {
        BadBody(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code args}, {@code headers}, {@code method}, {@code origin}, {@code url}: go-httpbin's answer to a request without a body. */
    static Map<String, Object> noBody(HttpRequest req, Origin origin) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("args", args(req));
        m.put("headers", headers(req));
        m.put("method", req.method());
        m.put("origin", origin(req, origin));
        m.put("url", url(req, origin));
        return m;
    }

    /**
     * {@link #noBody} and {@code data}, {@code files}, {@code form}, {@code json}, as go-httpbin
     * reads the body by its Content-Type: a form is parsed into {@code form}, a multipart form
     * into {@code form} and {@code files} (each file's content as text), JSON into {@code json};
     * {@code data} holds the body as text, or a base64 data URL for any other type.
     *
     * @throws BadBody for a JSON or form body that does not parse
     */
    static Map<String, Object> withBody(HttpRequest req, Origin origin) throws BadBody {
        return withBody(req, origin, true);
    }

    /** As {@link #withBody(HttpRequest, Origin)}; unless {@code strict}, a body that does not parse leaves {@code form} or {@code json} empty. */
    static Map<String, Object> withBody(HttpRequest req, Origin origin, boolean strict) throws BadBody {
        Map<String, Object> m = noBody(req, origin);
        byte[] body = req.body();
        String data = "";
        Map<String, List<String>> form = Map.of();
        Map<String, List<String>> files = Map.of();
        JsonNode json = null;
        if (body.length > 0) {
            data = new String(body, StandardCharsets.UTF_8);
            String type = mediaType(req.header("Content-Type"));
            switch (type) {
                case "text/html", "text/plain" -> {}
                case "multipart/form-data" -> {
                    try {
                        form = new TreeMap<>();
                        files = new TreeMap<>();
                        for (Multipart.Part part :
                                Multipart.parse(body, Multipart.boundary(req.header("Content-Type")))) {
                            (part.filename() == null ? form : files)
                                    .computeIfAbsent(part.name(), k -> new ArrayList<>())
                                    .add(new String(part.content(), StandardCharsets.UTF_8));
                        }
                    } catch (IllegalArgumentException e) {
                        form = Map.of();
                        files = Map.of();
                        if (strict) {
                            throw new BadBody("error parsing request body: " + e.getMessage());
                        }
                    }
                }
                case "application/x-www-form-urlencoded" -> {
                    try {
                        form = values(Query.pairs(new String(body, StandardCharsets.ISO_8859_1)));
                    } catch (IllegalArgumentException e) {
                        if (strict) {
                            throw new BadBody("error parsing request body: " + e.getMessage());
                        }
                    }
                }
                case "application/json" -> {
                    try {
                        json = JSON.readTree(body);
                    } catch (IOException e) {
                        if (strict) {
                            throw new BadBody("error parsing request body: the body is not JSON");
                        }
                    }
                }
                default ->
                    data = "data:" + (type.isEmpty() ? "application/octet-stream" : type) + ";base64,"
                            + Base64.getUrlEncoder().encodeToString(body);
            }
        }
        m.put("data", data);
        m.put("files", files);
        m.put("form", form);
        m.put("json", json);
        return m;
    }

    /** The query's names and values, decoded, sorted by name; a pair with a malformed escape is left out, as Go does. */
    static Map<String, List<String>> args(HttpRequest req) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String pair : req.rawQuery().split("&")) {
            try {
                pairs.addAll(Query.pairs(pair));
            } catch (IllegalArgumentException e) {
                // left out
            }
        }
        return values(pairs);
    }

    /** The request's headers by canonical name, every value kept, sorted by name; Host always among them. */
    static Map<String, List<String>> headers(HttpRequest req) {
        Map<String, List<String>> m = new TreeMap<>();
        for (HttpRequest.Header h : req.headers()) {
            m.computeIfAbsent(canonical(h.name()), k -> new ArrayList<>()).add(h.value());
        }
        m.putIfAbsent("Host", List.of(""));
        return m;
    }

    /** The client's address: from a hosting platform's header or the first of X-Forwarded-For if one came, else the peer's. */
    static String origin(HttpRequest req, Origin origin) {
        for (String name : CLIENT_IP_HEADERS) {
            String v = req.header(name);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        String forwarded = req.header("X-Forwarded-For");
        if (forwarded != null && !forwarded.isEmpty()) {
            return forwarded.split(",", 2)[0].strip();
        }
        return origin.address();
    }

    /** The URL the client asked for: the scheme (https over TLS, or as a proxy's header says), the Host, the target. */
    static String url(HttpRequest req, Origin origin) {
        return scheme(req, origin) + "://" + (req.header("Host") == null ? "" : req.header("Host")) + req.path()
                + (req.rawQuery().isEmpty() ? "" : "?" + req.rawQuery());
    }

    static String scheme(HttpRequest req, Origin origin) {
        String s = req.header("X-Forwarded-Proto");
        if (s == null || s.isEmpty()) {
            s = req.header("X-Forwarded-Protocol");
        }
        if ((s == null || s.isEmpty()) && "on".equals(req.header("X-Forwarded-Ssl"))) {
            s = "https";
        }
        if (s == null || s.isEmpty()) {
            s = origin.tls() != null ? "https" : "http";
        }
        return s;
    }

    /** Indented JSON and a newline, as go-httpbin writes it. */
    static byte[] write(Object value) {
        try {
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
            byte[] out = Arrays.copyOf(json, json.length + 1);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings, numbers and JSON nodes must serialise", e);
        }
    }

    /** JSON on one line, as go-httpbin writes each line of {@code /stream}. */
    static byte[] compact(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers must serialise", e);
        }
    }

    /** Go's canonical form of a header name: each word's first letter upper case, the rest lower ({@code content-type}: {@code Content-Type}). */
    static String canonical(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ' ' || c > 0x7e) {
                return name; // not a token: Go leaves it as it came
            }
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    /** The media type of a Content-Type, without its parameters, in lower case; "" for none. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** Query pairs (bytes, one char each) as UTF-8 text, grouped by name and sorted by it. */
    private static Map<String, List<String>> values(List<Map.Entry<String, String>> pairs) {
        Map<String, List<String>> m = new TreeMap<>();
        for (Map.Entry<String, String> p : pairs) {
            m.computeIfAbsent(text(p.getKey()), k -> new ArrayList<>()).add(text(p.getValue()));
        }
        return m;
    }

    private static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
