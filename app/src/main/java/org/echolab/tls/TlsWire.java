package org.echolab.tls;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS on a non-blocking socket: the JDK's {@link SSLEngine} between the socket and the plaintext
 * an event loop reads and writes. The engine does all of TLS; this class only moves bytes between
 * the socket and three buffers, and never blocks: when the socket has nothing to give or takes
 * nothing more, it returns and the caller waits for the selector.
 * <pre>
 *   socket --read--> netIn --unwrap--> appIn --read()--> caller
 *   caller --write()--wrap--> netOut --flush()--> socket
 * </pre>
 * The engine's answers are handled where they come: {@code BUFFER_UNDERFLOW} (a record is not all
 * here: read the socket), {@code BUFFER_OVERFLOW} (a buffer is too small for a record: hand out
 * what it holds, or grow it to the session's size), {@code NEED_TASK} (run the engine's task
 * here: a signature or key exchange, a short piece of CPU work), {@code NEED_WRAP} (the engine has
 * a message of its own to send) and {@code CLOSED} (the peer's close_notify: the end of input).
 *
 * <p><b>Threads:</b> one at a time, the event loop's that owns the connection.
 *
 * <p><b>Cost:</b> three buffers of a TLS record each (about 16 KiB, 50 KiB a connection) for the
 * connection's life, and the encryption itself.
 */
final class TlsWire implements Wire {

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private ByteBuffer netIn; // write mode: records read, not yet unwrapped
    private ByteBuffer appIn; // read mode: plaintext unwrapped, not yet handed out
    private ByteBuffer netOut; // read mode: records wrapped, not yet sent
    private boolean begun;
    private boolean begunByPeer; // the client's first byte has been read (and was not plain text)
    private TlsInfo info; // set once the handshake is done
    private boolean inputEnded; // close_notify or EOF

    TlsWire(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize())
                .flip();
        this.netOut = ByteBuffer.allocate(packet).flip();
    }

    @Override
    public boolean handshake() throws IOException {
        if (info != null) {
            return flush(); // done: true once its last message is out too
        }
        if (!begun) {
            engine.beginHandshake(); // a client's first move is its ClientHello (NEED_WRAP)
            begun = true;
        }
        while (flush()) { // our own messages go out before we wait for the peer's
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(NOTHING);
                case NEED_TASK -> runTasks();
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrap()) {
                        if (inputEnded) {
                            throw new EOFException("the peer closed the connection during the TLS handshake");
                        }
                        return false; // the peer's next message is not all here yet
                    }
                }
                case NOT_HANDSHAKING, FINISHED -> {
                    info = TlsInfo.of(engine.getSession(), engine.getApplicationProtocol());
                    return flush();
                }
            }
        }
        return false; // the socket takes no more now: wait until it is writable
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = 0;
        while (dst.hasRemaining()) {
            if (appIn.hasRemaining()) {
                int k = Math.min(appIn.remaining(), dst.remaining());
                dst.put(appIn.slice(appIn.position(), k));
                appIn.position(appIn.position() + k);
                n += k;
            } else if (inputEnded || !unwrap()) {
                break; // nothing more now, or the end
            } else {
                answerPostHandshake();
            }
        }
        return n == 0 && inputEnded ? -1 : n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int taken = 0;
        while (src.hasRemaining() && flush()) {
            int n = wrap(src);
            if (n == 0) {
                break; // the engine sent a message of its own instead: flush it first
            }
            taken += n;
        }
        flush();
        return taken;
    }

    @Override
    public boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean buffered() {
        return appIn.hasRemaining() || netIn.position() > 0;
    }

    @Override
    public void shutdownOutput() throws IOException {
        closeOutbound();
        if (flush()) {
            channel.shutdownOutput(); // else the close_notify would be cut off: the close that follows ends it
        }
    }

    @Override
    public void close() {
        try {
            closeOutbound();
            flush(); // one try: a client that reads nothing does not hold the close up
        } catch (IOException ignored) {
            // the peer is gone already
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public TlsInfo tls() {
        return info;
    }

    // ---- the engine ------------------------------------------------------------------------------

    /**
     * Unwraps one record from {@code netIn} into {@code appIn}, reading the socket when a record
     * is not all here. False when nothing came of it: the socket has no more bytes now, or the
     * input ended ({@link #inputEnded}), or {@code appIn} must be emptied first.
     */
    private boolean unwrap() throws IOException {
        while (true) {
            SSLEngineResult r;
            netIn.flip();
            appIn.compact();
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
                appIn.flip();
            }
            switch (r.getStatus()) {
                case OK -> {
                    return true;
                }
                case CLOSED -> { // the peer's close_notify
                    inputEnded = true;
                    return false;
                }
                case BUFFER_OVERFLOW -> {
                    if (appIn.hasRemaining()) {
                        return false; // hand out what it holds first
                    }
                    appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize())
                            .flip();
                }
                case BUFFER_UNDERFLOW -> {
                    if (!netIn.hasRemaining()) { // a record larger than the buffer: the session says how large
                        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() + netIn.position())
                                .put(netIn.flip());
                    }
                    int n = channel.read(netIn);
                    if (info == null && !begunByPeer && netIn.position() > 0) {
                        begunByPeer = true; // the client's first byte: a TLS record, or plain text to answer in kind
                        if (PlainText.plain(netIn.get(0))) {
                            throw PlainText.answer(channel);
                        }
                    }
                    if (n < 0) {
                        inputEnded = true; // EOF without close_notify: the end all the same
                        return false;
                    }
                    if (n == 0) {
                        return false;
                    }
                }
            }
        }
    }

    /** Wraps plaintext (or, with nothing, a message of the engine's own) into {@code netOut}; returns the plaintext taken. */
    private int wrap(ByteBuffer src) throws IOException {
        while (true) {
            int before = src.remaining();
            SSLEngineResult r;
            netOut.compact();
            try {
                r = engine.wrap(src, netOut);
            } finally {
                netOut.flip();
            }
            switch (r.getStatus()) {
                case OK -> {
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    return before - src.remaining();
                }
                case CLOSED -> {
                    if (src.hasRemaining()) {
                        throw new SSLException("TLS output is closed");
                    }
                    return 0;
                }
                case BUFFER_OVERFLOW -> { // a record larger than netOut's room: grow it, keeping what waits
                    netOut = ByteBuffer.allocate(
                                    netOut.remaining() + engine.getSession().getPacketBufferSize())
                            .put(netOut)
                            .flip();
                }
                case BUFFER_UNDERFLOW -> throw new SSLException("unexpected BUFFER_UNDERFLOW from wrap");
            }
        }
    }

    /** After the handshake: a message the peer's one asks for (a TLS 1.3 key update), or a task. */
    private void answerPostHandshake() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    wrap(NOTHING);
                    flush();
                }
                case NEED_TASK -> runTasks();
                default -> {
                    return;
                }
            }
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run(); // on the loop: a handshake's CPU work, a few milliseconds at most
        }
    }

    /** Queues close_notify (once); a bounded number of wraps, whatever the engine answers. */
    private void closeOutbound() throws IOException {
        if (!engine.isOutboundDone()) {
            engine.closeOutbound();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                wrap(NOTHING);
            }
        }
    }
}
