package org.echolab.service;

import java.nio.ByteBuffer;
import org.echolab.protocol.Payload;

/**
 * The bytes of one reply as the slices a writer sends in turn: what the reply holds (head and
 * message), then the filler of a {@code size=} body streamed from {@link Payload}'s shared block.
 * No slice is larger than {@value #MAX_SLICE} bytes, so a blocking write of one slice that makes
 * no progress is what the write timeout measures, and the JDK's temporary direct buffer for a
 * channel write stays small. Not thread-safe: one writer.
 */
public final class Outgoing {

    /** The largest slice. */
    public static final int MAX_SLICE = 64 * 1024;

    private final byte[] held;
    private int heldSent;
    private long filler;
    private ByteBuffer slice;

    public Outgoing(byte[] held, long filler) {
        this.held = held;
        this.filler = filler;
    }

    /**
     * The slice to write now: the current one while it has bytes left, else the next; null once
     * everything is written. A slice's position moves as it is written.
     */
    public ByteBuffer slice() {
        if (slice != null && slice.hasRemaining()) {
            return slice;
        }
        if (heldSent < held.length) {
            int n = Math.min(MAX_SLICE, held.length - heldSent);
            slice = ByteBuffer.wrap(held, heldSent, n);
            heldSent += n;
        } else if (filler > 0) {
            slice = Payload.filler(Math.min(filler, MAX_SLICE));
            filler -= slice.remaining();
        } else {
            slice = null;
        }
        return slice;
    }

    /** Bytes not yet written. */
    public long remaining() {
        return (slice == null ? 0 : slice.remaining()) + held.length - heldSent + filler;
    }
}
