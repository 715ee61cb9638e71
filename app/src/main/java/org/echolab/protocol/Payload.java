package org.echolab.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The body of {@code /echo?msg=M&size=N}: the message followed by a fixed filler, cut to exactly N
 * bytes. Deterministic, so a client can check every byte; unique while the message is.
 */
public final class Payload {

    private static final byte[] FILLER = "-abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.US_ASCII);

    private Payload() {}

    public static byte[] of(byte[] message, int size) {
        byte[] out = new byte[size];
        int n = Math.min(size, message.length);
        System.arraycopy(message, 0, out, 0, n);
        for (int i = n; i < size; i++) {
            out[i] = FILLER[(i - n) % FILLER.length];
        }
        return out;
    }
}
