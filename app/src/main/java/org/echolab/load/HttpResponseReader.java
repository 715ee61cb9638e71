package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The load generator's HTTP/1.1 response reader: small and incremental, it checks a response as
 * it arrives, as the {@link LoadSpec.Verify} mode says. It works on the bytes in place (status
 * line, Content-Length or chunked, Connection, X-Echo-Request, X-Echo-Worker) and allocates
 * nothing for a correct response, so the generator costs the server's side little. Only the
 * worker's name becomes a String, and only when it differs from the last one on this connection.
 *
 * <p>Failure kinds: {@code status-NNN}, {@code wrong-body} (bytes or length differ from the
 * echo), {@code truncated} (closed mid-response), {@code closed} (closed before any byte),
 * {@code bad-response} (not HTTP/1.x, or a head line of 64 KiB or more).
 *
 * <p><b>Threads:</b> one per connection, run by that connection's event-loop thread.
 */
final class HttpResponseReader {

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

    private final Message message; // what an echo must carry
    private final LoadSpec.Verify verify;
    private final boolean head; // a HEAD request's response has no body

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

    HttpResponseReader(Message message, LoadSpec.Verify verify, boolean head) {
        this.message = message;
        this.verify = verify;
        this.head = head;
    }

    /** A new request went out: its response is read from its first byte. */
    void begin() {
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

    /** See {@link Exchange#read}. */
    boolean read(ByteBuffer in) {
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
            if (len != workerBytes.length || Arrays.mismatch(workerBytes, 0, len, a, v, ve) >= 0) {
                workerBytes = Arrays.copyOfRange(a, v, ve);
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

    void eof() {
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

    String failure() {
        return failure;
    }

    boolean closeAfter() {
        return closeAfter;
    }

    long requestNumber() {
        return requestNumber;
    }

    int status() {
        return part == Part.STATUS ? 0 : status;
    }

    String worker() {
        return worker;
    }

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
