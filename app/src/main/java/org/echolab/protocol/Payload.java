package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The body of {@code /echo?msg=M&size=N}: the message followed by a fixed filler, cut to exactly N
 * bytes. Deterministic, so a client can check every byte; unique while the message is.
 *
 * <p>A server never builds that body: it sends the message cut to N ({@link #prefix}) and then
 * {@code N - prefix} bytes of filler in slices of one shared, never-written block
 * ({@link #filler}), so a response of 64 MiB costs no more memory than one of 64 bytes.
 */
public final class Payload {

    private static final byte[] FILLER = "-abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.US_ASCII);

    /** Whole periods of the filler, about 64 KiB: every slice of it starts where the filler starts. */
    private static final byte[] BLOCK = block(64 * 1024 / FILLER.length * FILLER.length);

    private Payload() {}

    /** The whole body, built: for clients that check it (and for tests). */
    public static byte[] of(byte[] message, int size) {
        byte[] out = new byte[size];
        int n = Math.min(size, message.length);
        System.arraycopy(message, 0, out, 0, n);
        for (int i = n; i < size; i++) {
            out[i] = FILLER[(i - n) % FILLER.length];
        }
        return out;
    }

    /** The start of the body of {@code size} bytes: the message, cut to the size. The filler follows it. */
    public static byte[] prefix(byte[] message, int size) {
        return message.length <= size ? message : Arrays.copyOf(message, size);
    }

    /**
     * The next {@code min(bytes, ~64 KiB)} bytes of filler, when the filler sent so far is a
     * multiple of this size ({@link #SLICE}): a view of the shared block, which nobody writes.
     */
    public static ByteBuffer filler(long bytes) {
        return ByteBuffer.wrap(BLOCK, 0, (int) Math.min(bytes, BLOCK.length));
    }

    /** The largest slice {@link #filler} gives. */
    public static final int SLICE = BLOCK.length;

    private static byte[] block(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = FILLER[i % FILLER.length];
        }
        return b;
    }
}
