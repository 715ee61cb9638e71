package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes WebSocket frames (RFC 6455 section 5.2), and names the close codes (section 7.4). A
 * server's frames are unmasked and whole (FIN set); a client's are masked with a key it chooses
 * ({@link #masked}, for the load generator and tests). Pure and stateless.
 */
public final class WebSocketFrames {

    public static final int TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** Close codes: normal, going away (server stopping), protocol error, bad data, too big, policy, try again later. */
    public static final int NORMAL = 1000,
            GOING_AWAY = 1001,
            PROTOCOL_ERROR = 1002,
            INVALID_DATA = 1007,
            POLICY = 1008,
            TOO_BIG = 1009,
            TRY_AGAIN_LATER = 1013;

    /** Not a code on the wire: the close frame named none, and the answer names none either. */
    public static final int NO_STATUS = 1005;

    private WebSocketFrames() {}

    /** A whole unmasked frame, as a server sends it. */
    public static byte[] frame(int opcode, byte[] payload) {
        return encode(true, opcode, payload, null);
    }

    /** A close frame: the code and a reason cut to fit 125 bytes; {@link #NO_STATUS} gives an empty payload. */
    public static byte[] close(int code, String reason) {
        if (code == NO_STATUS) {
            return frame(CLOSE, new byte[0]);
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        while (n < text.length && n > 0 && (text[n] & 0xC0) == 0x80) {
            n--; // do not cut a character in two
        }
        ByteBuffer payload = ByteBuffer.allocate(2 + n).putShort((short) code).put(text, 0, n);
        return frame(CLOSE, payload.array());
    }

    /** A client's frame: masked with {@code mask} (4 bytes), FIN as given. */
    public static byte[] masked(boolean fin, int opcode, byte[] payload, byte[] mask) {
        return encode(fin, opcode, payload, mask);
    }

    /** Whether an endpoint may send {@code code} in a close frame (RFC 6455 7.4, IANA registry). */
    public static boolean sendableCloseCode(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    private static byte[] encode(boolean fin, int opcode, byte[] payload, byte[] mask) {
        int n = payload.length;
        int lengthBytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
        ByteBuffer b = ByteBuffer.allocate(2 + lengthBytes + (mask == null ? 0 : 4) + n);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        int maskBit = mask == null ? 0 : 0x80;
        if (lengthBytes == 0) {
            b.put((byte) (maskBit | n));
        } else if (lengthBytes == 2) {
            b.put((byte) (maskBit | 126)).putShort((short) n);
        } else {
            b.put((byte) (maskBit | 127)).putLong(n);
        }
        if (mask == null) {
            return b.put(payload).array();
        }
        b.put(mask, 0, 4);
        byte[] masked = Arrays.copyOf(payload, n);
        for (int i = 0; i < n; i++) {
            masked[i] ^= mask[i & 3];
        }
        return b.put(masked).array();
    }
}
