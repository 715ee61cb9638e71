package org.echolab.protocol;

import java.util.List;
import java.util.Locale;

/**
 * One parsed HTTP/1.x request. Immutable; header names keep their case and are looked up
 * case-insensitively.
 *
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1
 */
public record HttpRequest(String method, String target, int minorVersion, List<Header> headers, byte[] body) {

    public record Header(String name, String value) {}

    public HttpRequest {
        headers = List.copyOf(headers);
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
        String t = originForm();
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    /** The target's raw query (after '?'), or "". */
    public String rawQuery() {
        String t = originForm();
        int q = t.indexOf('?');
        return q < 0 ? "" : t.substring(q + 1);
    }

    /**
     * The target as path and query. An absolute-form target ({@code http://host/echo?msg=x}, as
     * sent to proxies) is accepted too, as RFC 9112 3.2.2 requires: its scheme and authority are dropped.
     */
    private String originForm() {
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
        String tokens = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
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
}
