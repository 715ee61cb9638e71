package org.echolab.protocol;

import java.nio.ByteBuffer;

/**
 * Whether the bytes a connection sent so far hold the whole head of its first request (an HTTP
 * request line and headers up to the empty line, or a whole TCP line), so that a worker given the
 * connection now will not wait on its client for it. Pure: bytes in, an answer out; the buffer's
 * position and limit are left as they were.
 */
public final class RequestHead {

    private RequestHead() {}

    /** True once the head is whole, or once {@code buffered} is full (the parser then answers the over-long head). */
    public static boolean complete(ByteBuffer buffered, int maxLine) {
        if (!buffered.hasRemaining()) {
            return false;
        }
        if (buffered.limit() == buffered.capacity() && buffered.position() == 0) {
            return true;
        }
        ProtocolDetector.Protocol p = ProtocolDetector.detect(buffered, maxLine);
        if (p != ProtocolDetector.Protocol.HTTP) {
            return p == ProtocolDetector.Protocol.TCP; // a whole line; null: not yet known
        }
        int start = buffered.position();
        while (start < buffered.limit() && (buffered.get(start) == '\r' || buffered.get(start) == '\n')) {
            start++; // empty lines before a request are skipped, as the parser does
        }
        for (int i = start + 1; i < buffered.limit(); i++) {
            if (buffered.get(i) == '\n'
                    && (buffered.get(i - 1) == '\n'
                            || (buffered.get(i - 1) == '\r' && i >= start + 2 && buffered.get(i - 2) == '\n'))) {
                return true; // the empty line that ends the head
            }
        }
        return false;
    }
}
