package org.echolab.load;

import java.nio.ByteBuffer;

/**
 * One connection's side of the protocol: writes the request for a message and reads, byte by
 * byte, the response to it, checking it against the echo the message must get. One per
 * connection, reused for every request on it; run only by that connection's event-loop thread.
 * Implementations: {@link HttpExchange}, {@link LineExchange} and {@link WebSocketExchange}.
 */
interface Exchange {

    /** Largest request {@link #encode} writes, for sizing the connection's output buffer. */
    int requestCapacity();

    /** Writes the request for message number {@code seq} into {@code out} (cleared, then flipped for writing). */
    void encode(long seq, ByteBuffer out);

    /**
     * Consumes response bytes from {@code in} (position to limit). Returns true once the response
     * is complete, leaving any bytes after it in {@code in}; then {@link #failure()} says how it went.
     */
    boolean read(ByteBuffer in);

    /**
     * After a {@link #read} that did not complete the response: bytes the exchange must send
     * before it can (a WebSocket message, once its handshake's 101 is in). True: {@code out}
     * holds them, flipped for writing.
     */
    default boolean followUp(ByteBuffer out) {
        return false;
    }

    /** The connection closed: the next request begins on a new one (a WebSocket exchange handshakes again). */
    default void closed() {}

    /** The peer closed the connection before {@link #read} saw a complete response; sets the failure. */
    void eof();

    /** After the response completed: null if it was verified correct, else the kind of failure. */
    String failure();

    /** True when the connection cannot carry another request (the server said it will close). */
    boolean closeAfter();

    /** The status of the response whose head was read, or 0 (none yet, or not HTTP). */
    default int status() {
        return 0;
    }

    /** The server's request number (X-Echo-Request), or -1 when it sent none. */
    long requestNumber();

    /** The server's worker (X-Echo-Worker), or null when it sent none. */
    String worker();
}
