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
 * <p><b>Threads:</b> {@code echolab-accept}, one platform thread, blocks in {@code accept()} and
 * hands each connection round-robin to one of {@code --loops} N loops ({@code loop-0} ...,
 * default: one per core). A loop is one platform thread with one {@code Selector}; it owns its
 * connections for life and runs everything of theirs: reading, parsing, the wait, writing (see
 * {@link Loop}, and {@link org.echolab.models.eventloop.LoopConnection} for one connection's
 * state machine). Accepting has a thread of its own because it has nothing else to wait for: a
 * blocking accept keeps the loops free of accept logic and takes a {@code --max-connections}
 * slot of the process's {@link Connections} before each accept, so excess clients wait in the
 * kernel's backlog, as with the blocking models. That costs one thread, whatever the load.
 *
 * <p><b>The wait</b> ({@code work=sleep}) is a timer on the loop: a deadline in the loop's
 * priority queue, which bounds how long its {@code select} may block. Waiting requests cost no
 * thread, only a few hundred bytes each: 10,000 waiting clients are served by N+1 threads.
 *
 * <p><b>{@code work=cpu} would block its loop.</b> So by default ({@code --offload}) it runs on a
 * pool of {@code --offload-threads} threads ({@code offload-N}) with a queue of
 * {@value #OFFLOAD_QUEUE} tasks (nginx's {@code aio threads}); the finished work is handed back to
 * its loop, which writes the reply. When that queue is full the request gets 503 rather than a
 * blocked loop. {@code --no-offload} runs it on the loop, so every other connection of that loop
 * waits until it is done: the harm this model is known for, there to be seen.
 *
 * <p><b>Per connection:</b> one request at a time, so pipelined responses keep their order; later
 * bytes wait in the read buffer. Reading pauses until a response is written in full
 * (backpressure): a client that never reads holds at most one response in server memory, gauged
 * as {@code bytesQueued} in {@code /stats}. Partial reads and writes, keep-alive, the header
 * timeout (408) and the idle timeout are all handled by the loop and its timers; the parsers and
 * {@code EchoService} are the same as every other model's.
 *
 * <p><b>Lifecycle:</b> {@code stop(grace)} closes the listener and ends the acceptor; then the
 * registry's drain ({@link Connections#drain}, as under every model) asks the loops to close
 * connections between requests (after one last read: a request already sent is served), lets
 * requests in flight finish (their responses say {@code Connection: close}) until {@code grace}
 * runs out, and ends the loops, which close what is left; CPU work still running is abandoned. A
 * loop that fails stops the process ({@link ModelContext#crash}).
 *
 * <p><b>Cost:</b> threads do not grow with connections, and memory little: an idle connection
 * costs its channel, its parser and its state machine, but no buffer: a loop lends its one read
 * buffer to whichever connection it reads (measured: about 4 KiB per idle connection, against 34
 * for {@code virtual}; docs/event-loop.md). The price is the rule that nothing on a loop may
 * block: one slow step (CPU work, a blocking call) stalls every connection of that loop.
 */
public final class EventLoopModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger("echolab.eventloop");

    /** Tasks the {@code --offload} pool queues beyond its busy threads before answering 503. */
    static final int OFFLOAD_QUEUE = 1024;

    private final ServerConfig config;
    private ServerSocketChannel listener;
    private Connections connections;
    private Shared shared;
    private Loop[] loops;
    private ThreadPoolExecutor offload;             // null without --offload
    private AcceptLoop<SocketChannel> acceptor;
    private int nextLoop;                           // accept thread only

    public EventLoopModel(ServerConfig config) {
        this.config = config;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        listener = ModelContext.openChannel(config);
        if (config.offload) {
            offload = new ThreadPoolExecutor(config.offloadThreads, config.offloadThreads, 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(OFFLOAD_QUEUE), Thread.ofPlatform().name("offload-", 0).factory());
        }
        connections = ctx.stack().connections();
        shared = new Shared(config, ctx.stack().service(), ctx.stack().process(), offload, connections,
                new Shared.Gauge(), ctx::crashed, ctx.stack().tls());
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
        if (loops[nextLoop].adopt(channel)) {        // the loop owns it from now on, and closes it
            nextLoop = (nextLoop + 1) % loops.length;
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(listener);            // closing the listener wakes the acceptor out of accept()
        acceptor.join();
        connections.drain(grace);           // the loops close idle connections, then, after the grace, end
        for (Loop loop : loops) {
            loop.shutdown();                // those the drain did not end: they had no connection left
        }
        if (offload != null) {
            offload.shutdownNow();          // CPU work still running is abandoned at its next slice
            if (!offload.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "offload threads still running 5 s after shutdown");
            }
        }
    }

    @Override
    public String describe() {
        return "loops=" + config.loops + (config.offload
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
        m.put("connectionsPerLoop", Arrays.stream(loops).map(Loop::openConnections).toList());
        m.put("timersPending", Arrays.stream(loops).mapToInt(Loop::pendingTimers).sum());
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
