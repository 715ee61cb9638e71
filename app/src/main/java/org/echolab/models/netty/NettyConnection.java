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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.echolab.connection.CloseReason;
import org.echolab.connection.NonBlockingSession;
import org.echolab.connection.NonBlockingSession.Phase;
import org.echolab.connection.Transport;
import org.echolab.connection.Transport.Sent;
import org.echolab.process.Connections;
import org.echolab.process.Refusals;
import org.echolab.service.Outgoing;
import org.echolab.tls.ServerTls;

/**
 * One connection of a Netty server: the transport of a {@link NonBlockingSession}, as the last
 * handler of a Netty pipeline. The session decides and times every step, as under the
 * hand-written event loop; Netty reads (a {@code channelRead} per read), writes (its outbound
 * buffer, announced by {@code channelWritabilityChanged} and write futures) and keeps the timers
 * ({@code eventLoop().schedule}).
 *
 * <p><b>Threads:</b> runs only on its channel's event loop, except offloaded CPU work, which runs
 * on a pool thread and hands its result back with {@code eventLoop().execute}.
 *
 * <p><b>Pipeline:</b> this handler alone; with {@code --tls}, first a {@link PlainTextCheck} (a
 * plain {@code http://} request gets a readable 400) and Netty's {@link SslHandler} over the JDK's
 * engine, and this handler sees plaintext only.
 *
 * <p>Reading is paused (auto-read off) while a request is worked on or written, as the hand-written
 * loop stops asking for OP_READ. The pause is taken only when the handler gives the loop back
 * mid-request ({@link #pauseUnlessReading}, after every event), so a request answered at once
 * costs no {@code epoll_ctl}.
 */
public final class NettyConnection extends ChannelInboundHandlerAdapter implements Connections.Member, Transport {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    private final Shared shared;
    private final String client;
    private final NonBlockingSession session;
    private Channel channel;
    private ByteBuf in; // bytes read and not yet parsed; null when none
    private boolean inputEnded; // the client shut its side: seen when the session reads
    private long queued; // bytes handed to Netty, not yet on the socket
    private boolean flushing; // inside send(): write futures completing there must not re-enter the session

    private NettyConnection(Shared shared, String client, int port) {
        this.shared = shared;
        this.client = client;
        this.session = new NonBlockingSession(this, shared.session, client, port);
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

    // ---- events from Netty -------------------------------------------------------------------

    /** What the session does on an event; I/O errors end the connection. */
    private interface Event {
        void run() throws IOException;
    }

    /** Runs {@code event} on the session, then pauses reading unless the session now reads. */
    private void handle(Event event) {
        try {
            event.run();
        } catch (IOException | RuntimeException e) {
            session.fail(e);
        }
        pauseUnlessReading();
    }

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
            session.handshaking();
            return;
        }
        handle(session::start);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        if (session.dropsInput()) {
            bytes.release(); // the last answer is out: what the client still sends is dropped
            return;
        }
        in = in == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
        if (session.phase() == Phase.READING) {
            handle(session::received);
        } // else it waits, as bytes wait in the socket under the hand-written loop
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done && session.phase() == Phase.HANDSHAKING) {
            if (!done.isSuccess()) {
                if (done.cause() instanceof IOException e) {
                    ServerTls.handshakeFailed(client, e);
                }
                session.close(CloseReason.TLS_FAILED);
            } else {
                handle(() -> session.secured(
                        ServerTls.info(ctx.pipeline().get(SslHandler.class).engine())));
            }
        } else if (event instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            handle(session::endOfInput); // at once if the session reads; else when it does
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session.phase() == Phase.WRITING && channel.isWritable()) {
            handle(session::writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.close(CloseReason.clientClosed(session.midRequest()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Error e) {
            session.close(CloseReason.failure(e));
            shared.crash.accept(e); // an OutOfMemoryError on a loop: the process must not go on half deaf
            return;
        }
        session.fail(cause);
    }

    /** Reading on while the connection waits for a request (or lingers), off while it works or writes. */
    private void pauseUnlessReading() {
        Phase phase = session.phase();
        if (phase == Phase.CLOSED || inputEnded) {
            return; // nothing more to read: the transport has stopped watching the input
        }
        boolean read = phase == Phase.READING || phase == Phase.LINGERING || phase == Phase.HANDSHAKING;
        if (channel.config().isAutoRead() != read) {
            try {
                channel.config().setAutoRead(read);
            } catch (UncheckedIOException e) {
                session.fail(e.getCause()); // the socket went away under us (a reset): as a failed read would say
            }
        }
    }

    // ---- the session's transport -------------------------------------------------------------

    /** The unparsed bytes as the conversation reads them (read mode); no copy for one buffer. */
    @Override
    public ByteBuffer input() {
        return in == null ? null : in.nioBuffer(in.readerIndex(), in.readableBytes());
    }

    @Override
    public void consumed(int n) {
        in.skipBytes(n);
    }

    @Override
    public void settleInput() {
        if (in != null && !in.isReadable()) {
            dropInput(); // an idle connection holds no buffer
        }
    }

    @Override
    public void dropInput() {
        if (in != null) {
            in.release();
            in = null;
        }
    }

    /** The client ended its input while the session did something else: it hears of it now, soon. */
    @Override
    public void awaitInput() {
        if (inputEnded) {
            channel.eventLoop().execute(() -> handle(session::endOfInput)); // after this step returns
        }
    }

    @Override
    public void pauseInput() {
        // taken lazily, by pauseUnlessReading as the event ends
    }

    @Override
    public void readWaiting() {
        // the loop reads before it runs tasks, and the drain waited Connections.QUIET first
    }

    /**
     * Hands Netty slices while its outbound buffer is below its high-water mark, and flushes.
     * Progress comes later, with each write future ({@link #written}) and with
     * {@code channelWritabilityChanged}.
     */
    @Override
    public Sent send(Outgoing out) {
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
        return queued > 0 || out.remaining() > 0 ? Sent.NONE : Sent.ALL;
    }

    /** A slice of {@code n} bytes is on the socket (or failed). */
    private void written(ChannelFuture f, int n) {
        queued -= n;
        if (session.phase() != Phase.WRITING) {
            return; // closed meanwhile
        }
        if (!f.isSuccess()) {
            session.fail(f.cause());
        } else if (!flushing) { // else send() is still at work, and the session looks at what is left itself
            handle(session::wrote);
        }
    }

    @Override
    public long unsent() {
        return queued;
    }

    @Override
    public void resetOnClose() {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }

    @Override
    public boolean shutdownOutput() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.closeOutbound().addListener(f -> shutdownPlain()); // close_notify first
        } else {
            shutdownPlain();
        }
        return true;
    }

    private void shutdownPlain() {
        ((DuplexChannel) channel).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                session.close(CloseReason.OUTPUT_WOULD_NOT_SHUT);
            }
        });
    }

    @Override
    public Timer schedule(long at, Runnable action) {
        ScheduledFuture<?> f = channel.eventLoop()
                .schedule(() -> handle(action::run), Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(() -> handle(task::run));
    }

    // ---- closing -----------------------------------------------------------------------------

    /**
     * Drain step, on the loop: closes the connection only if it sits between requests. Bytes the
     * client sent before the stop were read meanwhile (the loop reads before it runs tasks, and
     * the drain waited {@link Connections#QUIET} first), so a request already sent is served.
     */
    @Override
    public void closeIfIdle() {
        session.closeIfIdle();
    }

    /** Shutdown's last step, on the loop; true if a request was in flight. */
    public boolean forceClose() {
        return session.forceClose();
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

    @Override
    public void closed(CloseReason why, boolean heldUnanswered) {
        shared.open.remove(this);
        channel.close(); // TLS: SslHandler sends close_notify, one try
        shared.connections.closed(this, why.cause(), why.words(), heldUnanswered);
        shared.admission.slotFreed();
    }
}
