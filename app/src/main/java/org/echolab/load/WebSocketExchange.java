package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.echolab.protocol.Durations;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.protocol.WebSocketHandshake;

/**
 * WebSocket on one connection: on a new connection the handshake ({@code GET path?wait=..&work=..}
 * with {@code Upgrade: websocket}), and once its 101 has come back, as RFC 6455 asks, the first
 * message; after that one masked text message per request, whose echo is checked byte by byte as
 * it arrives. The wait and work go in the handshake's query, so they hold for every message on the
 * connection; for {@code size=N} the message is padded to N bytes as
 * {@link org.echolab.protocol.Payload} would. {@code --verify} means what it means for HTTP:
 * {@code echo} checks each message's echo; {@code status} and {@code none} take any complete data
 * message back (text or binary) once the handshake's 101 has come, as a 2xx status would be
 * (the handshake is a WebSocket's one status). Failure kinds: {@code ws-handshake} (no 101, or a
 * wrong accept key), {@code ws-close} (the server closed with a close frame), {@code ws-frame}
 * (a frame that is not the echo's kind), {@code wrong-body}, {@code truncated}, {@code closed}.
 */
final class WebSocketExchange implements Exchange {

    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private final Message message;
    private final boolean checkEcho;
    private final int size;
    private final String requestHead; // the handshake but its key

    private boolean upgraded; // this connection's handshake is done
    private boolean handshaking; // the handshake is out, its 101 awaited
    private String expectedAccept;
    private boolean framePending; // the first message waits for the 101
    private int payloadLength = -1; // of the frame being read; -1 before its header
    private long offset;
    private boolean mismatch;
    private boolean sawBytes;
    private boolean closeAfter;
    private String failure;

    WebSocketExchange(Target target, LoadSpec spec, Message message) {
        this.message = message;
        this.checkEcho = spec.verify() == LoadSpec.Verify.ECHO;
        this.size = spec.size();
        StringBuilder query = new StringBuilder();
        if (spec.serverWait() != null) {
            query.append("wait=").append(Durations.format(spec.serverWait()));
        }
        if (spec.work() != null) {
            query.append(query.isEmpty() ? "" : "&").append("work=").append(spec.work());
        }
        String path = target.path();
        String separator = path.contains("?") ? "&" : "?";
        requestHead =
                "GET " + path + (query.isEmpty() ? "" : separator + query) + " HTTP/1.1\r\nHost: " + target.host() + ':'
                        + target.port() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
                        + WebSocketHandshake.VERSION + "\r\nSec-WebSocket-Key: ";
    }

    @Override
    public int requestCapacity() {
        return Math.max(requestHead.length() + 32, 14 + Math.max(size, message.maxTextLength()));
    }

    @Override
    public void encode(long seq, ByteBuffer out) {
        message.next(seq);
        payloadLength = -1;
        offset = 0;
        mismatch = false;
        sawBytes = false;
        closeAfter = false;
        failure = null;
        out.clear();
        if (upgraded) {
            putFrame(out);
        } else {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            expectedAccept = WebSocketHandshake.accept(key);
            out.put((requestHead + key + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            handshaking = true;
            framePending = true;
        }
        out.flip();
    }

    /** The message as one masked text frame (RFC 6455 5.3: a new random mask for each frame). */
    private void putFrame(ByteBuffer out) {
        int n = message.bodyLength();
        out.put((byte) (0x80 | WebSocketFrames.TEXT));
        if (n < 126) {
            out.put((byte) (0x80 | n));
        } else if (n <= 0xFFFF) {
            out.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            out.put((byte) (0x80 | 127)).putLong(n);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.put(mask);
        int start = out.position();
        message.putBody(out);
        byte[] a = out.array();
        for (int i = 0; i < n; i++) {
            a[start + i] ^= mask[i & 3];
        }
    }

    @Override
    public boolean followUp(ByteBuffer out) {
        if (!upgraded || !framePending) {
            return false;
        }
        framePending = false;
        out.clear();
        putFrame(out);
        out.flip();
        return true;
    }

    @Override
    public boolean read(ByteBuffer in) {
        if (!in.hasRemaining()) {
            return false;
        }
        sawBytes = true;
        if (handshaking) {
            return readHandshake(in);
        }
        if (payloadLength < 0 && !readHeader(in)) {
            return failure != null;
        }
        int n = (int) Math.min(in.remaining(), payloadLength - offset);
        if (checkEcho && !mismatch && !message.matches(offset, in.array(), in.arrayOffset() + in.position(), n)) {
            mismatch = true;
        }
        in.position(in.position() + n);
        offset += n;
        if (offset < payloadLength) {
            return false;
        }
        if (checkEcho && (mismatch || offset != message.bodyLength())) {
            failure = "wrong-body";
        }
        return true;
    }

    /** The 101 and its accept key; false until the whole head is in, or after it (the message is still to come). */
    private boolean readHandshake(ByteBuffer in) {
        byte[] a = in.array();
        int from = in.arrayOffset() + in.position();
        int to = in.arrayOffset() + in.limit();
        int end = indexOf(a, from, to, END_OF_HEAD);
        if (end < 0) {
            return false;
        }
        String head = new String(a, from, end - from, StandardCharsets.ISO_8859_1);
        in.position(in.position() + end + END_OF_HEAD.length - from);
        handshaking = false;
        if (!head.startsWith("HTTP/1.1 101")
                || !head.toLowerCase(Locale.ROOT)
                        .contains("\r\nsec-websocket-accept: " + expectedAccept.toLowerCase(Locale.ROOT))) {
            failure = "ws-handshake";
            closeAfter = true;
            return true;
        }
        upgraded = true;
        return false;
    }

    /** A server frame's header, when {@code in} holds it whole; false until then, or on failure. */
    private boolean readHeader(ByteBuffer in) {
        if (in.remaining() < 2) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xFF;
        int b1 = in.get(p + 1) & 0x7F;
        int header = b1 == 126 ? 4 : b1 == 127 ? 10 : 2;
        if (in.remaining() < header) {
            return false;
        }
        long n = b1 == 126 ? in.getShort(p + 2) & 0xFFFF : b1 == 127 ? in.getLong(p + 2) : b1;
        int opcode = b0 & 0x0F;
        boolean data = opcode == WebSocketFrames.TEXT || !checkEcho && opcode == WebSocketFrames.BINARY;
        if (!data || (b0 & 0x80) == 0 || n > Integer.MAX_VALUE) {
            failure = opcode == WebSocketFrames.CLOSE ? "ws-close" : "ws-frame";
            closeAfter = true;
            in.position(in.limit());
            return false;
        }
        in.position(p + header);
        payloadLength = (int) n;
        return true;
    }

    private static int indexOf(byte[] a, int from, int to, byte[] what) {
        outer:
        for (int i = from; i + what.length <= to; i++) {
            for (int j = 0; j < what.length; j++) {
                if (a[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void eof() {
        failure = sawBytes ? "truncated" : "closed";
    }

    @Override
    public void closed() {
        upgraded = false;
        handshaking = false;
        framePending = false;
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
        return -1;
    }

    @Override
    public String worker() {
        return null;
    }
}
