package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.models.eventloop.Loop;
import org.echolab.models.eventloop.Shared;
import org.echolab.process.Connections;

/**
 * {@code eventloop}: a few selector loops serve every connection, without blocking (CS:APP's
 * select-based {@code echoservers.c}, nginx's workers, Netty's EventLoopGroup).
 *
 * <p><b>Threads:</b> {@code echolab-accept} accepts and hands each connection round-robin to one of
 * {@code --loops} loops ({@code loop-N}: one platform thread and one {@code Selector} each), which
 * owns it for life: reading, parsing, the wait (a timer), writing ({@link Loop},
 * {@link org.echolab.models.eventloop.LoopConnection}). {@code work=cpu} runs on the
 * {@code --offload-threads} pool ({@code offload-N}), or on the loop with {@code --no-offload}.
 *
 * <p><b>Cost:</b> threads do not grow with connections, memory little (no buffer per idle
 * connection); nothing on a loop may block, or every connection of that loop waits
 * (docs/event-loop.md).
 */
final class EventLoopModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(EventLoopModel.class.getName());

    /** Tasks the {@code --offload} pool queues beyond its busy threads before answering 503. */
    static final int OFFLOAD_QUEUE = 1024;

    private final ServerConfig config;
    private ServerSocketChannel listener;
    private Connections connections;
    private Shared shared;
    private Loop[] loops;
    private ThreadPoolExecutor offload; // null without --offload
    private AcceptLoop<SocketChannel> acceptor;
    private int nextLoop; // accept thread only

    public EventLoopModel(ServerConfig config) {
        this.config = config;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        listener = ModelContext.openChannel(config);
        if (config.offload) {
            offload = new ThreadPoolExecutor(
                    config.offloadThreads,
                    config.offloadThreads,
                    0,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(OFFLOAD_QUEUE),
                    Thread.ofPlatform().name("offload-", 0).factory());
        }
        connections = ctx.stack().connections();
        shared = new Shared(
                config,
                ctx.stack().service(),
                ctx.stack().process(),
                offload,
                connections,
                new Shared.Gauge(),
                ctx::crashed,
                ctx.stack().tls());
        loops = new Loop[config.loops];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop("loop-" + i, shared);
            loops[i].start();
        }
        acceptor = AcceptLoop.start(List.of(connections.slots()), listener::accept, this::handOff, ctx.crash());
        return (InetSocketAddress) listener.getLocalAddress();
    }

    /**
     * On the accept thread: the connection goes to the next loop, round-robin, which admits it to
     * the registry; or, if its address holds {@code --max-per-client} connections already, turns
     * its client away at once.
     */
    private void handOff(SocketChannel channel) {
        if (loops[nextLoop].adopt(channel)) { // the loop owns it from now on, and closes it
            nextLoop = (nextLoop + 1) % loops.length;
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(listener); // closing the listener wakes the acceptor out of accept()
        acceptor.join();
        connections.drain(grace); // the loops close idle connections, then, after the grace, end
        for (Loop loop : loops) {
            loop.shutdown(); // those the drain did not end: they had no connection left
        }
        if (offload != null) {
            offload.shutdownNow(); // CPU work still running is abandoned at its next slice
            if (!offload.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "offload threads still running 5 s after shutdown");
            }
        }
    }

    @Override
    public String describe() {
        return "loops=" + config.loops
                + (config.offload
                        ? " offload=on offload-threads=" + config.offloadThreads
                        : " offload=off (work=cpu runs on the loop and blocks it)");
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (loops == null) {
            return m;
        }
        m.put("loops", loops.length);
        m.put(
                "connectionsPerLoop",
                Arrays.stream(loops).map(Loop::openConnections).toList());
        m.put(
                "timersPending",
                Arrays.stream(loops).mapToInt(Loop::pendingTimers).sum());
        m.put("bytesQueued", shared.bytesQueued().now());
        m.put("bytesQueuedPeak", shared.bytesQueued().peak());
        m.put("offload", offload != null);
        if (offload != null) {
            m.put("offloadActive", offload.getActiveCount());
            m.put("offloadQueued", offload.getQueue().size());
        }
        return m;
    }
}
