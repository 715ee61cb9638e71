package org.echolab.models.eventloop;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;
import org.echolab.connection.CloseReason;
import org.echolab.connection.NonBlockingSession;
import org.echolab.connection.NonBlockingSession.Phase;
import org.echolab.connection.Transport;
import org.echolab.connection.Transport.Sent;
import org.echolab.process.Connections;
import org.echolab.service.Outgoing;
import org.echolab.tls.ServerTls;
import org.echolab.tls.Wire;

/**
 * One connection of an event loop: the transport of a {@link NonBlockingSession}, which decides
 * and times every step. This class only moves bytes between a non-blocking channel and the
 * session, asks the selector for the events the session waits for (OP_READ while it reads or
 * lingers, none while it works, OP_WRITE while the socket is full) and keeps its timers on the
 * loop's timer queue.
 *
 * <p><b>Threads:</b> made on the acceptor's thread, which admits it to the process's
 * {@link Connections} and hands it to its loop (a queued task, which publishes it safely); from
 * then on it runs only on its loop's thread, except the offloaded CPU work, which runs on a pool
 * thread and hands its result back with {@link Loop#execute}. The registry reads its client and
 * its owner, which never change, from any thread; the drain reaches it through its loop.
 *
 * <p><b>TLS</b> ({@code --tls}) is a {@link Wire} between the socket and the session: an
 * {@code SSLEngine} per connection, driven by the same readable and writable events, and the
 * session sees plaintext only. A handshake that fails or outlasts {@code --header-timeout}
 * closes the connection.
 */
final class LoopConnection implements Connections.Member, Transport {

    private static final System.Logger LOG = System.getLogger(LoopConnection.class.getName());

    private final Loop loop;
    private final SocketChannel channel;
    private Wire wire; // the channel itself, or TLS over it; null until the loop registers it
    private SelectionKey key; // null until the loop registers the channel
    private final Shared shared;
    private final String client;
    private final NonBlockingSession session;
    private ByteBuffer in; // unparsed bytes (read mode): the loop's buffer while reading, then our own; null when none

    /** On the acceptor's thread: a connection just accepted, for {@code loop}. */
    LoopConnection(Loop loop, SocketChannel channel, Shared shared) {
        this.loop = loop;
        this.channel = channel;
        this.shared = shared;
        InetSocketAddress peer = peerOf(channel);
        this.client = peer == null || peer.getAddress() == null
                ? "?"
                : peer.getAddress().getHostAddress();
        this.session = new NonBlockingSession(this, loop.sessions(), client, peer == null ? -1 : peer.getPort());
    }

    private static InetSocketAddress peerOf(SocketChannel channel) {
        try {
            return channel.getRemoteAddress() instanceof InetSocketAddress a ? a : null;
        } catch (IOException e) {
            return null;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /** On the loop: it has registered the channel with its selector, under {@code key}. */
    void registered(SelectionKey key) {
        this.key = key;
        this.wire = shared.tls() == null ? Wire.plain(channel) : shared.tls().wire(channel);
    }

    @Override
    public String client() {
        return client;
    }

    /** Its loop: the one thread that may close it. */
    @Override
    public Connections.Owner owner() {
        return loop;
    }

    void start() throws IOException {
        LOG.log(
                Level.DEBUG,
                "{0}: connection adopted by {1}",
                client,
                Thread.currentThread().getName());
        if (shared.tls() != null) {
            session.handshaking();
            handshake();
        } else {
            session.start();
        }
    }

    /** Takes the TLS handshake as far as the socket allows; once it is done, the conversation begins. */
    private void handshake() throws IOException {
        try {
            if (!wire.handshake()) {
                key.interestOps(SelectionKey.OP_READ | (wire.flush() ? 0 : SelectionKey.OP_WRITE));
                return;
            }
        } catch (SSLException | EOFException e) {
            ServerTls.handshakeFailed(client, e);
            session.close(CloseReason.TLS_FAILED);
            return;
        }
        session.secured(wire.tls());
    }

    // ---- events from the selector ------------------------------------------------------------

    void onReadable() throws IOException {
        if (session.phase() == Phase.HANDSHAKING) {
            handshake();
            return;
        }
        // read after bytes kept from before, if any; else into the loop's buffer, shared by all its connections
        ByteBuffer b = in != null ? in.compact() : loop.readBuffer().clear(); // to write mode
        int n;
        try {
            if (!b.hasRemaining()) {
                throw new IOException("read buffer full"); // the parsers' limits prevent this
            }
            n = wire.read(b);
        } finally {
            b.flip(); // back to read mode
        }
        in = b;
        if (n < 0) {
            session.endOfInput();
        } else if (session.dropsInput()) {
            in = null; // the last answer is out: what the client still sends is dropped
        } else if (n > 0) {
            session.received();
        } else {
            settleInput();
        }
    }

    void onWritable() throws IOException {
        if (session.phase() == Phase.HANDSHAKING) {
            handshake();
        } else {
            session.writable();
        }
    }

    void fail(Exception e) {
        session.fail(e);
    }

    // ---- the session's transport -------------------------------------------------------------

    @Override
    public ByteBuffer input() {
        return in;
    }

    @Override
    public void consumed(int n) {
        // the conversation moved the buffer's position itself
    }

    /**
     * The loop's read buffer is lent only while this connection's bytes are being parsed: bytes
     * left unparsed (pipelined requests, a protocol not yet told apart) move to a buffer of the
     * connection's own, which goes once they are parsed. An idle connection holds no buffer.
     */
    @Override
    public void settleInput() {
        if (in == null) {
            return;
        }
        if (!in.hasRemaining()) {
            in = null;
        } else if (in == loop.readBuffer()) {
            in = ByteBuffer.allocate(in.capacity()).put(in).flip();
        }
    }

    @Override
    public void dropInput() {
        in = null;
    }

    @Override
    public void awaitInput() {
        key.interestOps(SelectionKey.OP_READ);
        if (wire.buffered()) {
            loop.execute(this::readBuffered); // TLS input already off the socket: the selector will not announce it
        }
    }

    private void readBuffered() {
        if (session.phase() == Phase.READING) {
            try {
                onReadable();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
    }

    @Override
    public void pauseInput() {
        key.interestOps(0);
    }

    /** A request the client sent before the stop may wait in the socket: read it, and it is served. */
    @Override
    public void readWaiting() {
        try {
            onReadable();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** Writes what the socket takes (TLS records too); when it is full, waits for OP_WRITE. */
    @Override
    public Sent send(Outgoing out) throws IOException {
        for (ByteBuffer s; (s = out.slice()) != null || !wire.flush(); ) {
            int n = s == null ? 0 : wire.write(s);
            if (s == null || s.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return n > 0 ? Sent.SOME : Sent.NONE;
            }
        }
        return Sent.ALL;
    }

    @Override
    public long unsent() {
        return 0; // what the socket did not take stays in the Outgoing
    }

    @Override
    public void resetOnClose() throws IOException {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
    }

    @Override
    public boolean shutdownOutput() {
        try {
            wire.shutdownOutput(); // TLS: close_notify first
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Timer schedule(long at, Runnable action) {
        return loop.schedule(at, action);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    // ---- closing -----------------------------------------------------------------------------

    /** Drain step, on the loop: closes the connection only if it sits between requests. */
    @Override
    public void closeIfIdle() {
        session.closeIfIdle();
    }

    /** Shutdown's last step, on the loop; true if a request was in flight. */
    boolean forceClose() {
        return session.forceClose();
    }

    /** The registry's move for a member without an owner; this one's loop closes it ({@link Loop#closeAll}). */
    @Override
    public void closeNow() {
        forceClose();
    }

    /** Closes for good (idempotent): abandons a reply in progress and leaves the registry, which gives its slot back. */
    void close(CloseReason why) {
        session.close(why);
    }

    @Override
    public void closed(CloseReason why, boolean heldUnanswered) {
        if (key != null) {
            key.cancel();
        }
        loop.closed(this);
        if (wire != null) {
            wire.close(); // TLS: close_notify, one try
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        shared.connections().closed(this, why.cause(), why.words(), heldUnanswered);
    }
}
