package org.echolab.models;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.models.netty.NettyConnection;
import org.echolab.models.netty.Shared;
import org.echolab.process.Connections;

/**
 * {@code netty} and {@code netty-uring}: the event loop on Netty 4.2, over its native epoll
 * transport or its io_uring transport; the same conversation, timers and limits as
 * {@code eventloop}, on Netty's pipeline instead of a hand-written selector loop.
 *
 * <p><b>Threads:</b> {@code --loops} Netty event loops ({@code netty-N} or {@code uring-N}), each
 * one platform thread that owns its channels for life and runs everything of theirs (see
 * {@link NettyConnection}); the listener lives on one of them, so accepting costs no thread of
 * its own. {@code work=cpu} goes to {@code --offload-threads} threads ({@code offload-N}), as
 * under {@code eventloop}. The transport is the difference: epoll asks the kernel which sockets
 * are ready and then reads them; io_uring hands the kernel the reads and writes themselves and
 * collects their completions, fewer system calls for the same work.
 *
 * <p><b>Lifecycle:</b> {@code stop(grace)} closes the listener, waits {@link
 * org.echolab.process.Connections#QUIET}, closes connections between requests, lets requests in
 * flight finish until {@code grace} runs out, closes what is left, then shuts the loops down.
 * Without the transport's native library (io_uring disabled by the kernel, say) {@code start}
 * refuses with the reason.
 *
 * <p><b>Cost:</b> as {@code eventloop}: threads do not grow with connections; an idle connection
 * holds its channel, pipeline and conversation, and no buffer.
 */
public final class NettyModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(NettyModel.class.getName());

    static {
        // Netty logs through the JDK's logging, in the project's one format, before any Netty class
        // picks a logging library of its own from the class path
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

    /** A Netty native transport: how its loops wait for I/O, and its listening channel. */
    public enum Transport {
        EPOLL("netty", "epoll"),
        IO_URING("uring", "io_uring");

        final String threadPrefix;
        final String label;

        Transport(String threadPrefix, String label) {
            this.threadPrefix = threadPrefix;
            this.label = label;
        }

        /** Why this transport cannot run here, or null if it can. */
        String unavailable() {
            Throwable cause = this == EPOLL ? Epoll.unavailabilityCause() : IoUring.unavailabilityCause();
            return cause == null
                    ? null
                    : "Netty's " + label + " transport is not available here (" + cause
                            + "); choose another model, e.g. --model " + (this == EPOLL ? "eventloop" : "netty");
        }

        IoHandlerFactory ioHandlers() {
            return this == EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        }

        /** IPv4 only for an IPv4 address, so that it shares a --reuseport port with the other models' listeners. */
        Supplier<ServerChannel> listener(boolean ipv4) {
            if (this == IO_URING) {
                return IoUringServerSocketChannel::new;
            }
            return ipv4 ? () -> new EpollServerSocketChannel(SocketProtocolFamily.INET) : EpollServerSocketChannel::new;
        }

        ChannelOption<Boolean> reusePort() {
            return this == EPOLL ? EpollChannelOption.SO_REUSEPORT : IoUringChannelOption.SO_REUSEPORT;
        }
    }

    private final ServerConfig config;
    private final Transport transport;
    private final List<Thread> loopThreads = new CopyOnWriteArrayList<>();
    private EventLoopGroup loops;
    private ThreadPoolExecutor offload; // null without --offload
    private Shared shared;
    private Connections connections;
    private Channel listener;

    public NettyModel(ServerConfig config, Transport transport) {
        this.config = config;
        this.transport = transport;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) {
        String why = transport.unavailable();
        if (why != null) {
            throw new UnsupportedPlatformException(why);
        }
        if (config.offload) {
            offload = new ThreadPoolExecutor(
                    config.offloadThreads,
                    config.offloadThreads,
                    0,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(EventLoopModel.OFFLOAD_QUEUE),
                    Thread.ofPlatform().name("offload-", 0).factory());
        }
        connections = ctx.stack().connections();
        shared = new Shared(
                config,
                ctx.stack().service(),
                ctx.stack().process(),
                offload,
                connections,
                new LoopsOwner(),
                ctx.stack().tls(),
                ctx::crashed);
        loops = new MultiThreadIoEventLoopGroup(config.loops, loopThreads(), transport.ioHandlers());
        InetSocketAddress address = new InetSocketAddress(config.bind, config.port);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channelFactory(transport.listener(address.getAddress() instanceof Inet4Address)::get)
                .option(ChannelOption.SO_BACKLOG, config.backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(shared.admission().gate())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(
                        ChannelOption.ALLOW_HALF_CLOSURE,
                        true) // a client's FIN is an event, not a close: it may await one last answer
                .childHandler(NettyConnection.initializer(shared));
        if (config.reusePort) {
            bootstrap.option(transport.reusePort(), true);
        }
        try {
            listener = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /** Loop threads named for the transport, kept so that a stop can interrupt CPU work on a loop (--no-offload). */
    private ThreadFactory loopThreads() {
        AtomicInteger next = new AtomicInteger();
        return task -> {
            Thread t = new FastThreadLocalThread(task, transport.threadPrefix + "-" + next.getAndIncrement());
            loopThreads.add(t);
            return t;
        };
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        listener.close().syncUninterruptibly(); // new clients are refused by the kernel from now on
        connections.drain(grace); // the process's registry drains, asking LoopsOwner to close on the loops
        if (offload != null) {
            offload.shutdownNow(); // CPU work still running is abandoned at its next slice
            if (!offload.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "offload threads still running 5 s after shutdown");
            }
        }
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** The registry's drain asks the model, which closes each connection on its own loop. */
    private final class LoopsOwner implements Connections.Owner {
        @Override
        public void closeIdle() {
            for (NettyConnection c : shared.open()) {
                c.channel().eventLoop().execute(c::closeIfIdle);
            }
        }

        @Override
        public int closeAll() throws InterruptedException {
            loopThreads.forEach(Thread::interrupt); // work=cpu on a loop (--no-offload) is abandoned at its next slice
            return forceClose();
        }
    }

    /** Closes what is still open, each on its own loop; returns how many had a request in flight. */
    private int forceClose() throws InterruptedException {
        List<Future<Boolean>> closing = new ArrayList<>();
        for (NettyConnection c : shared.open()) {
            closing.add(c.channel().eventLoop().submit(c::forceClose));
        }
        int forced = 0;
        for (Future<Boolean> f : closing) {
            try {
                forced += f.get(5, TimeUnit.SECONDS) ? 1 : 0;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.log(Level.WARNING, "closing a connection at the stop failed: {0}", e.toString());
            }
        }
        return forced;
    }

    @Override
    public String describe() {
        return "transport=" + transport.label + " loops=" + config.loops
                + (config.offload
                        ? " offload=on offload-threads=" + config.offloadThreads
                        : " offload=off (work=cpu runs on the loop and blocks it)");
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (shared == null) {
            return m;
        }
        m.put("transport", transport.label);
        m.put("listener", listener.getClass().getSimpleName()); // Netty's own class for the transport
        m.put("loops", config.loops);
        m.put("bytesQueued", shared.bytesQueued());
        m.put("bytesQueuedPeak", shared.bytesQueuedPeak());
        m.put("offload", offload != null);
        if (offload != null) {
            m.put("offloadActive", offload.getActiveCount());
            m.put("offloadQueued", offload.getQueue().size());
        }
        return m;
    }
}
