package org.echolab.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * How a non-blocking connection moves its bytes: straight through its {@link SocketChannel}, or
 * through TLS ({@link TlsWire}). An event loop reads and writes plaintext through it and never
 * asks which; the only differences it sees are a handshake that may take several turns and bytes
 * of the wire's own (TLS records) that may wait to be sent after the plaintext was taken.
 *
 * <p><b>Threads:</b> one at a time, the loop's that owns the connection. Not thread-safe.
 */
public interface Wire {

    /** Advances the handshake as far as the socket allows; true once it is done and its last message sent. */
    boolean handshake() throws IOException;

    /** Reads plaintext into {@code dst}: how many bytes, 0 if none is ready, -1 at the end of input. */
    int read(ByteBuffer dst) throws IOException;

    /** Takes plaintext from {@code src}: how many bytes (0 if the socket takes nothing now). */
    int write(ByteBuffer src) throws IOException;

    /** Sends bytes of the wire's own still waiting; true when none wait (then the socket has all). */
    boolean flush() throws IOException;

    /**
     * Whether input was read from the socket and not yet handed out: a selector will not announce
     * it, so the caller reads again without waiting for the socket.
     */
    boolean buffered();

    /** Ends output: TLS sends close_notify first; then the socket is half-closed. */
    void shutdownOutput() throws IOException;

    /** Closes the socket (idempotent, quiet); TLS tries to send close_notify first. */
    void close();

    /** The handshake's outcome; null on a plain wire or before the handshake is done. */
    TlsInfo tls();

    /** The plain wire: the socket itself. */
    static Wire plain(SocketChannel channel) {
        return new Plain(channel);
    }

    /** A wire that adds nothing. */
    record Plain(SocketChannel channel) implements Wire {

        @Override
        public boolean handshake() {
            return true;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public boolean flush() {
            return true;
        }

        @Override
        public boolean buffered() {
            return false;
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
        }

        @Override
        public TlsInfo tls() {
            return null;
        }
    }
}
