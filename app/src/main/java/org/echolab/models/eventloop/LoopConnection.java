package org.echolab.models.eventloop;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Conversation;
import org.echolab.connection.Deadlines;
import org.echolab.process.Connections;
import org.echolab.service.CpuBurner;
import org.echolab.service.Outgoing;
import org.echolab.service.Reply;
import org.echolab.service.Work;
import org.echolab.tls.ServerTls;
import org.echolab.tls.Wire;

/**
 * One connection of an event loop: the blocking session's read-wait-echo turned inside out into
 * a state machine that the loop drives with events (readable, writable, a timer, finished
 * offloaded work). What to do at each step is the same {@link Conversation} every model runs, and
 * how long each step may take the same {@link Deadlines}; only the reading, waiting and writing
 * differ.
 *
 * <p><b>Threads:</b> made on the acceptor's thread, which admits it to the process's
 * {@link Connections} and hands it to its loop (a queued task, which publishes it safely); from
 * then on it runs only on its loop's thread, except the offloaded CPU work, which runs on a pool
 * thread and hands its result back with {@link Loop#execute}. The registry reads its client and
 * its owner, which never change, from any thread; the drain reaches it through its loop.
 *
 * <p><b>TLS</b> ({@code --tls}) is a {@link Wire} between the socket and the connection: an
 * {@code SSLEngine} per connection, driven by the same readable and writable events, and the
 * conversation sees plaintext only. The connection begins in HANDSHAKING until the handshake is
 * done; a handshake that fails or outlasts {@code --header-timeout} closes the connection.
 *
 * <p><b>Phases</b> (one request in progress at a time, so pipelined answers keep their order):
 * <pre>
 *   [HANDSHAKING --done-->] READING --request parsed--> WORKING --wait over / work done--> WRITING --all written--> READING
 *      |                          (reading paused: later pipelined       |  (reading paused; OP_WRITE
 *      |                           bytes stay in the buffer and          |   while the socket is full)
 *      |                           wait there)                           +--a refusal----> LINGERING
 *      +---- EOF, timeout, drain ----> CLOSED <------- client closed, or LINGER over ------------+
 * </pre>
 * Reading stays paused until the response is fully written: that is the backpressure. A client
 * that never reads fills its socket, the server stops reading its requests, and what the server
 * holds for it is one response at most, for {@code --write-timeout} at most.
 */
final class LoopConnection implements Connections.Member {

    private static final System.Logger LOG = System.getLogger(LoopConnection.class.getName());

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private enum Phase {
        HANDSHAKING,
        READING,
        WORKING,
        WRITING,
        LINGERING,
        CLOSED
    }

    private final Loop loop;
    private final SocketChannel channel;
    private Wire wire; // the channel itself, or TLS over it; null until the loop registers it
    private SelectionKey key; // null until the loop registers the channel
    private final Shared shared;
    private final String client;
    private final Conversation conversation;
    private final Deadlines deadlines;
    private ByteBuffer in; // unparsed bytes (read mode): the loop's buffer while reading, then our own; null when none

    private Phase phase = Phase.READING;
    private boolean answering; // an Answer's reply is pending or being written
    private Reply replying; // that reply, once its writing began: its later pieces and its cut
    private int piecesSent; // of replying.later()
    private Outgoing out; // being written
    private boolean closeAfterWrite;
    private boolean lingerAfterWrite; // a refusal or a timeout: the client may still be sending
    private long held; // this connection's share of the bytesQueued gauge
    private long deadline; // nanoTime; 0: none (working)
    private Deadlines.Kind deadlineKind;
    private long timerAt; // deadline of the timer queued on the loop; 0: none

    /** On the acceptor's thread: a connection just accepted, for {@code loop}. */
    LoopConnection(Loop loop, SocketChannel channel, Shared shared) {
        this.loop = loop;
        this.channel = channel;
        this.shared = shared;
        InetSocketAddress peer = peerOf(channel);
        this.client = peer == null || peer.getAddress() == null
                ? "?"
                : peer.getAddress().getHostAddress();
        ServerConfig config = shared.config();
        this.conversation = new Conversation(
                config, shared.service(), shared.process(), client, peer == null ? -1 : peer.getPort());
        this.deadlines = new Deadlines(config);
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
            phase = Phase.HANDSHAKING; // the header timeout covers the handshake
            setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.HEADER), Deadlines.Kind.HEADER);
            handshake();
        } else {
            process(); // the first Read: the header timeout runs from now
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
            close();
            return;
        }
        conversation.secured(wire.tls());
        phase = Phase.READING;
        deadline = 0;
        process();
    }

    // ---- events ------------------------------------------------------------------------------

    void onReadable() throws IOException {
        if (phase == Phase.HANDSHAKING) {
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
        if (phase == Phase.LINGERING) { // the last answer is out: what the client still sends is dropped
            in = null;
            if (n < 0) {
                close();
            }
            return;
        }
        if (n < 0) {
            if (phase == Phase.READING && conversation.endOfInput(in) instanceof Conversation.Answer last) {
                in = null;
                begin(last.reply()); // a last TCP line without its newline: echoed, then the close
                return;
            }
            if (midRequest()) {
                LOG.log(Level.DEBUG, "{0} closed the connection in the middle of a request", client);
            }
            close();
            return;
        }
        if (n > 0) {
            process();
        } else {
            keepUnparsed();
        }
    }

    void onWritable() throws IOException {
        if (phase == Phase.HANDSHAKING) {
            handshake();
        } else if (flush()) {
            process();
        }
    }

    /** The wait timer of a {@code work=sleep} request went off. */
    private void waitOver() {
        if (phase == Phase.WORKING) {
            writeReplyThenGoOn();
        }
    }

    /** Offloaded {@code work=cpu} finished; runs on the loop, posted by the pool thread. */
    private void workDone() {
        if (phase == Phase.WORKING) {
            writeReplyThenGoOn();
        }
    }

    private void writeReplyThenGoOn() {
        try {
            if (writeReply()) {
                process();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    void fail(Exception e) {
        if (e instanceof IOException) {
            LOG.log(Level.DEBUG, "connection from {0} ended: {1}", client, e.toString());
        } else {
            LOG.log(Level.ERROR, "connection from " + client + " failed; closing it", e);
        }
        close();
    }

    // ---- reading and answering ---------------------------------------------------------------

    /** Parses and answers buffered requests until one has to wait: for bytes, a timer, the pool or the socket. */
    private void process() throws IOException {
        try {
            boolean more = true;
            while (more && phase != Phase.CLOSED) {
                more = step();
            }
        } finally {
            keepUnparsed();
        }
    }

    /**
     * The loop's read buffer is lent only while this connection's bytes are being parsed: bytes
     * left unparsed (pipelined requests, a protocol not yet told apart) move to a buffer of the
     * connection's own, which goes once they are parsed. An idle connection holds no buffer.
     */
    private void keepUnparsed() {
        if (in == null) {
            return;
        }
        if (phase == Phase.CLOSED || !in.hasRemaining()) {
            in = null;
        } else if (in == loop.readBuffer()) {
            in = ByteBuffer.allocate(in.capacity()).put(in).flip();
        }
    }

    /** One step of the conversation and what follows it. True when the next step may follow at once. */
    private boolean step() throws IOException {
        return switch (conversation.next(
                in != null ? in : NOTHING, shared.connections().draining())) {
            case Conversation.Read r -> awaitRequest(r);
            case Conversation.Write w -> write(new Outgoing(w.bytes(), 0), w.close(), w.close());
            case Conversation.Answer a -> begin(a.reply());
        };
    }

    /** Back to reading, within the deadline the read's kind gives (header, body or idle). Always false. */
    private boolean awaitRequest(Conversation.Read r) {
        phase = Phase.READING;
        long now = System.nanoTime();
        if (r.kind() == Deadlines.Kind.IDLE && shared.connections().draining()) {
            // between requests while draining: nothing in flight to finish. A request the client
            // sent just before the stop may still be on its way (loopback delivery lags on a busy
            // machine): it is served if it comes within Connections.QUIET, as the drain waits; else
            // the idle deadline closes the connection quietly
            setDeadline(now + Connections.QUIET.toNanos(), Deadlines.Kind.IDLE);
        } else {
            setDeadline(deadlines.read(r, now), r.kind());
        }
        key.interestOps(SelectionKey.OP_READ);
        if (wire.buffered()) {
            loop.execute(this::readBuffered); // TLS input already off the socket: the selector will not announce it
        }
        return false;
    }

    private void readBuffered() {
        if (phase == Phase.READING) {
            try {
                onReadable();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
    }

    /**
     * A request is parsed: pause reading, then wait as the reply says. A sleep is a timer on the
     * loop (no thread waits); CPU work goes to the {@code --offload} pool, or, without it, runs
     * right here and blocks the loop.
     */
    private boolean begin(Reply r) throws IOException {
        answering = true;
        phase = Phase.WORKING;
        key.interestOps(0);
        deadline = 0;
        hold(r.bytes().length);
        Duration d = r.delay();
        if (d.isZero() || d.isNegative()) {
            return writeReply();
        }
        if (r.work() == Work.SLEEP) {
            loop.schedule(System.nanoTime() + d.toNanos(), this::waitOver);
            return false;
        }
        if (shared.offload() == null) {
            try {
                CpuBurner.burn(d); // on the loop: every other connection of this loop waits meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the loop is being shut down: abandon the work
                close();
                return false;
            }
            return writeReply();
        }
        return offload(d);
    }

    private boolean offload(Duration d) throws IOException {
        try {
            shared.offload().execute(() -> {
                try {
                    CpuBurner.burn(d);
                } catch (InterruptedException e) {
                    return; // the pool is shut down: the loop closes the connection
                }
                loop.execute(this::workDone); // back to the loop, which alone touches this connection
            });
            return false;
        } catch (RejectedExecutionException e) {
            // the pool's queue is full: refuse this request instead of blocking the loop with it
            conversation.replied(false);
            answering = false;
            LOG.log(Level.DEBUG, "{0}: --offload queue full; refusing", client);
            return write(
                    new Outgoing(conversation.busy("the --offload pool's queue is full; retry later"), 0), true, true);
        }
    }

    // ---- writing -----------------------------------------------------------------------------

    /** Writes the reply in progress; true when it went out in full and the connection goes on. */
    private boolean writeReply() throws IOException {
        replying =
                conversation.reply(shared.connections().draining()); // the last one if the drain began during the wait
        piecesSent = 0;
        return write(replying.outgoing(), replying.close(), false);
    }

    /** The interval of a dripped body is over: its next chunk goes out (the timer that {@link #flush} set). */
    private void nextPiece() {
        if (phase != Phase.WORKING || replying == null) {
            return; // closed meanwhile
        }
        try {
            if (write(new Outgoing(replying.later().get(piecesSent++), 0), replying.close(), false)) {
                process();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /**
     * Starts writing {@code o}; true when it went out in full and the connection goes on. Then
     * {@code thenClose}: close, carefully ({@code linger}) after a refusal or a timeout.
     */
    private boolean write(Outgoing o, boolean thenClose, boolean linger) throws IOException {
        phase = Phase.WRITING;
        out = o;
        closeAfterWrite = thenClose;
        lingerAfterWrite = linger;
        key.interestOps(0); // reading stays paused until the response is out
        deadline = 0;
        hold(o.remaining());
        return flush();
    }

    /** Writes what the socket takes. True when all is written (TLS records too) and the connection goes on. */
    private boolean flush() throws IOException {
        for (ByteBuffer s; (s = out.slice()) != null || !wire.flush(); ) {
            int n = s == null ? 0 : wire.write(s);
            hold(out.remaining());
            if (s == null || s.hasRemaining()) {
                // the client's socket is full: wait for OP_WRITE, for --write-timeout since the last progress
                if (n > 0 || deadline == 0) {
                    setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.WRITE), Deadlines.Kind.WRITE);
                }
                key.interestOps(SelectionKey.OP_WRITE);
                return false;
            }
        }
        out = null;
        deadline = 0;
        hold(0);
        if (answering && replying != null && piecesSent < replying.later().size()) {
            phase = Phase.WORKING; // drip: the next chunk after the interval, on a timer as a wait is
            loop.schedule(System.nanoTime() + replying.interval().toNanos(), this::nextPiece);
            return false;
        }
        if (answering) {
            answering = false;
            conversation.replied(true);
        }
        if (closeAfterWrite) {
            if (lingerAfterWrite) {
                linger();
            } else {
                if (replying != null && replying.cut().reset()) {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0); // the close sends RST
                }
                close();
            }
            return false;
        }
        replying = null;
        return true;
    }

    /**
     * A refusal or a timeout answer is out: half-close, and drop what the client still sends
     * until it closes or {@link Deadlines#LINGER} passes, so that unread input cannot reset the
     * connection under the answer (RFC 9112 9.6).
     */
    private void linger() {
        try {
            wire.shutdownOutput(); // TLS: close_notify first
        } catch (IOException e) {
            close();
            return;
        }
        phase = Phase.LINGERING;
        in = null;
        setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.LINGER), Deadlines.Kind.LINGER);
        key.interestOps(SelectionKey.OP_READ);
    }

    // ---- deadlines ---------------------------------------------------------------------------

    /**
     * Sets the connection's one deadline. The loop's timer queue holds at most one live timer for
     * it: a later deadline reuses the queued timer (it re-arms itself when it fires early), an
     * earlier one queues a new timer and the old one, superseded, does nothing when it fires.
     */
    private void setDeadline(long at, Deadlines.Kind kind) {
        deadline = at;
        deadlineKind = kind;
        if (timerAt == 0 || at - timerAt < 0) {
            armTimer(at);
        }
    }

    private void armTimer(long at) {
        timerAt = at;
        loop.schedule(at, () -> timerFired(at));
    }

    private void timerFired(long at) {
        if (phase == Phase.CLOSED || at != timerAt) {
            return; // closed, or superseded by an earlier timer
        }
        timerAt = 0;
        if (deadline == 0) {
            return; // working: no deadline until reading or writing again
        }
        if (deadline - System.nanoTime() > 0) {
            armTimer(deadline); // the deadline moved on since this timer was queued
            return;
        }
        if (phase == Phase.HANDSHAKING) {
            ServerTls.handshakeTimedOut(client);
            close();
            return;
        }
        switch (deadlineKind) {
            case HEADER, BODY -> {
                byte[] why = conversation.timedOut();
                if (why == null) {
                    close(); // nothing came: close quietly
                } else {
                    try {
                        write(new Outgoing(why, 0), true, true);
                    } catch (IOException e) {
                        fail(e);
                    }
                }
            }
            case IDLE, LINGER -> close();
            case WRITE -> {
                LOG.log(Level.DEBUG, "{0}: read nothing of its response for --write-timeout; closing", client);
                close();
            }
        }
    }

    // ---- closing -----------------------------------------------------------------------------

    private boolean midRequest() {
        return conversation.midRequest(in);
    }

    /**
     * Drain step, on the loop: closes the connection only if it sits between requests. It reads
     * first: a request the client sent before the stop may be waiting in the socket, and is served.
     */
    @Override
    public void closeIfIdle() {
        if (phase != Phase.READING || midRequest()) {
            if (phase == Phase.LINGERING || phase == Phase.HANDSHAKING) {
                close();
            }
            return;
        }
        try {
            onReadable();
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        if (phase == Phase.READING && !midRequest()) {
            close();
        }
    }

    /** Shutdown's last step, on the loop; true if a request was in flight. */
    boolean forceClose() {
        boolean inFlight = phase == Phase.WORKING || phase == Phase.WRITING || (phase == Phase.READING && midRequest());
        close();
        return inFlight;
    }

    /** The registry's move for a member without an owner; this one's loop closes it ({@link Loop#closeAll}). */
    @Override
    public void closeNow() {
        forceClose();
    }

    /** Closes for good (idempotent): abandons a reply in progress and leaves the registry, which gives its slot back. */
    void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        if (key != null) {
            key.cancel();
        }
        conversation.end(); // abandons an answer in progress, gives back what it held
        answering = false;
        replying = null;
        hold(0);
        out = null;
        in = null;
        loop.closed(this);
        if (wire != null) {
            wire.close(); // TLS: close_notify, one try
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        shared.connections().closed(this, "closed");
    }

    private void hold(long bytes) {
        shared.bytesQueued().add(bytes - held);
        held = bytes;
    }
}
