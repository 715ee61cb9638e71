package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental HTTP/1.x request parser: bytes in, requests out. No sockets, threads or clocks, so
 * a blocking session and a non-blocking event loop use the same code, fed whatever pieces of
 * input arrive.
 *
 * <p>Call {@link #parse} with the bytes read so far; it consumes what it can and answers
 * {@link NeedMore} (feed it more), {@link ExpectContinue} (the client waits for
 * {@code 100 Continue} before sending the body; call again to go on), {@link Complete} (one whole
 * request; bytes of a pipelined next request stay in the buffer, call again) or {@link Failure}
 * (answer with its status and close the connection; the parser is spent).
 *
 * <p>A body's buffer is allocated only with the {@link BodyAllowance}'s consent, so a server can
 * bound the request bytes it holds across all its connections; a refusal is a {@link Failure}
 * with status 503.
 *
 * <p>Not thread-safe: one parser belongs to one connection.
 */
public final class HttpParser {

    /**
     * Asked before the parser allocates (or grows) a body's buffer, with the bytes it wants: true
     * lets it. The caller owns the accounting and gives the bytes back when the request is done.
     */
    @FunctionalInterface
    public interface BodyAllowance {
        BodyAllowance UNLIMITED = bytes -> true;

        boolean take(int bytes);
    }

    public sealed interface Result permits NeedMore, ExpectContinue, Complete, Failure {}

    public record NeedMore() implements Result {}

    public record ExpectContinue() implements Result {}

    public record Complete(HttpRequest request) implements Result {}

    /** A request that cannot be served; answer {@code status reason} and close. */
    public record Failure(int status, String reason, String detail) implements Result {}

    private static final NeedMore NEED_MORE = new NeedMore();
    private static final byte[] NO_LINE = new byte[0];
    private static final int FIRST_LINE = 128; // a request line or header of the usual size; doubles as needed
    private static final int MAX_CHUNK_LINE = 1024;

    private enum State {
        REQUEST_LINE,
        HEADERS,
        BODY,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        FAILED
    }

    private final Limits limits;
    private final BodyAllowance allowance;
    private State state = State.REQUEST_LINE;

    // the line being assembled (request line, header, chunk size or trailer); none between
    // requests, so a kept-alive connection that waits holds no buffer: a request's first byte takes one
    private byte[] line = NO_LINE;
    private int lineLength;

    // the request being assembled
    private String method;
    private String target;
    private int minorVersion;
    private List<HttpRequest.Header> headers = new ArrayList<>();
    private int headerBytes;
    private boolean started;
    private boolean continuePending;
    private byte[] body;
    private int bodyLength;
    private long chunkRemaining;

    public HttpParser(Limits limits) {
        this(limits, BodyAllowance.UNLIMITED);
    }

    public HttpParser(Limits limits, BodyAllowance allowance) {
        this.limits = limits;
        this.allowance = allowance;
    }

    /** True once any byte of the current request has been consumed (a timeout now earns a 408). */
    public boolean midRequest() {
        return started;
    }

    /** The bytes this parser holds of the request under way (its line and body buffers); none between requests. */
    int bytesHeld() {
        return line.length + (body == null ? 0 : body.length);
    }

    /** True while the current request's head is complete and its body is still arriving. */
    public boolean inBody() {
        return switch (state) {
            case BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS -> true;
            default -> false;
        };
    }

    /** Consumes bytes from {@code in} (advancing its position) until a result is reached. */
    public Result parse(ByteBuffer in) {
        while (true) {
            Result r = switch (state) {
                case REQUEST_LINE -> requestLine(in);
                case HEADERS -> headerLine(in);
                case BODY -> fixedBody(in);
                case CHUNK_SIZE -> chunkSize(in);
                case CHUNK_DATA -> chunkData(in);
                case CHUNK_END -> chunkEnd(in);
                case TRAILERS -> trailer(in);
                case FAILED -> new Failure(400, "Bad Request", "parser already failed");
            };
            if (r != null) {
                if (r instanceof Failure) {
                    state = State.FAILED;
                }
                return r;
            }
        }
    }

    // ---- request line ------------------------------------------------------------------------

    private Result requestLine(ByteBuffer in) {
        int max = limits.maxRequestLine();
        Boolean done = readLine(in, max);
        if (done == null) {
            return new Failure(414, "URI Too Long", "request line longer than " + max + " bytes");
        }
        if (!done) {
            return in.hasRemaining() ? null : NEED_MORE;
        }
        if (lineLength == 0) { // RFC 9112 2.2: ignore empty lines before a request
            return null;
        }
        // method SP target SP version: exactly two spaces (RFC 9112 3)
        int first = indexOf(' ', 0, lineLength);
        int second = first < 0 ? -1 : indexOf(' ', first + 1, lineLength);
        if (second < 0 || indexOf(' ', second + 1, lineLength) >= 0) {
            return new Failure(400, "Bad Request", "malformed request line");
        }
        String m = known(METHODS, 0, first);
        String t = text(first + 1, second);
        String v = known(VERSIONS, second + 1, lineLength);
        lineLength = 0;
        if (!isToken(m) || !isTarget(t)) {
            return new Failure(400, "Bad Request", "malformed request line");
        }
        Failure versionProblem = parseVersion(v);
        if (versionProblem != null) {
            return versionProblem;
        }
        method = m;
        target = t;
        state = State.HEADERS;
        return null;
    }

    private Failure parseVersion(String v) {
        if (v.length() != 8
                || !v.startsWith("HTTP/")
                || v.charAt(6) != '.'
                || !isDigit(v.charAt(5))
                || !isDigit(v.charAt(7))) {
            return new Failure(400, "Bad Request", "malformed HTTP version");
        }
        if (v.charAt(5) != '1' || v.charAt(7) > '1') {
            return new Failure(505, "HTTP Version Not Supported", v + " is not supported; use HTTP/1.1 or HTTP/1.0");
        }
        minorVersion = v.charAt(7) - '0';
        return null;
    }

    // ---- headers -----------------------------------------------------------------------------

    private Result headerLine(ByteBuffer in) {
        Boolean done = readLine(in, limits.maxHeaderBytes() - headerBytes);
        if (done == null) {
            return new Failure(
                    431,
                    "Request Header Fields Too Large",
                    "headers longer than " + limits.maxHeaderBytes() + " bytes");
        }
        if (!done) {
            return in.hasRemaining() ? null : NEED_MORE;
        }
        headerBytes += lineLength + 2;
        if (lineLength == 0) {
            return endOfHeaders();
        }
        if (headers.size() >= limits.maxHeaderCount()) {
            return new Failure(
                    431, "Request Header Fields Too Large", "more than " + limits.maxHeaderCount() + " header fields");
        }
        HttpRequest.Header h = parseField();
        lineLength = 0;
        if (h == null) {
            return new Failure(400, "Bad Request", "malformed header field");
        }
        headers.add(h);
        return null;
    }

    private HttpRequest.Header parseField() {
        if (line[0] == ' ' || line[0] == '\t') {
            return null; // obsolete line folding: rejected (RFC 9112 5.2)
        }
        int colon = indexOf(':', 0, lineLength);
        if (colon <= 0) {
            return null;
        }
        String name = known(NAMES, 0, colon);
        if (!isToken(name)) {
            return null; // includes whitespace before the colon
        }
        for (int i = colon + 1; i < lineLength; i++) {
            int b = line[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return null;
            }
        }
        int from = colon + 1;
        int to = lineLength;
        while (from < to && (line[from] == ' ' || line[from] == '\t')) { // optional whitespace around the value
            from++;
        }
        while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
            to--;
        }
        return new HttpRequest.Header(name, text(from, to));
    }

    private Result endOfHeaders() {
        lineLength = 0;
        String host = null;
        int hosts = 0;
        String contentLength = null;
        int lengths = 0;
        String transferEncoding = null;
        String expect = null;
        for (HttpRequest.Header h : headers) {
            String name = h.name(); // compared as it is, in any case: no lower-case copy per header
            if (name.equalsIgnoreCase("host")) {
                hosts++;
                host = h.value();
            } else if (name.equalsIgnoreCase("content-length")) {
                lengths++;
                contentLength = h.value();
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? h.value() : transferEncoding + "," + h.value();
            } else if (name.equalsIgnoreCase("expect")) {
                expect = h.value();
            }
        }
        if (minorVersion == 1 && hosts == 0) {
            return new Failure(400, "Bad Request", "HTTP/1.1 request without Host header");
        }
        if (hosts > 1) {
            return new Failure(400, "Bad Request", "more than one Host header");
        }
        if (host != null && host.contains(" ")) {
            return new Failure(400, "Bad Request", "invalid Host header");
        }
        if (transferEncoding != null && contentLength != null) {
            return new Failure(400, "Bad Request", "both Content-Length and Transfer-Encoding");
        }
        if (lengths > 1) {
            return new Failure(400, "Bad Request", "more than one Content-Length");
        }
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            return new Failure(417, "Expectation Failed", "only 'Expect: 100-continue' is supported");
        }
        continuePending = expect != null && minorVersion == 1;
        if (transferEncoding != null) {
            if (minorVersion == 0) { // RFC 9112 6.1: faulty framing; answer and close
                return new Failure(400, "Bad Request", "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!transferEncoding.strip().equalsIgnoreCase("chunked")) {
                return new Failure(
                        501,
                        "Not Implemented",
                        "transfer coding '" + transferEncoding.strip() + "' is not supported; use chunked");
            }
            int first = Math.min(limits.maxBody(), 8192);
            if (!allowance.take(first)) {
                return overBudget();
            }
            body = new byte[first];
            bodyLength = 0;
            state = State.CHUNK_SIZE;
            return expectContinue();
        }
        long length = 0;
        if (contentLength != null) {
            length = parseLength(contentLength);
            if (length < 0) {
                return new Failure(400, "Bad Request", "invalid Content-Length");
            }
            if (length > limits.maxBody()) {
                return new Failure(
                        413,
                        "Content Too Large",
                        "body of " + length + " bytes is over the limit of " + limits.maxBody());
            }
        }
        if (length > 0 && !allowance.take((int) length)) {
            return overBudget();
        }
        body = new byte[(int) length];
        bodyLength = 0;
        if (length == 0) {
            return complete();
        }
        state = State.BODY;
        return expectContinue();
    }

    private static Failure overBudget() {
        return new Failure(
                503, "Service Unavailable", "the server holds as many request bodies as it may; retry later");
    }

    private Result expectContinue() {
        if (continuePending) {
            continuePending = false;
            return new ExpectContinue();
        }
        return null;
    }

    private static long parseLength(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    // ---- bodies ------------------------------------------------------------------------------

    private Result fixedBody(ByteBuffer in) {
        int n = Math.min(in.remaining(), body.length - bodyLength);
        in.get(body, bodyLength, n);
        bodyLength += n;
        if (bodyLength == body.length) {
            return complete();
        }
        return NEED_MORE;
    }

    private Result chunkSize(ByteBuffer in) {
        Boolean done = readLine(in, MAX_CHUNK_LINE);
        if (done == null) {
            return new Failure(400, "Bad Request", "chunk size line too long");
        }
        if (!done) {
            return in.hasRemaining() ? null : NEED_MORE;
        }
        int end = 0;
        while (end < lineLength && line[end] != ';') {
            end++;
        }
        String hex = new String(line, 0, end, StandardCharsets.ISO_8859_1).strip();
        lineLength = 0;
        long size;
        if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(HttpParser::isHexDigit)) {
            return new Failure(400, "Bad Request", "invalid chunk size"); // no sign: "-1" is not a size
        }
        size = Long.parseLong(hex, 16);
        if (bodyLength + size > limits.maxBody()) {
            return new Failure(
                    413, "Content Too Large", "chunked body over the limit of " + limits.maxBody() + " bytes");
        }
        if (size == 0) {
            state = State.TRAILERS;
            return null;
        }
        chunkRemaining = size;
        if (body.length < bodyLength + size) {
            int grown = (int) Math.min(limits.maxBody(), Math.max(body.length * 2L, bodyLength + size));
            if (!allowance.take(grown - body.length)) {
                return overBudget();
            }
            body = Arrays.copyOf(body, grown);
        }
        state = State.CHUNK_DATA;
        return null;
    }

    private Result chunkData(ByteBuffer in) {
        int n = (int) Math.min(in.remaining(), chunkRemaining);
        in.get(body, bodyLength, n);
        bodyLength += n;
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            state = State.CHUNK_END;
            return null;
        }
        return NEED_MORE;
    }

    private Result chunkEnd(ByteBuffer in) {
        Boolean done = readLine(in, 2);
        if (done == null || (done && lineLength != 0)) {
            return new Failure(400, "Bad Request", "chunk data not followed by CRLF");
        }
        if (!done) {
            return in.hasRemaining() ? null : NEED_MORE;
        }
        state = State.CHUNK_SIZE;
        return null;
    }

    private Result trailer(ByteBuffer in) {
        Boolean done = readLine(in, limits.maxHeaderBytes() - headerBytes);
        if (done == null) {
            return new Failure(431, "Request Header Fields Too Large", "trailers too long");
        }
        if (!done) {
            return in.hasRemaining() ? null : NEED_MORE;
        }
        boolean last = lineLength == 0;
        headerBytes += lineLength + 2;
        lineLength = 0;
        return last ? complete() : null; // trailer fields are read and dropped
    }

    private Result complete() {
        byte[] bytes = bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
        HttpRequest request = new HttpRequest(method, target, minorVersion, headers, bytes);
        // between requests the parser holds nothing of the last one
        line = NO_LINE;
        method = null;
        target = null;
        headers = new ArrayList<>(); // no array until the next request's first header
        headerBytes = 0;
        started = false;
        body = null;
        bodyLength = 0;
        state = State.REQUEST_LINE;
        return new Complete(request);
    }

    // ---- lines -------------------------------------------------------------------------------

    /**
     * Appends input to the current line up to LF. Returns TRUE with the line (CR stripped) in
     * {@code line[0..lineLength)}, FALSE if the input ran out first, or null if the line grew past
     * {@code max} bytes. It looks for the LF first and then copies the bytes before it at once.
     */
    private Boolean readLine(ByteBuffer in, int max) {
        int from = in.position();
        int lf = from;
        while (lf < in.limit() && in.get(lf) != '\n') {
            lf++;
        }
        int n = lf - from; // bytes of this line in the input, the LF not counted
        if (lineLength + n > max + 1) { // +1 leaves room for the CR of CRLF
            return null;
        }
        if (state == State.REQUEST_LINE && !started) {
            for (int i = from; i < lf && !started; i++) {
                started = in.get(i) != '\r'; // a blank line before a request does not begin one
            }
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(
                    line, Math.min(Math.max(FIRST_LINE, Math.max(line.length * 2, lineLength + n)), max + 2));
        }
        in.get(from, line, lineLength, n);
        lineLength += n;
        if (lf == in.limit()) {
            in.position(lf);
            return Boolean.FALSE;
        }
        in.position(lf + 1);
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return lineLength > max ? null : Boolean.TRUE;
    }

    /** The methods, versions and header names most requests carry: the parser builds no new text for them. */
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0"};
    private static final String[] NAMES = {
        "Host",
        "User-Agent",
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Connection",
        "Content-Length",
        "Content-Type"
    };

    /** {@code line[from, to)} as text: the one of {@code texts} it spells, as it is spelt there, or else a new string. */
    private String known(String[] texts, int from, int to) {
        for (String known : texts) {
            if (spells(known, from, to)) {
                return known;
            }
        }
        return text(from, to);
    }

    private boolean spells(String text, int from, int to) {
        if (text.length() != to - from) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (line[from + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code line[from, to)} as text, one char per byte. */
    private String text(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Where {@code b} first is in {@code line[from, to)}, or -1. */
    private int indexOf(char b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    // ---- character classes (RFC 9110 5.6.2) --------------------------------------------------

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTarget(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(int c) {
        return isDigit((char) c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
