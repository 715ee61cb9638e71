package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Query;
import org.echolab.protocol.Sizes;

/**
 * HTTP/1.1 on one connection: {@code METHOD path?msg=M&wait=..&work=..&size=..} (the target's own
 * path and query, its {@code msg} extended by the unique part; the {@code -H} headers and the
 * body) and a small, incremental response reader that checks the response as it arrives, as the
 * {@link LoadSpec.Verify} mode says. The request is pre-encoded
 * around the message; the reader works on the bytes in place (status line, Content-Length or
 * chunked, Connection, X-Echo-Request, X-Echo-Worker) and allocates nothing for a correct
 * response, so the generator costs the server's side little. Only the worker's name becomes a
 * String, and only when it differs from the last one on this connection.
 *
 * <p>Failure kinds: {@code status-NNN}, {@code wrong-body} (bytes or length differ from the
 * echo), {@code truncated} (closed mid-response), {@code closed} (closed before any byte),
 * {@code bad-response} (not HTTP/1.x, or a head line of 64 KiB or more).
 */
final class HttpExchange implements Exchange {

    private enum Part {
        STATUS,
        HEADERS,
        BODY,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        UNTIL_CLOSE,
        DONE
    }

    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] CONNECTION = bytes("connection");
    private static final byte[] X_ECHO_REQUEST = bytes("x-echo-request");
    private static final byte[] X_ECHO_WORKER = bytes("x-echo-worker");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[] CLOSE = bytes("close");
    private static final byte[] KEEP_ALIVE = bytes("keep-alive");
    /** "status-503" and the like, made once rather than once per failed response. */
    private static final String[] STATUS_KINDS = new String[1000];

    static {
        for (int i = 0; i < STATUS_KINDS.length; i++) {
            STATUS_KINDS[i] = "status-" + i;
        }
    }

    private final Message message;
    private final byte[] requestStart;
    private final byte[] requestEnd;
    private final byte[] body;
    private final LoadSpec.Verify verify;
    private final boolean head;

    private Part part = Part.DONE;
    private String failure;
    private boolean sawBytes;
    private int status;
    private boolean http10;
    private boolean keepAliveHeader;
    private boolean chunked;
    private long contentLength;
    private long remaining;
    private long bodyOffset;
    private boolean mismatch;
    private boolean closeAfter;
    private long requestNumber;
    private String worker;
    private byte[] workerBytes = new byte[0];

    /**
     * The message a connection's requests carry: with echo verification, the target's own
     * {@code msg} (decoded) followed by the unique part {@code prefix + seq}, or the body alone;
     * without it, nothing is checked and nothing is added to the target.
     */
    static Message message(LoadSpec spec, String prefix, byte[] filler) {
        if (spec.verify() != LoadSpec.Verify.ECHO) {
            return new Message(new byte[0], null, null, 0);
        }
        if (spec.body() != null) {
            return new Message(spec.body(), null, filler, spec.size());
        }
        String msg = Query.parse(query(spec.target().path())).get("msg");
        return new Message(
                msg == null ? new byte[0] : msg.getBytes(StandardCharsets.ISO_8859_1), prefix, filler, spec.size());
    }

    /** @param close whether to ask the server to close after each response (connect-per-request) */
    HttpExchange(Target target, LoadSpec spec, Message message, boolean close) {
        this.message = message;
        this.verify = spec.verify();
        this.head = spec.method().equals("HEAD");
        this.body = spec.body() == null ? new byte[0] : spec.body();
        // the target split where the unique part goes: right after the value of its msg, or in a msg of its own
        String path = target.path();
        String before = path;
        String after = "";
        if (verify == LoadSpec.Verify.ECHO && spec.body() == null) {
            int end = msgValueEnd(path);
            if (end >= 0) {
                before = path.substring(0, end);
                after = path.substring(end);
            } else {
                before = path + (path.contains("?") ? "&" : "?") + "msg=";
            }
        }
        StringBuilder end = new StringBuilder(after);
        String params = "";
        if (spec.serverWait() != null) {
            params += "&wait=" + Durations.format(spec.serverWait());
        }
        if (spec.work() != null) {
            params += "&work=" + spec.work();
        }
        if (spec.size() > 0) {
            params += "&size=" + Sizes.format(spec.size());
        }
        if (!params.isEmpty()) {
            end.append(path.contains("?") || before.contains("?") ? params : "?" + params.substring(1));
        }
        end.append(" HTTP/1.1\r\n");
        if (spec.headers().stream().noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            end.append("Host: ")
                    .append(target.host())
                    .append(':')
                    .append(target.port())
                    .append("\r\n");
        }
        for (String h : spec.headers()) {
            end.append(h).append("\r\n");
        }
        if (spec.body() != null) {
            end.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (close) {
            end.append("Connection: close\r\n");
        }
        end.append("\r\n");
        requestStart = bytes(spec.method() + " " + before);
        requestEnd = bytes(end.toString());
    }

    /** The raw query of a path, or "". */
    private static String query(String path) {
        int q = path.indexOf('?');
        return q < 0 ? "" : path.substring(q + 1);
    }

    /** Where the raw value of the target's first {@code msg} parameter ends, or -1 if it has none. */
    static int msgValueEnd(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return -1;
        }
        for (int at = q + 1; at <= path.length(); ) {
            int amp = path.indexOf('&', at);
            int end = amp < 0 ? path.length() : amp;
            if (path.startsWith("msg=", at) && at + 4 <= end) {
                return end;
            }
            if (end == at + 3 && path.startsWith("msg", at)) {
                return -1; // "msg" without '=': leave it, add a msg of our own
            }
            at = end + 1;
        }
        return -1;
    }

    @Override
    public int requestCapacity() {
        return requestStart.length + message.maxTextLength() + requestEnd.length + body.length;
    }

    @Override
    public void encode(long seq, ByteBuffer out) {
        message.next(seq);
        out.clear();
        int from = message.uniqueFrom();
        out.put(requestStart)
                .put(message.text(), from, message.textLength() - from)
                .put(requestEnd)
                .put(body);
        out.flip();
        part = Part.STATUS;
        failure = null;
        sawBytes = false;
        status = 0;
        http10 = false;
        keepAliveHeader = false;
        chunked = false;
        contentLength = -1;
        remaining = 0;
        bodyOffset = 0;
        mismatch = false;
        closeAfter = false;
        requestNumber = -1;
        worker = null;
    }

    @Override
    public boolean read(ByteBuffer in) {
        byte[] a = in.array();
        if (in.hasRemaining()) {
            sawBytes = true;
        }
        while (part != Part.DONE) {
            int pos = in.position();
            int limit = in.limit();
            switch (part) {
                case BODY, CHUNK_DATA, UNTIL_CLOSE -> {
                    int n = (int) Math.min(part == Part.UNTIL_CLOSE ? Long.MAX_VALUE : remaining, limit - pos);
                    if (n == 0) {
                        return false;
                    }
                    body(a, pos, n);
                    in.position(pos + n);
                    if (part != Part.UNTIL_CLOSE) {
                        remaining -= n;
                        if (remaining == 0) {
                            part = part == Part.BODY ? Part.DONE : Part.CHUNK_END;
                        }
                    }
                }
                default -> {
                    int eol = indexOf(a, pos, limit, (byte) '\n');
                    if (eol < 0) {
                        if (limit - pos >= Slot.READ_BUFFER_MAX) {
                            return fail("bad-response"); // a line that would not fit in the largest buffer
                        }
                        return false;
                    }
                    int end = eol > pos && a[eol - 1] == '\r' ? eol - 1 : eol;
                    in.position(eol + 1);
                    if (!line(a, pos, end)) {
                        return true;
                    }
                }
            }
        }
        finish();
        return true;
    }

    /** Handles one line of the head or of the chunk framing; false when the response failed. */
    private boolean line(byte[] a, int start, int end) {
        switch (part) {
            case STATUS -> {
                // "HTTP/1.1 200 OK"
                if (end - start < 12 || !startsWith(a, start, "HTTP/1.") || a[start + 8] != ' ') {
                    return fail("bad-response");
                }
                http10 = a[start + 7] == '0';
                status = 0;
                for (int i = start + 9; i < start + 12; i++) {
                    if (a[i] < '0' || a[i] > '9') {
                        return fail("bad-response");
                    }
                    status = status * 10 + (a[i] - '0');
                }
                part = Part.HEADERS;
            }
            case HEADERS -> {
                if (start == end) {
                    return endOfHead();
                }
                header(a, start, end);
                if (failure != null) {
                    return false;
                }
            }
            case CHUNK_SIZE -> {
                long size = 0;
                int i = start;
                for (; i < end && a[i] != ';' && a[i] != ' '; i++) {
                    int d = Character.digit(a[i], 16);
                    if (d < 0 || size > (Long.MAX_VALUE >> 4)) {
                        return fail("bad-response");
                    }
                    size = size * 16 + d;
                }
                if (i == start) {
                    return fail("bad-response");
                }
                remaining = size;
                part = size == 0 ? Part.TRAILERS : Part.CHUNK_DATA;
            }
            case CHUNK_END -> {
                if (start != end) {
                    return fail("bad-response");
                }
                part = Part.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (start == end) {
                    part = Part.DONE;
                }
            }
            default -> throw new IllegalStateException("not a line: " + part);
        }
        return true;
    }

    private void header(byte[] a, int start, int end) {
        int colon = indexOf(a, start, end, (byte) ':');
        if (colon < 0) {
            fail("bad-response");
            return;
        }
        int v = colon + 1;
        while (v < end && (a[v] == ' ' || a[v] == '\t')) {
            v++;
        }
        int ve = end;
        while (ve > v && (a[ve - 1] == ' ' || a[ve - 1] == '\t')) {
            ve--;
        }
        if (nameIs(a, start, colon, CONTENT_LENGTH)) {
            long n = 0;
            if (v == ve) {
                fail("bad-response");
                return;
            }
            for (int i = v; i < ve; i++) {
                if (a[i] < '0' || a[i] > '9' || n > Long.MAX_VALUE / 10 - 10) {
                    fail("bad-response");
                    return;
                }
                n = n * 10 + (a[i] - '0');
            }
            contentLength = n;
        } else if (nameIs(a, start, colon, TRANSFER_ENCODING)) {
            chunked = contains(a, v, ve, CHUNKED);
        } else if (nameIs(a, start, colon, CONNECTION)) {
            closeAfter |= contains(a, v, ve, CLOSE);
            keepAliveHeader |= contains(a, v, ve, KEEP_ALIVE);
        } else if (nameIs(a, start, colon, X_ECHO_REQUEST)) {
            long n = 0;
            for (int i = v; i < ve && a[i] >= '0' && a[i] <= '9'; i++) {
                n = n * 10 + (a[i] - '0');
            }
            requestNumber = n;
        } else if (nameIs(a, start, colon, X_ECHO_WORKER)) {
            int len = ve - v;
            if (len != workerBytes.length || java.util.Arrays.mismatch(workerBytes, 0, len, a, v, ve) >= 0) {
                workerBytes = java.util.Arrays.copyOfRange(a, v, ve);
                worker = null;
            }
            if (worker == null) {
                worker = new String(workerBytes, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private boolean endOfHead() {
        if (status >= 100 && status < 200) {
            part = Part.STATUS; // an interim response: the real one follows
            return true;
        }
        if (http10 && !keepAliveHeader) {
            closeAfter = true;
        }
        if (head) {
            part = Part.DONE; // a HEAD response's framing headers describe a body it does not carry
        } else if (chunked) {
            part = Part.CHUNK_SIZE;
        } else if (contentLength >= 0) {
            remaining = contentLength;
            part = remaining > 0 ? Part.BODY : Part.DONE;
        } else if (status == 204 || status == 304) {
            part = Part.DONE;
        } else {
            part = Part.UNTIL_CLOSE; // no length: the body ends when the server closes
            closeAfter = true;
        }
        return true;
    }

    private void body(byte[] a, int from, int n) {
        if (verify == LoadSpec.Verify.ECHO && status == 200 && !mismatch && !message.matches(bodyOffset, a, from, n)) {
            mismatch = true;
        }
        bodyOffset += n;
    }

    private void finish() {
        if (failure != null) {
            return;
        }
        boolean statusOk = switch (verify) {
            case ECHO -> status == 200;
            case STATUS -> status >= 200 && status < 300;
            case NONE -> true;
        };
        if (!statusOk) {
            failure = status < STATUS_KINDS.length ? STATUS_KINDS[status] : "status-" + status;
        } else if (verify == LoadSpec.Verify.ECHO && (mismatch || bodyOffset != message.bodyLength())) {
            failure = "wrong-body";
        }
    }

    @Override
    public void eof() {
        if (part == Part.UNTIL_CLOSE) {
            part = Part.DONE;
            finish();
        } else {
            part = Part.DONE;
            failure = sawBytes ? "truncated" : "closed";
        }
        closeAfter = true;
    }

    private boolean fail(String kind) {
        failure = kind;
        part = Part.DONE;
        closeAfter = true;
        return false;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public boolean closeAfter() {
        return closeAfter;
    }

    @Override
    public long requestNumber() {
        return requestNumber;
    }

    @Override
    public int status() {
        return part == Part.STATUS ? 0 : status;
    }

    @Override
    public String worker() {
        return worker;
    }

    // ---- bytes ---------------------------------------------------------------------------------

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] a, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (a[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive match of a header name against a lower-case constant. */
    private static boolean nameIs(byte[] a, int start, int end, byte[] lower) {
        if (end - start != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if (lowerCase(a[start + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive search for a lower-case token in a header value. */
    private static boolean contains(byte[] a, int start, int end, byte[] lower) {
        outer:
        for (int i = start; i + lower.length <= end; i++) {
            for (int j = 0; j < lower.length; j++) {
                if (lowerCase(a[i + j]) != lower[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte lowerCase(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
