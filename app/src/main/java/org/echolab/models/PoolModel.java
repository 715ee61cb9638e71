package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.echolab.server.ServerConfig;
import org.echolab.server.ServerConfig.Overflow;

/**
 * {@code pool}: a fixed pool of {@code --threads} platform threads with a bounded queue of
 * {@code --queue} connections (UNP's prethreaded server, "main thread accepts and hands off";
 * CS:APP's {@code echoservert_pre.c}).
 *
 * <p><b>Threads:</b> the accept thread accepts and queues each connection; the pool's threads,
 * {@code pool-N}, all started up front, take connections from the queue and each runs one whole
 * session (every request on it, keep-alive included) before taking the next.
 *
 * <p><b>When all threads are busy and the queue is full</b> ({@code --overflow}): {@code backlog}
 * (default) stops accepting, so new clients wait in the kernel's accept backlog, unserved but not
 * refused; {@code reject} accepts and answers 503 at once, so clients learn of the overload.
 *
 * <p><b>Cost:</b> thread creation is paid once; memory and kernel threads are bounded by
 * {@code --threads}. The price: a connection holds its thread for its whole life, so more than
 * {@code threads} keep-alive clients queue even when the server is idle between their requests.
 */
public final class PoolModel implements ConcurrencyModel {

    private final ServerConfig config;
    private final LongAdder rejected = new LongAdder();
    private ThreadPoolExecutor pool;
    private Acceptor acceptor;

    public PoolModel(ServerConfig config) {
        this.config = config;
    }

    @Override
    public InetSocketAddress start(ServerContext ctx) throws IOException {
        pool = new ThreadPoolExecutor(config.threads, config.threads, 0, TimeUnit.MILLISECONDS,
                config.queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue),
                Thread.ofPlatform().name("pool-", 1).factory(),
                this::overflow);
        pool.prestartAllCoreThreads();
        // overflow=backlog: admit no more than the pool can hold, so the rest wait in the backlog
        Semaphore admission = config.overflow == Overflow.BACKLOG ? new Semaphore(config.threads + config.queue) : null;
        acceptor = Acceptor.start(ctx, pool, admission);
        return acceptor.address();
    }

    /**
     * Called when the queue is full. With overflow=reject: 503. With overflow=backlog the
     * admission semaphore has already guaranteed a place, but a worker that just released its
     * permit may not yet have taken its next task from the queue: wait for that place.
     */
    private void overflow(Runnable task, ThreadPoolExecutor executor) {
        Acceptor.Session session = (Acceptor.Session) task;
        if (config.overflow == Overflow.REJECT) {
            rejected.increment();
            session.reject("all " + config.threads + " threads are busy and the queue of " + config.queue + " is full");
            return;
        }
        try {
            while (!executor.isShutdown()) {
                if (executor.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.reject("the server is stopping");
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(grace);
    }

    @Override
    public String describe() {
        return "threads=" + config.threads + " queue=" + config.queue + " overflow=" + config.overflow.name().toLowerCase();
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("poolThreads", pool.getPoolSize());
        m.put("poolBusy", pool.getActiveCount());
        m.put("queued", pool.getQueue().size());
        m.put("rejected", rejected.sum());
        m.put("sessionsActive", acceptor.activeSessions());
        m.put("sessionsPeak", acceptor.peakSessions());
        return m;
    }
}
