package org.echolab.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.1 response and its encoding. Content-Length is sent (none for 204 and 304, which have
 * no body), or, for a body sent in pieces over time, {@code Transfer-Encoding: chunked}
 * ({@link #encodeChunkedHead}, {@link #chunk}, {@link #LAST_CHUNK}); {@code Connection: close} when the connection will close after it, and
 * {@code X-Content-Type-Options: nosniff} always: an echo reflects what a client sent, and a
 * browser must not guess that it is HTML. A body may end in {@link Payload}'s filler, which is
 * counted in Content-Length but never built: the writer streams it ({@link #fillerLength}).
 */
public final class HttpResponse {

    private int status;
    private String reason;
    private final List<HttpRequest.Header> headers = new ArrayList<>(16); // room for the usual ones without growing
    private byte[] body = new byte[0];
    private long filler;
    private boolean close;

    public HttpResponse(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    /** A short text/plain answer, for errors and simple pages. */
    public static HttpResponse text(int status, String reason, String text) {
        return new HttpResponse(status, reason)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The error answer for a parse failure; it always closes the connection. */
    public static HttpResponse error(HttpParser.Failure failure) {
        return text(
                        failure.status(),
                        failure.reason(),
                        failure.status() + " " + failure.reason() + ": " + failure.detail() + "\n")
                .close(true);
    }

    /** Changes the status (a fault the request asked for); headers and body stay. */
    public HttpResponse status(int status, String reason) {
        this.status = status;
        this.reason = reason;
        return this;
    }

    /**
     * Adds a header. Its value goes out as one line of ISO-8859-1 whatever it holds (a redirect's
     * URL, a cookie, both from a query): CR, LF and NUL, which would end the header early and start
     * one of the client's choosing (response splitting, RFC 9110 5.5), become spaces, as Go's
     * net/http makes them; a character ISO-8859-1 has no byte for becomes '?'.
     */
    public HttpResponse header(String name, String value) {
        headers.add(new HttpRequest.Header(name, oneLine(value)));
        return this;
    }

    private static String oneLine(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!plain(value.charAt(i))) {
                StringBuilder sb = new StringBuilder(value.length());
                for (char c : value.toCharArray()) {
                    sb.append(plain(c) ? c : c > 0xFF ? '?' : ' ');
                }
                return sb.toString();
            }
        }
        return value;
    }

    private static boolean plain(char c) {
        return c != '\r' && c != '\n' && c != 0 && c <= 0xFF;
    }

    public HttpResponse body(byte[] bytes) {
        this.body = bytes;
        return this;
    }

    /** The body goes on with {@code bytes} of {@link Payload}'s filler after {@link #body}. */
    public HttpResponse filler(long bytes) {
        this.filler = bytes;
        return this;
    }

    public HttpResponse close(boolean close) {
        this.close = close;
        return this;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public byte[] body() {
        return body;
    }

    public boolean closes() {
        return close;
    }

    /** Bytes of filler that follow what {@link #encode} gives (0 for HEAD, whose body is never sent). */
    public long fillerLength(boolean head) {
        return head ? 0 : filler;
    }

    /** Bytes of body that {@link #encode} and the filler carry after the head: 0 for HEAD, 204 and 304. */
    public long bodyLength(boolean head) {
        return head || status == 204 || status == 304 || status < 200 ? 0 : body.length + filler;
    }

    /** The status line, headers and (unless {@code head}) body but its filler, ready for the wire. */
    public byte[] encode(boolean head) {
        // RFC 9110 8.6: no Content-Length and no body in a 204 or 304, nor in a 1xx (a 101 switching to WebSocket)
        boolean bodiless = status == 204 || status == 304 || status < 200;
        String length = bodiless ? null : Long.toString(body.length + filler);
        return head(bodiless ? null : "Content-Length", length, head || bodiless ? NO_BODY : body);
    }

    /**
     * The status line and headers of a response whose body follows in {@link #chunk}s and ends
     * with {@link #LAST_CHUNK}; {@link #body} and filler are not part of it.
     */
    public byte[] encodeChunkedHead() {
        return head("Transfer-Encoding", "chunked", NO_BODY);
    }

    /** The end of a chunked body: a chunk of size 0 and no trailers. */
    public static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** One chunk of a chunked body: {@code bytes[from, to)}, which must not be empty (that is {@link #LAST_CHUNK}). */
    public static byte[] chunk(byte[] bytes, int from, int to) {
        if (to <= from) {
            throw new IllegalArgumentException("an empty chunk would end the body");
        }
        byte[] size = (Integer.toHexString(to - from) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[size.length + to - from + 2];
        System.arraycopy(size, 0, out, 0, size.length);
        System.arraycopy(bytes, from, out, size.length, to - from);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * The status line, the headers, the framing header {@code framing: value} (none if null) and
     * {@code body}, in one array of their exact size: the head is measured first, then written
     * byte by byte, with no intermediate text.
     */
    private byte[] head(String framing, String value, byte[] body) {
        String statusLine = Integer.toString(status);
        int size = "HTTP/1.1 ".length() + statusLine.length() + 1 + reason.length() + 2;
        for (HttpRequest.Header h : headers) {
            size += h.name().length() + 2 + h.value().length() + 2;
        }
        if (framing != null) {
            size += framing.length() + 2 + value.length() + 2;
        }
        size += NOSNIFF.length() + (close ? CLOSE.length() : 0) + 2;
        Ascii out = new Ascii(new byte[size + body.length]);
        out.put("HTTP/1.1 ").put(statusLine).put(" ").put(reason).put("\r\n");
        for (HttpRequest.Header h : headers) {
            out.put(h.name()).put(": ").put(h.value()).put("\r\n");
        }
        if (framing != null) {
            out.put(framing).put(": ").put(value).put("\r\n");
        }
        out.put(NOSNIFF);
        if (close) {
            out.put(CLOSE);
        }
        out.put("\r\n");
        System.arraycopy(body, 0, out.bytes, size, body.length);
        return out.bytes;
    }

    private static final byte[] NO_BODY = new byte[0];
    private static final String NOSNIFF = "X-Content-Type-Options: nosniff\r\n";
    private static final String CLOSE = "Connection: close\r\n";

    /**
     * Writes text into a byte array, one byte per char. A head's text is ISO-8859-1 throughout:
     * what it echoes of a request was read as ISO-8859-1, the rest is the server's own ASCII.
     */
    private static final class Ascii {
        final byte[] bytes;
        private int at;

        Ascii(byte[] bytes) {
            this.bytes = bytes;
        }

        @SuppressWarnings(
                "deprecation") // deprecated as an encoder; for ISO-8859-1 text it is the plain copy wanted here
        Ascii put(String s) {
            s.getBytes(0, s.length(), bytes, at);
            at += s.length();
            return this;
        }
    }

    /** The reason phrase of a status code (RFC 9110 15), or "Status NNN" for one it does not name. */
    public static String reasonOf(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 418 -> "I'm a teapot";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }

    /** The interim answer to {@code Expect: 100-continue}. */
    public static byte[] continue100() {
        return "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    }
}
