package org.echolab.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Transport.Sent;
import org.echolab.process.Connections;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.service.Outgoing;
import org.echolab.service.Reply;
import org.echolab.tls.ServerTls;
import org.echolab.tls.TlsInfo;

/**
 * The session every non-blocking model runs for one connection: {@link BlockingSession}'s
 * read-wait-echo turned inside out into a state machine that its {@link Transport} drives with
 * events (bytes arrived, the socket takes more, the client ended its input, a timer, finished
 * offloaded work). What to do at each step is the {@link Conversation}'s decision and how long
 * each step may take the {@link Deadlines}'; the transport only moves bytes and keeps timers, so
 * the hand-written event loop and Netty differ in nothing else.
 *
 * <p><b>Threads:</b> not thread-safe: it runs on its transport's loop thread only. Offloaded CPU
 * work runs on a pool thread and comes back through {@link Transport#execute}.
 *
 * <p><b>Phases</b> (one request in progress at a time, so pipelined answers keep their order):
 * <pre>
 *   [HANDSHAKING --done-->] READING --request parsed--> WORKING --wait over / work done--> WRITING --all written--> READING
 *      |                          (reading paused: later pipelined       |  (reading paused while
 *      |                           bytes wait unread)                    |   the socket is full)
 *      |                                                                 +--a refusal----> LINGERING
 *      +---- EOF, timeout, drain ----> CLOSED <------- client closed, or LINGER over ------------+
 * </pre>
 * Reading stays paused until the response is fully written: that is the backpressure. A client
 * that never reads fills its socket, the server stops reading its requests, and what the server
 * holds for it is one response at most, for {@code --write-timeout} at most.
 */
public final class NonBlockingSession {

    private static final System.Logger LOG = System.getLogger(NonBlockingSession.class.getName());

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    public enum Phase {
        HANDSHAKING,
        READING,
        WORKING,
        WRITING,
        LINGERING,
        CLOSED
    }

    /** What a model's sessions share; {@code offload} null: CPU work runs on the loop; {@code queued}: the gauge of reply bytes held. */
    public record Context(
            ServerConfig config,
            EchoService service,
            Resources process,
            Connections connections,
            Executor offload,
            LongConsumer queued) {}

    private final Transport transport;
    private final Context context;
    private final Conversation conversation;
    private final String client;

    private Phase phase = Phase.READING;
    private boolean answering; // an Answer's reply is pending or being written
    private Reply replying; // that reply, once its writing began: its later pieces and its cut
    private int piecesSent; // of replying.later()
    private Outgoing out; // being written
    private boolean closeAfterWrite;
    private boolean lingerAfterWrite; // a refusal or a timeout: the client may still be sending
    private long held; // this connection's share of the queued-bytes gauge
    private CloseReason why; // why it ends, counted and in the -v line of its close; the first reason wins
    private final DeadlineTimer deadline;

    /** {@code client}: the peer's address; {@code port}: its port (-1 if unknown). */
    public NonBlockingSession(Transport transport, Context context, String client, int port) {
        this.transport = transport;
        this.context = context;
        this.client = client;
        this.conversation = new Conversation(context.config(), context.service(), context.process(), client, port);
        this.deadline = new DeadlineTimer(transport, new Deadlines(context.config()), this::expired);
    }

    public Phase phase() {
        return phase;
    }

    /** The connection is open and plain: the first read, whose header timeout runs from now. */
    public void start() throws IOException {
        process();
    }

    /** The connection is open and its TLS handshake begins: the header timeout covers it. */
    public void handshaking() {
        phase = Phase.HANDSHAKING;
        deadline.start(Deadlines.Kind.HEADER);
    }

    /** The TLS handshake is done: the conversation begins. */
    public void secured(TlsInfo info) throws IOException {
        conversation.secured(info);
        phase = Phase.READING;
        deadline.clear();
        process();
    }

    /** Bytes arrived in the transport's input: parsed at once while reading, else they wait. */
    public void received() throws IOException {
        if (phase == Phase.READING) {
            process();
        }
    }

    /** Whether bytes that arrive now are dropped: the last answer is out, or the connection closed. */
    public boolean dropsInput() {
        return phase == Phase.LINGERING || phase == Phase.CLOSED;
    }

    /** The client ended its input: a last TCP line is answered, else the connection closes; a busy session hears of it later. */
    public void endOfInput() throws IOException {
        if (phase == Phase.READING && conversation.endOfInput(input()) instanceof Conversation.Answer last) {
            transport.dropInput();
            begin(last.reply()); // echoed, then the close
            return;
        }
        if (phase == Phase.HANDSHAKING) {
            close(CloseReason.TLS_FAILED);
        } else if (phase == Phase.READING || phase == Phase.LINGERING) {
            close(CloseReason.clientClosed(phase == Phase.READING && midRequest()));
        }
    }

    /** The socket takes more: the response in progress goes on. */
    public void writable() throws IOException {
        if (phase == Phase.WRITING && flush()) {
            process();
        }
    }

    /** Bytes handed to the transport reached the socket: progress, for the write timeout. */
    public void wrote() throws IOException {
        if (phase == Phase.WRITING) {
            deadline.start(Deadlines.Kind.WRITE);
            writable();
        }
    }

    /** The connection failed (an I/O error, or a bug): it closes. */
    public void fail(Throwable e) {
        if (e instanceof IOException) {
            LOG.log(Level.DEBUG, "connection from {0} ended: {1}", client, e.toString());
        } else {
            LOG.log(Level.ERROR, "connection from " + client + " failed; closing it", e);
        }
        close(CloseReason.failure(e));
    }

    /** The wait of a {@code work=sleep} request is over, or offloaded {@code work=cpu} finished. */
    private void workOver() {
        if (phase == Phase.WORKING) {
            goOn(this::writeReply);
        }
    }

    private interface Move {
        boolean run() throws IOException; // true: the conversation may go on at once
    }

    /** A move on a timer or a task (no caller to tell): the conversation goes on if it may; an I/O error ends it. */
    private void goOn(Move move) {
        try {
            if (move.run()) {
                process();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Parses and answers buffered requests until one has to wait: for bytes, a timer, the pool or the socket. */
    private void process() throws IOException {
        try {
            boolean more = true;
            while (more && phase != Phase.CLOSED) {
                more = step();
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            transport.settleInput();
        }
    }

    private ByteBuffer input() {
        ByteBuffer in = transport.input();
        return in != null ? in : NOTHING;
    }

    /** One step of the conversation and what follows it. True when the next step may follow at once. */
    private boolean step() throws IOException {
        ByteBuffer in = input();
        int start = in.position();
        Conversation.Step next = conversation.next(in, context.connections().draining());
        if (in != NOTHING) {
            transport.consumed(in.position() - start);
        }
        return switch (next) {
            case Conversation.Read r -> awaitRequest(r);
            case Conversation.Write w -> refuse(w.bytes(), w.close());
            case Conversation.Answer a -> begin(a.reply());
        };
    }

    /** Back to reading, within the deadline the read's kind gives (header, body or idle). Always false. */
    private boolean awaitRequest(Conversation.Read r) {
        phase = Phase.READING;
        long now = System.nanoTime();
        if (r.kind() == Deadlines.Kind.IDLE && context.connections().draining()) {
            // draining, between requests: a request sent just before the stop may still be on its
            // way (loopback lags on a busy machine), and is served if it comes within QUIET
            deadline.set(now + Connections.QUIET.toNanos(), Deadlines.Kind.IDLE);
        } else {
            deadline.read(r, now);
        }
        transport.awaitInput();
        return false;
    }

    /**
     * A request is parsed: pause reading, then wait as the reply says ({@link LoopWork}). A full
     * {@code --offload} queue refuses the request instead of blocking the loop with it.
     */
    private boolean begin(Reply r) throws IOException {
        answering = true;
        phase = Phase.WORKING;
        transport.pauseInput();
        deadline.clear();
        hold(r.bytes().length);
        return switch (LoopWork.start(r, transport, context.offload(), this::workOver)) {
            case DONE -> writeReply();
            case LATER -> false;
            case INTERRUPTED -> {
                close(CloseReason.FORCED);
                yield false;
            }
            case POOL_FULL -> {
                conversation.replied(false);
                answering = false;
                LOG.log(Level.DEBUG, "{0}: --offload queue full; refusing", client);
                yield refuse(conversation.busy("the --offload pool's queue is full; retry later"), true);
            }
        };
    }

    /** Writes what the conversation says at once (a 100 Continue, a refusal); after a refusal the connection lingers. */
    private boolean refuse(byte[] bytes, boolean close) throws IOException {
        if (close) {
            why(CloseReason.refused(bytes));
        }
        return write(new Outgoing(bytes, 0), close, close);
    }

    /** Writes the reply in progress; true when it went out in full and the connection goes on. */
    private boolean writeReply() throws IOException {
        replying =
                conversation.reply(context.connections().draining()); // the last one if the drain began during the wait
        piecesSent = 0;
        return write(replying.outgoing(), replying.close(), false);
    }

    /** The interval of a dripped body is over: its next chunk goes out. */
    private void nextPiece() {
        if (phase != Phase.WORKING || replying == null) {
            return; // closed meanwhile
        }
        goOn(() -> write(new Outgoing(replying.later().get(piecesSent++), 0), replying.close(), false));
    }

    /** Starts writing {@code o}; true when it went out in full and the connection goes on; else maybe then closes (lingers). */
    private boolean write(Outgoing o, boolean thenClose, boolean linger) throws IOException {
        phase = Phase.WRITING;
        out = o;
        closeAfterWrite = thenClose;
        lingerAfterWrite = linger;
        transport.pauseInput(); // reading stays paused until the response is out
        deadline.clear();
        hold(o.remaining());
        return flush();
    }

    /** Writes what the socket takes. True when all is written and the connection goes on. */
    private boolean flush() throws IOException {
        // kept here: a write that fails inside send (Netty's future) closes the session, which sets out to null
        Outgoing o = out;
        long before = o.remaining();
        Sent sent = transport.send(o);
        if (phase != Phase.WRITING) {
            return false; // a write failed and closed the connection
        }
        if (o.remaining() < before) {
            conversation.sent(); // the transport took bytes of it: the answer is on its way
        }
        hold(o.remaining() + transport.unsent());
        if (sent != Sent.ALL) {
            // the client's socket is full: wait, for --write-timeout since the last progress
            if (sent == Sent.SOME || !deadline.isSet()) {
                deadline.start(Deadlines.Kind.WRITE);
            }
            return false;
        }
        return allWritten();
    }

    /** All of {@link #out} is on the socket: next the drip's next piece, the close, or the next request. */
    private boolean allWritten() throws IOException {
        out = null;
        deadline.clear();
        hold(0);
        if (answering && replying != null && piecesSent < replying.later().size()) {
            phase = Phase.WORKING; // drip: the next chunk after the interval, on a timer as a wait is
            transport.schedule(System.nanoTime() + replying.interval().toNanos(), this::nextPiece);
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
                    transport.resetOnClose();
                }
                close(CloseReason.answered(replying, context.connections().draining()));
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
        phase = Phase.LINGERING;
        transport.dropInput();
        if (!transport.shutdownOutput()) {
            close(CloseReason.OUTPUT_WOULD_NOT_SHUT);
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        deadline.start(Deadlines.Kind.LINGER);
        transport.awaitInput();
    }

    /** The deadline of the step in progress passed (never after the close, which cancels the timer). */
    private void expired(Deadlines.Kind kind) {
        if (phase == Phase.HANDSHAKING) {
            ServerTls.handshakeTimedOut(client);
            close(CloseReason.timeout(Deadlines.Kind.HEADER));
            return;
        }
        boolean drained = kind == Deadlines.Kind.IDLE && context.connections().draining();
        why(drained ? CloseReason.DRAINED_IDLE : CloseReason.timeout(kind));
        switch (kind) {
            case HEADER, BODY -> {
                byte[] why = conversation.timedOut();
                if (why == null) {
                    close(); // nothing came: close quietly
                } else {
                    goOn(() -> write(new Outgoing(why, 0), true, true));
                }
            }
            case IDLE, LINGER, WRITE -> close(); // the -v line of the close says which
        }
    }

    /** Whether a request has begun and not been answered. */
    public boolean midRequest() {
        return conversation.midRequest(transport.input());
    }

    /**
     * The drain's step: closes the connection only if it sits between requests, after reading
     * what may wait in the socket: a request the client sent before the stop is served.
     */
    public void closeIfIdle() {
        if (phase == Phase.LINGERING || phase == Phase.HANDSHAKING) {
            close(CloseReason.DRAINED_IDLE);
            return;
        }
        if (phase != Phase.READING || midRequest()) {
            return;
        }
        transport.readWaiting();
        if (phase == Phase.READING && !midRequest()) {
            close(CloseReason.DRAINED_IDLE);
        }
    }

    /** Shutdown's last step; true if a request was in flight. */
    public boolean forceClose() {
        boolean inFlight = phase == Phase.WORKING || phase == Phase.WRITING || (phase == Phase.READING && midRequest());
        close(CloseReason.FORCED);
        return inFlight;
    }

    /** Closes for {@code reason}, unless an earlier one stands, and for good (idempotent). */
    public void close(CloseReason reason) {
        why(reason);
        close();
    }

    /** Abandons a reply in progress and lets the transport give the slot back. */
    private void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        deadline.cancel();
        boolean unanswered = conversation.holdsUnanswered(); // asked before the end abandons the answer
        conversation.end(); // abandons an answer in progress, gives back what it held
        answering = false;
        replying = null;
        hold(0);
        out = null;
        transport.dropInput();
        transport.closed(why == null ? CloseReason.UNSAID : why, unanswered);
    }

    /** Why the connection ends (a timeout, a refusal, a fault): counted, and in the log line of its close; the first reason given wins. */
    private void why(CloseReason reason) {
        if (why == null) {
            why = reason;
        }
    }

    private void hold(long bytes) {
        context.queued().accept(bytes - held);
        held = bytes;
    }
}
