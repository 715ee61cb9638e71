package org.echolab.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.1 response and its encoding. Content-Length is always sent (no chunked responses),
 * {@code Connection: close} when the connection will close after it, and
 * {@code X-Content-Type-Options: nosniff} always: an echo reflects what a client sent, and a
 * browser must not guess that it is HTML. A body may end in {@link Payload}'s filler, which is
 * counted in Content-Length but never built: the writer streams it ({@link #fillerLength}).
 */
public final class HttpResponse {

    private final int status;
    private final String reason;
    private final List<HttpRequest.Header> headers = new ArrayList<>();
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
        return text(failure.status(), failure.reason(), failure.status() + " " + failure.reason() + ": " + failure.detail() + "\n")
                .close(true);
    }

    public HttpResponse header(String name, String value) {
        headers.add(new HttpRequest.Header(name, value));
        return this;
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

    public int status() { return status; }
    public String reason() { return reason; }
    public byte[] body() { return body; }
    public boolean closes() { return close; }

    /** Bytes of filler that follow what {@link #encode} gives (0 for HEAD, whose body is never sent). */
    public long fillerLength(boolean head) {
        return head ? 0 : filler;
    }

    /** The status line, headers and (unless {@code head}) body but its filler, ready for the wire. */
    public byte[] encode(boolean head) {
        StringBuilder sb = new StringBuilder(128 + headers.size() * 32);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        for (HttpRequest.Header h : headers) {
            sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (status >= 200) {                 // RFC 9110 8.6: never in a 1xx (a 101 switching to WebSocket)
            sb.append("Content-Length: ").append(body.length + filler).append("\r\n");
        }
        sb.append("X-Content-Type-Options: nosniff\r\n");
        if (close) {
            sb.append("Connection: close\r\n");
        }
        sb.append("\r\n");
        byte[] head0 = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (head || body.length == 0) {
            return head0;
        }
        byte[] all = new byte[head0.length + body.length];
        System.arraycopy(head0, 0, all, 0, head0.length);
        System.arraycopy(body, 0, all, head0.length, body.length);
        return all;
    }

    /** The interim answer to {@code Expect: 100-continue}. */
    public static byte[] continue100() {
        return "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    }
}
