package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Incremental decoder of the frames a WebSocket client sends (RFC 6455 section 5): bytes in,
 * messages and control frames out. It reassembles fragmented messages, unmasks, and enforces
 * every rule a server must: client frames are masked, control frames are at most 125 bytes and
 * not fragmented, no reserved bits or opcodes (no extension is ever agreed), continuation frames
 * only inside a fragmented message, text is UTF-8, and frames and messages stay within their
 * limits. Each broken rule is a {@link Failure} with the close code to answer.
 *
 * <p>It consumes payload bytes as they arrive, so the caller's buffer never has to hold more than
 * a frame header (14 bytes). Pure and not thread-safe, like {@link HttpParser}.
 */
public final class WebSocketDecoder {

    public sealed interface Result permits NeedMore, Message, Ping, Pong, Close, Failure {}

    public record NeedMore() implements Result {}

    /** A whole data message, reassembled if it came in fragments; text is valid UTF-8. */
    public record Message(boolean text, byte[] payload) implements Result {}

    public record Ping(byte[] payload) implements Result {}

    public record Pong(byte[] payload) implements Result {}

    /** The client began the close handshake; {@code code} is {@link WebSocketFrames#NO_STATUS} when it named none. */
    public record Close(int code, String reason) implements Result {}

    /** A rule was broken: close with {@code code}, saying {@code reason}. The decoder is then done. */
    public record Failure(int code, String reason) implements Result {}

    private static final NeedMore NEED_MORE = new NeedMore();

    private static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    private final int maxFrame;
    private final int maxMessage;
    private final IntPredicate allowance;

    private boolean partHeader; // a frame header's first bytes came, not all of it
    // the frame being read (after its header)
    private boolean inFrame;
    private boolean fin;
    private int opcode;
    private long left; // payload bytes still to come
    private final byte[] mask = new byte[4];
    private int maskAt; // position in the mask of the next payload byte
    private byte[] control; // a control frame's payload
    private int controlLength;

    // the message being reassembled
    private boolean inMessage;
    private boolean text;
    private byte[] message = new byte[0];
    private int length;
    private boolean failed;

    /**
     * @param maxFrame largest payload of one frame; larger is a 1009 failure
     * @param maxMessage largest message, all fragments together; larger is a 1009 failure
     * @param allowance asked before a data frame's payload is buffered, with its size; false is a
     *                  1013 failure (the server holds as much as it may)
     */
    public WebSocketDecoder(int maxFrame, int maxMessage, IntPredicate allowance) {
        this.maxFrame = maxFrame;
        this.maxMessage = maxMessage;
        this.allowance = allowance;
    }

    public WebSocketDecoder(int maxFrame, int maxMessage) {
        this(maxFrame, maxMessage, bytes -> true);
    }

    /** True when part of a frame (its header too) or of a fragmented message has been read. */
    public boolean midMessage() {
        return partHeader || inFrame || inMessage;
    }

    /** Decodes from {@code in} (read mode; what it uses is consumed) until one result is whole. */
    public Result next(ByteBuffer in) {
        if (failed) {
            throw new IllegalStateException("the decoder failed; the connection must close");
        }
        while (true) {
            if (!inFrame) {
                Result bad = readHeader(in);
                if (bad != null) {
                    return fail(bad);
                }
                partHeader = !inFrame && in.hasRemaining();
                if (!inFrame) {
                    return NEED_MORE;
                }
            }
            readPayload(in);
            if (left > 0) {
                return NEED_MORE;
            }
            inFrame = false;
            Result r = frameDone();
            if (r instanceof Failure) {
                return fail(r);
            }
            if (r != null) {
                return r;
            }
        }
    }

    private Result fail(Result failure) {
        failed = true;
        return failure;
    }

    /** Reads a whole header if {@code in} holds one (else consumes nothing); a non-null result is a failure. */
    private Result readHeader(ByteBuffer in) {
        int p = in.position();
        if (in.remaining() < 2) {
            return null;
        }
        int b0 = in.get(p) & 0xFF;
        int b1 = in.get(p + 1) & 0xFF;
        int size = b1 & 0x7F;
        int header = 2 + (size == 126 ? 2 : size == 127 ? 8 : 0) + 4;
        if ((b1 & 0x80) == 0) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "client frames must be masked");
        }
        if (in.remaining() < header) {
            return null;
        }
        long len = size == 126 ? in.getShort(p + 2) & 0xFFFF : size == 127 ? in.getLong(p + 2) : size;
        boolean finBit = (b0 & 0x80) != 0;
        int op = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "reserved bits set, but no extension was agreed");
        }
        if (len < 0 || size == 126 && len < 126 || size == 127 && len <= 0xFFFF) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "payload length not in its shortest form");
        }
        Result bad = op >= CLOSE ? checkControl(op, finBit, len) : checkData(op, len);
        if (bad != null) {
            return bad;
        }
        in.get(p + header - 4, mask);
        in.position(p + header);
        inFrame = true;
        fin = finBit;
        opcode = op;
        left = len;
        maskAt = 0;
        if (op >= CLOSE) {
            control = new byte[(int) len];
            controlLength = 0;
        }
        return null;
    }

    private static Result checkControl(int op, boolean finBit, long len) {
        if (op != CLOSE && op != PING && op != PONG) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "unknown opcode 0x" + Integer.toHexString(op));
        }
        if (!finBit) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "control frames must not be fragmented");
        }
        if (len > 125) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "control frames carry at most 125 bytes");
        }
        return null;
    }

    private Result checkData(int op, long len) {
        if (op != CONTINUATION && op != TEXT && op != BINARY) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "unknown opcode 0x" + Integer.toHexString(op));
        }
        if (op == CONTINUATION && !inMessage) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "continuation frame without a message to continue");
        }
        if (op != CONTINUATION && inMessage) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "new message before the fragmented one ended");
        }
        if (len > maxFrame) {
            return new Failure(WebSocketFrames.TOO_BIG, "frame of " + len + " bytes is over the limit of " + maxFrame);
        }
        long total = (op == CONTINUATION ? length : 0) + len;
        if (total > maxMessage) {
            return new Failure(WebSocketFrames.TOO_BIG, "message over the limit of " + maxMessage + " bytes");
        }
        if (len > 0 && !allowance.test((int) len)) {
            return new Failure(
                    WebSocketFrames.TRY_AGAIN_LATER, "the server holds as many messages as it may; retry later");
        }
        if (op != CONTINUATION) {
            inMessage = true;
            text = op == TEXT;
            length = 0;
        }
        int room = (int) total;
        if (message.length < room) {
            message = Arrays.copyOf(message, Math.max(room, Math.min(maxMessage, message.length * 2)));
        }
        return null;
    }

    /** Copies and unmasks what {@code in} holds of the payload. */
    private void readPayload(ByteBuffer in) {
        int n = (int) Math.min(left, in.remaining());
        byte[] to = opcode >= CLOSE ? control : message;
        int at = opcode >= CLOSE ? controlLength : length;
        in.get(to, at, n);
        for (int i = 0; i < n; i++) {
            to[at + i] ^= mask[maskAt++ & 3];
        }
        if (opcode >= CLOSE) {
            controlLength += n;
        } else {
            length += n;
        }
        left -= n;
    }

    /** The frame is read in full: a result, or null when the message goes on in more frames. */
    private Result frameDone() {
        return switch (opcode) {
            case PING -> new Ping(control);
            case PONG -> new Pong(control);
            case CLOSE -> close(control);
            default -> {
                if (!fin) {
                    yield null;
                }
                inMessage = false;
                byte[] payload = Arrays.copyOf(message, length);
                if (message.length > 4096) {
                    message = new byte[0]; // a large message's buffer goes with it
                }
                if (text && !isUtf8(payload, payload.length)) {
                    yield new Failure(WebSocketFrames.INVALID_DATA, "text message is not valid UTF-8");
                }
                yield new Message(text, payload);
            }
        };
    }

    private static Result close(byte[] payload) {
        if (payload.length == 0) {
            return new Close(WebSocketFrames.NO_STATUS, "");
        }
        if (payload.length == 1) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "close frame with a one-byte code");
        }
        int code = (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        if (!WebSocketFrames.sendableCloseCode(code)) {
            return new Failure(WebSocketFrames.PROTOCOL_ERROR, "close code " + code + " may not be sent");
        }
        byte[] reason = Arrays.copyOfRange(payload, 2, payload.length);
        if (!isUtf8(reason, reason.length)) {
            return new Failure(WebSocketFrames.INVALID_DATA, "close reason is not valid UTF-8");
        }
        return new Close(code, new String(reason, StandardCharsets.UTF_8));
    }

    private static boolean isUtf8(byte[] bytes, int n) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
