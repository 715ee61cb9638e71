package org.echolab.protocol;

import java.util.List;
import java.util.Locale;

/**
 * One parsed HTTP/1.x request. Immutable; header names keep their case and are looked up
 * case-insensitively. The target is split into its path and query once, here: a request's
 * routing asks for them several times.
 */
public final class HttpRequest {

    public record Header(String name, String value) {}

    private final String method;
    private final String target;
    private final int minorVersion;
    private final List<Header> headers;
    private final byte[] body;
    private final String path;
    private final String rawQuery;

    /** {@code minorVersion}: 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public HttpRequest(String method, String target, int minorVersion, List<Header> headers, byte[] body) {
        this.method = method;
        this.target = target;
        this.minorVersion = minorVersion;
        this.headers = List.copyOf(headers);
        this.body = body;
        String t = originForm(target);
        int q = t.indexOf('?');
        this.path = q < 0 ? t : t.substring(0, q);
        this.rawQuery = q < 0 ? "" : t.substring(q + 1);
    }

    public String method() {
        return method;
    }

    public String target() {
        return target;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    public List<Header> headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    /** The first value of the named header, or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The target's path, without the query. */
    public String path() {
        return path;
    }

    /** The target's raw query (after '?'), or "". */
    public String rawQuery() {
        return rawQuery;
    }

    /**
     * The target as path and query. An absolute-form target ({@code http://host/echo?msg=x}, as
     * sent to proxies) is accepted too, as RFC 9112 3.2.2 requires: its scheme and authority are dropped.
     */
    private static String originForm(String target) {
        int scheme = target.indexOf("://");
        if (scheme <= 0 || target.startsWith("/")) {
            return target;
        }
        String name = target.substring(0, scheme).toLowerCase(Locale.ROOT);
        if (!name.equals("http") && !name.equals("https")) {
            return target;
        }
        int rest = scheme + 3;
        int path = rest;
        while (path < target.length() && target.charAt(path) != '/' && target.charAt(path) != '?') {
            path++;
        }
        return path == target.length() || target.charAt(path) == '?'
                ? "/" + target.substring(path)
                : target.substring(path);
    }

    /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked to keep it. */
    public boolean keepAlive() {
        String connection = header("Connection");
        if (connection == null) {
            return minorVersion >= 1;
        }
        String tokens = connection.toLowerCase(Locale.ROOT);
        if (minorVersion >= 1) {
            return !hasToken(tokens, "close");
        }
        return hasToken(tokens, "keep-alive");
    }

    private static boolean hasToken(String list, String token) {
        for (String part : list.split(",")) {
            if (part.trim().equals(token)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "HttpRequest[" + method + " " + target + " HTTP/1." + minorVersion + ", " + headers + ", "
                + (body == null ? 0 : body.length) + " bytes of body]";
    }
}
