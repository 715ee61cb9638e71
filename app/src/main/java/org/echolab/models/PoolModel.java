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
                PoolModel::awaitPlace);
        pool.prestartAllCoreThreads();
        // Admission is decided here, exactly, by counting places (threads + queue), not by the
        // executor's queue, which can look full for an instant after a worker frees its place.
        Semaphore places = new Semaphore(config.threads + config.queue);
        if (config.overflow == Overflow.BACKLOG) {
            acceptor = Acceptor.start(ctx, pool, places);      // no place: do not accept
        } else {
            acceptor = Acceptor.start(ctx, task -> admitOrReject((Acceptor.Session) task, places), null);
        }
        return acceptor.address();
    }

    /** overflow=reject: a place, or 503 at once. */
    private void admitOrReject(Acceptor.Session session, Semaphore places) {
        if (!places.tryAcquire()) {
            rejected.increment();
            session.reject("all " + config.threads + " threads are busy and the queue of " + config.queue + " is full");
            return;
        }
        pool.execute(() -> {
            try {
                session.run();
            } finally {
                places.release();
            }
        });
    }

    /**
     * The executor found its queue full although a place was counted for this task: a worker that
     * just finished has not yet taken its next task. Wait for it (or give up when stopping).
     */
    private static void awaitPlace(Runnable task, ThreadPoolExecutor executor) {
        try {
            while (!executor.isShutdown()) {
                if (executor.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (task instanceof Acceptor.Session session) {
            session.reject("the server is stopping");
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(grace);
        pool.shutdownNow();                   // with overflow=reject the acceptor does not own the pool
        pool.awaitTermination(5, TimeUnit.SECONDS);
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
        m.putAll(acceptor.stats());
        return m;
    }
}
