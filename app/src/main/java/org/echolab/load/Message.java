package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.echolab.protocol.Payload;

/**
 * The unique message of each request, {@code RUN-CONNECTION-SEQ}, after a fixed part the user's
 * target gave (its {@code msg=}, or a {@code --body}, which gets no unique part), and the body the echo must
 * carry back for it, checked byte for byte without building it: for {@code size=N} that body is
 * {@link Payload#of}(message, N), the message followed by a filler that does not depend on the
 * message, so one shared copy of the filler serves every request.
 * One per connection; not thread-safe.
 */
final class Message {

    private final byte[] prefix; // null: no unique part
    private final int fixed; // text[0, fixed): the user's part, already in the request
    private final byte[] filler;
    private final int size;
    private final byte[] text;
    private int textLength;

    /** A message that is all unique part. */
    Message(String prefix, byte[] filler, int size) {
        this(new byte[0], prefix, filler, size);
    }

    /**
     * @param fixed what the echo starts with that the request carries elsewhere (the target's own {@code msg}, a body)
     * @param prefix of the unique part, {@code RUN-CONNECTION-}; null for none (the echo is {@code fixed} alone)
     * @param filler {@code Payload.of(new byte[0], size)}, shared and never written; null when size is 0
     * @param size the body length asked of the server, 0 for the message alone
     */
    Message(byte[] fixed, String prefix, byte[] filler, int size) {
        this.prefix = prefix == null ? null : prefix.getBytes(StandardCharsets.US_ASCII);
        this.fixed = fixed.length;
        this.filler = filler;
        this.size = size;
        this.text = Arrays.copyOf(fixed, fixed.length + (prefix == null ? 0 : this.prefix.length + 20));
        this.textLength = fixed.length;
    }

    /** Makes message number {@code seq} the current one. */
    void next(long seq) {
        if (prefix != null) {
            System.arraycopy(prefix, 0, text, fixed, prefix.length);
            textLength = fixed + prefix.length + putDigits(seq, text, fixed + prefix.length);
        }
    }

    byte[] text() {
        return text;
    }

    int textLength() {
        return textLength;
    }

    /** Where the unique part starts in {@link #text()}: what a request adds to the user's fixed part. */
    int uniqueFrom() {
        return fixed;
    }

    /** Longest message this connection will make, in bytes. */
    int maxTextLength() {
        return text.length;
    }

    /** Length of the echo the current message must get back. */
    int bodyLength() {
        return size > 0 ? size : textLength;
    }

    /** Whether {@code src[from, from+len)} is the expected body at {@code offset}. */
    boolean matches(long offset, byte[] src, int from, int len) {
        if (offset + len > bodyLength()) {
            return false;
        }
        int textPart = size > 0 ? Math.min(textLength, size) : textLength;
        int at = (int) offset;
        if (at < textPart) {
            int n = Math.min(len, textPart - at);
            if (Arrays.mismatch(text, at, at + n, src, from, from + n) >= 0) {
                return false;
            }
            at += n;
            from += n;
            len -= n;
        }
        if (len == 0) {
            return true;
        }
        int f = at - textPart;
        return Arrays.mismatch(filler, f, f + len, src, from, from + len) < 0;
    }

    /** Writes the expected body itself (a TCP line carries it both ways). */
    void putBody(ByteBuffer out) {
        int textPart = size > 0 ? Math.min(textLength, size) : textLength;
        out.put(text, 0, textPart);
        if (size > textPart) {
            out.put(filler, 0, size - textPart);
        }
    }

    /** Writes the decimal digits of {@code v >= 0} at {@code at}; returns how many. */
    static int putDigits(long v, byte[] dst, int at) {
        int n = 1;
        for (long t = v; t >= 10; t /= 10) {
            n++;
        }
        for (int i = at + n - 1; i >= at; i--) {
            dst[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return n;
    }
}
