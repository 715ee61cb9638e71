package org.echolab.models.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.echolab.connection.Conversation;
import org.echolab.connection.Deadlines;
import org.echolab.process.Connections;
import org.echolab.process.Refusals;
import org.echolab.service.CpuBurner;
import org.echolab.service.Outgoing;
import org.echolab.service.Reply;
import org.echolab.service.Work;
import org.echolab.tls.ServerTls;

/**
 * One connection of a Netty server: the event loop's state machine ({@code LoopConnection}) as
 * the last handler of a Netty pipeline. The {@link Conversation} decides and {@link Deadlines}
 * time it, as under every model; Netty reads (a {@code channelRead} per read), writes (its
 * outbound buffer, announced by {@code channelWritabilityChanged} and write futures) and keeps
 * the timers ({@code eventLoop().schedule}).
 *
 * <p><b>Threads:</b> runs only on its channel's event loop, except offloaded CPU work, which runs
 * on a pool thread and hands its result back with {@code eventLoop().execute}.
 *
 * <p><b>Pipeline:</b> this handler alone; with {@code --tls}, first a {@link PlainTextCheck} (a
 * plain {@code http://} request gets a readable 400) and Netty's {@link SslHandler} over the JDK's
 * engine, and this handler sees plaintext only.
 *
 * <p><b>Phases</b> (one request at a time, so pipelined answers keep their order):
 * <pre>
 *   [HANDSHAKING --done-->] READING --request parsed--> WORKING --wait over / work done--> WRITING --all written--> READING
 *                               (reading paused: later pipelined bytes wait here)    +--a refusal--> LINGERING
 *      EOF, timeout, drain ----> CLOSED <------------- client closed, or LINGER over ------------------+
 * </pre>
 * Reading is paused (auto-read off) while a request is worked on or written, as the hand-written
 * loop stops asking for OP_READ: a client that never reads holds one response at most. The pause
 * is taken only when the handler gives the loop back mid-request, so a request answered at once
 * costs no {@code epoll_ctl}.
 */
public final class NettyConnection extends ChannelInboundHandlerAdapter implements Connections.Member {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private enum Phase {
        HANDSHAKING,
        READING,
        WORKING,
        WRITING,
        LINGERING,
        CLOSED
    }

    private final Shared shared;
    private final String client;
    private final Conversation conversation;
    private final Deadlines deadlines;
    private Channel channel;
    private ByteBuf in; // bytes read and not yet parsed; null when none
    private boolean inputEnded; // the client shut its side: seen at the next READING

    private Phase phase = Phase.READING;
    private boolean answering; // an Answer's reply is pending or being written
    private Reply replying; // that reply, once its writing began: its later pieces and its cut
    private int piecesSent; // of replying.later()
    private Outgoing out; // being written
    private long queued; // bytes handed to Netty, not yet on the socket
    private boolean flushing; // inside flush(): write futures completing there must not re-enter it
    private boolean closeAfterWrite;
    private boolean lingerAfterWrite; // a refusal or a timeout: the client may still be sending
    private long held; // this connection's share of the bytesQueued gauge
    private long deadline; // nanoTime; 0: none (working)
    private Deadlines.Kind deadlineKind;
    private ScheduledFuture<?> timer; // the one deadline timer, due at timerAt; null: none
    private long timerAt;

    private NettyConnection(Shared shared, String client, int port) {
        this.shared = shared;
        this.client = client;
        this.conversation = new Conversation(shared.config, shared.service, shared.process, client, port);
        this.deadlines = new Deadlines(shared.config);
    }

    /**
     * What each accepted channel gets, on its loop: a 503 if its address holds
     * {@code --max-per-client} already; else (TLS and) a connection.
     */
    public static ChannelInitializer<Channel> initializer(Shared shared) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                InetSocketAddress peer = ch.remoteAddress() instanceof InetSocketAddress a ? a : null;
                String client = peer == null || peer.getAddress() == null
                        ? "?"
                        : peer.getAddress().getHostAddress();
                NettyConnection connection = new NettyConnection(shared, client, peer == null ? -1 : peer.getPort());
                if (!shared.connections.admit(connection)) { // its address holds --max-per-client already
                    shared.admission.slotFreed(); // admit gave the slot back
                    ch.pipeline()
                            .addLast(new Refusal(org.echolab.connection.Refusal.atAccept(
                                    shared.config,
                                    shared.process.ledger(),
                                    Refusals.Reason.PER_CLIENT,
                                    client,
                                    shared.connections.perClientRefusal())));
                    return;
                }
                if (shared.tls != null) {
                    SslHandler tls = new SslHandler(shared.tls.engine());
                    tls.setHandshakeTimeoutMillis(0); // the connection's header deadline covers the handshake
                    ch.pipeline().addLast(new PlainTextCheck(client), tls);
                }
                ch.pipeline().addLast(connection);
            }
        };
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        shared.open.add(this);
        LOG.log(
                Level.DEBUG,
                "{0}: connection opened on {1}",
                client,
                Thread.currentThread().getName());
        if (shared.tls != null) {
            phase = Phase.HANDSHAKING; // the header timeout covers the handshake
            setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.HEADER), Deadlines.Kind.HEADER);
            return;
        }
        processThenPause(); // the first Read: the header timeout runs from now
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        if (phase == Phase.LINGERING || phase == Phase.CLOSED) {
            bytes.release(); // the last answer is out: what the client still sends is dropped
            return;
        }
        in = in == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
        if (phase == Phase.READING) {
            processThenPause();
        } // else it waits, as bytes wait in the socket under the hand-written loop
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done && phase == Phase.HANDSHAKING) {
            if (!done.isSuccess()) {
                if (done.cause() instanceof IOException e) {
                    ServerTls.handshakeFailed(client, e);
                }
                close();
                return;
            }
            conversation.secured(
                    ServerTls.info(ctx.pipeline().get(SslHandler.class).engine()));
            phase = Phase.READING;
            deadline = 0;
            processThenPause();
        } else if (event instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            if (phase == Phase.READING || phase == Phase.LINGERING || phase == Phase.HANDSHAKING) {
                endOfInput();
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (phase == Phase.WRITING && channel.isWritable()) {
            goOnWriting();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (midRequest()) {
            LOG.log(Level.DEBUG, "{0} closed the connection in the middle of a request", client);
        }
        close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Error e) {
            close();
            shared.crash.accept(e); // an OutOfMemoryError on a loop: the process must not go on half deaf
            return;
        }
        fail(cause);
    }

    /** The client ended its input: a last TCP line without its newline is answered; else the connection closes. */
    private void endOfInput() {
        if (phase == Phase.READING
                && conversation.endOfInput(in != null ? view() : NOTHING) instanceof Conversation.Answer last) {
            releaseInput();
            begin(last.reply());
            pauseUnlessReading();
            return;
        }
        close();
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
        if (writeReply()) {
            processThenPause();
        } else {
            pauseUnlessReading();
        }
    }

    private void goOnWriting() {
        if (flush()) {
            processThenPause();
        } else {
            pauseUnlessReading(); // still writing; or lingering now, which reads again
        }
    }

    void fail(Throwable e) {
        if (e instanceof IOException) {
            LOG.log(Level.DEBUG, "connection from {0} ended: {1}", client, e.toString());
        } else {
            LOG.log(Level.ERROR, "connection from " + client + " failed; closing it", e);
        }
        close();
    }

    // ---- reading and answering ---------------------------------------------------------------

    /**
     * Parses and answers buffered requests until one has to wait: for bytes, a timer, the pool or
     * the socket; then reading is on only if the connection waits for bytes.
     */
    private void processThenPause() {
        try {
            boolean more = true;
            while (more && phase != Phase.CLOSED) {
                more = step();
            }
        } catch (RuntimeException e) {
            fail(e);
            return;
        } finally {
            if (in != null && (phase == Phase.CLOSED || !in.isReadable())) {
                releaseInput(); // an idle connection holds no buffer
            }
        }
        pauseUnlessReading();
    }

    /** Reading on while the connection waits for a request (or lingers), off while it works or writes. */
    private void pauseUnlessReading() {
        if (phase == Phase.CLOSED || inputEnded) {
            return; // nothing more to read: the transport has stopped watching the input
        }
        boolean read = phase == Phase.READING || phase == Phase.LINGERING || phase == Phase.HANDSHAKING;
        if (channel.config().isAutoRead() != read) {
            try {
                channel.config().setAutoRead(read);
            } catch (UncheckedIOException e) {
                fail(e.getCause()); // the socket went away under us (a reset): as a failed read would say
            }
        }
    }

    /** The unparsed bytes as the conversation reads them (read mode); no copy for one buffer. */
    private ByteBuffer view() {
        return in.nioBuffer(in.readerIndex(), in.readableBytes());
    }

    /** One step of the conversation and what follows it. True when the next step may follow at once. */
    private boolean step() {
        ByteBuffer view = in != null ? view() : NOTHING;
        int start = view.position();
        Conversation.Step next = conversation.next(view, shared.draining());
        if (in != null) {
            in.skipBytes(view.position() - start);
        }
        return switch (next) {
            case Conversation.Read r -> awaitRequest(r);
            case Conversation.Write w -> write(new Outgoing(w.bytes(), 0), w.close(), w.close());
            case Conversation.Answer a -> begin(a.reply());
        };
    }

    /** Back to reading, within the deadline the read's kind gives (header, body or idle). Always false. */
    private boolean awaitRequest(Conversation.Read r) {
        phase = Phase.READING;
        long now = System.nanoTime();
        if (r.kind() == Deadlines.Kind.IDLE && shared.draining()) {
            // between requests while draining: a request sent just before the stop may still be on its way
            setDeadline(now + Connections.QUIET.toNanos(), Deadlines.Kind.IDLE);
        } else {
            setDeadline(deadlines.read(r, now), r.kind());
        }
        if (inputEnded) {
            channel.eventLoop().execute(this::endOfInputIfReading); // after this step returns
        }
        return false;
    }

    private void endOfInputIfReading() {
        if (phase == Phase.READING) {
            endOfInput();
        }
    }

    /**
     * A request is parsed: wait as the reply says. A sleep is a timer on the loop (no thread
     * waits); CPU work goes to the {@code --offload} pool, or, without it, runs right here and
     * blocks the loop.
     */
    private boolean begin(Reply r) {
        answering = true;
        phase = Phase.WORKING;
        deadline = 0;
        hold(r.bytes().length);
        Duration d = r.delay();
        if (d.isZero() || d.isNegative()) {
            return writeReply();
        }
        if (r.work() == Work.SLEEP) {
            channel.eventLoop().schedule(this::waitOver, d.toNanos(), TimeUnit.NANOSECONDS);
            return false;
        }
        if (shared.offload == null) {
            try {
                CpuBurner.burn(d); // on the loop: every other connection of this loop waits meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the server is being stopped: abandon the work
                close();
                return false;
            }
            return writeReply();
        }
        return offload(d);
    }

    private boolean offload(Duration d) {
        try {
            shared.offload.execute(() -> {
                try {
                    CpuBurner.burn(d);
                } catch (InterruptedException e) {
                    return; // the pool is shut down: the stop closes the connection
                }
                channel.eventLoop().execute(this::workDone); // back to the loop, which alone touches this connection
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
    private boolean writeReply() {
        replying = conversation.reply(shared.draining()); // the last one if the drain began during the wait
        piecesSent = 0;
        return write(replying.outgoing(), replying.close(), false);
    }

    /** The interval of a dripped body is over: its next chunk goes out. */
    private void nextPiece() {
        if (phase != Phase.WORKING || replying == null) {
            return; // closed meanwhile
        }
        if (write(new Outgoing(replying.later().get(piecesSent++), 0), replying.close(), false)) {
            processThenPause();
        } else {
            pauseUnlessReading();
        }
    }

    /**
     * Starts writing {@code o}; true when it went out in full and the connection goes on. Then
     * {@code thenClose}: close, carefully ({@code linger}) after a refusal or a timeout.
     */
    private boolean write(Outgoing o, boolean thenClose, boolean linger) {
        phase = Phase.WRITING;
        out = o;
        closeAfterWrite = thenClose;
        lingerAfterWrite = linger;
        deadline = 0;
        hold(o.remaining());
        return flush();
    }

    /**
     * Hands Netty slices while its outbound buffer is below its high-water mark, and flushes.
     * True when everything went onto the socket and the connection goes on; else the next write
     * future or {@code channelWritabilityChanged} calls again.
     */
    private boolean flush() {
        flushing = true;
        try {
            for (ByteBuffer s; channel.isWritable() && (s = out.slice()) != null; ) {
                int n = s.remaining();
                ByteBuf slice =
                        Unpooled.wrappedBuffer(s); // the reply's bytes, or the shared filler block: not copied here
                s.position(s.limit()); // handed over: the next slice() is the next slice
                queued += n;
                channel.write(slice).addListener((ChannelFutureListener) f -> written(f, n));
            }
            channel.flush();
        } finally {
            flushing = false;
        }
        if (phase != Phase.WRITING) {
            return false; // a write failed and closed the connection
        }
        hold(out.remaining() + queued);
        if (queued > 0 || out.remaining() > 0) {
            // the client's socket is full: wait, for --write-timeout since the last progress
            if (deadline == 0) {
                setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.WRITE), Deadlines.Kind.WRITE);
            }
            return false;
        }
        return allWritten();
    }

    /** A slice of {@code n} bytes is on the socket (or failed): progress for the write timeout. */
    private void written(ChannelFuture f, int n) {
        queued -= n;
        if (phase != Phase.WRITING) {
            return; // closed meanwhile
        }
        if (!f.isSuccess()) {
            fail(f.cause());
            return;
        }
        if (!flushing) { // else flush() looks at what is left itself
            setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.WRITE), Deadlines.Kind.WRITE);
            goOnWriting();
        }
    }

    /** All of {@link #out} is on the socket: next the drip's next piece, the close, or the next request. */
    private boolean allWritten() {
        out = null;
        deadline = 0;
        hold(0);
        if (answering && replying != null && piecesSent < replying.later().size()) {
            phase = Phase.WORKING; // drip: the next chunk after the interval, on a timer as a wait is
            channel.eventLoop().schedule(this::nextPiece, replying.interval().toNanos(), TimeUnit.NANOSECONDS);
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
                    channel.config().setOption(ChannelOption.SO_LINGER, 0); // the close sends RST
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
        phase = Phase.LINGERING;
        releaseInput();
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.closeOutbound().addListener(f -> shutdownOutput()); // close_notify first
        } else {
            shutdownOutput();
        }
        setDeadline(deadlines.from(System.nanoTime(), Deadlines.Kind.LINGER), Deadlines.Kind.LINGER);
        if (inputEnded) {
            close();
        }
    }

    private void shutdownOutput() {
        ((DuplexChannel) channel).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                close();
            }
        });
    }

    // ---- deadlines ---------------------------------------------------------------------------

    /**
     * Sets the connection's one deadline. A later deadline keeps the timer already set (it re-arms
     * itself when it fires early); an earlier one replaces it.
     */
    private void setDeadline(long at, Deadlines.Kind kind) {
        deadline = at;
        deadlineKind = kind;
        if (timer == null || at - timerAt < 0) {
            if (timer != null) {
                timer.cancel(false);
            }
            armTimer(at);
        }
    }

    private void armTimer(long at) {
        timerAt = at;
        timer = channel.eventLoop()
                .schedule(this::timerFired, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        timer = null;
        if (phase == Phase.CLOSED || deadline == 0) {
            return; // working: no deadline until reading or writing again
        }
        if (deadline - System.nanoTime() > 0) {
            armTimer(deadline); // the deadline moved on since this timer was set
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
                } else if (!write(new Outgoing(why, 0), true, true)) {
                    pauseUnlessReading();
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
        return conversation.midRequest(in != null ? view() : null);
    }

    /**
     * Drain step, on the loop: closes the connection only if it sits between requests. Bytes the
     * client sent before the stop were read meanwhile (the loop reads before it runs tasks, and
     * the drain waited {@link Connections#QUIET} first), so a request already sent is served.
     */
    public void closeIfIdle() {
        if (phase == Phase.LINGERING || phase == Phase.HANDSHAKING || (phase == Phase.READING && !midRequest())) {
            close();
        }
    }

    /** Shutdown's last step, on the loop; true if a request was in flight. */
    public boolean forceClose() {
        boolean inFlight = phase == Phase.WORKING || phase == Phase.WRITING || (phase == Phase.READING && midRequest());
        close();
        return inFlight;
    }

    @Override
    public String client() {
        return client;
    }

    @Override
    public Connections.Owner owner() {
        return shared.owner;
    }

    /** Not called: a member with an owner is closed by its owner, on its loop. */
    @Override
    public void closeNow() {
        channel.eventLoop().execute(this::forceClose);
    }

    /** The loop this connection runs on, for the drain's tasks. */
    public Channel channel() {
        return channel;
    }

    /** Closes for good (idempotent): abandons a reply in progress and gives the connection's slot back. */
    void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        conversation.end(); // abandons an answer in progress, gives back what it held
        answering = false;
        replying = null;
        hold(0);
        out = null;
        releaseInput();
        shared.open.remove(this);
        channel.close(); // TLS: SslHandler sends close_notify, one try
        shared.connections.closed(this, "closed");
        shared.admission.slotFreed();
    }

    private void releaseInput() {
        if (in != null) {
            in.release();
            in = null;
        }
    }

    private void hold(long bytes) {
        shared.queued(bytes - held);
        held = bytes;
    }
}
