package org.echolab.models.netty;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.echolab.config.ServerConfig;
import org.echolab.connection.ClientCounts;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.state.ServerState;
import org.echolab.tls.ServerTls;

/**
 * What every connection of one Netty server shares with the model. Thread-safe: the parts are
 * immutable, concurrent or atomic, and {@code draining} is written once, by {@code stop}.
 */
public final class Shared {

    final ServerConfig config;
    final EchoService service;
    final Resources process;
    final ExecutorService offload;                  // null: work=cpu runs on the loop (--no-offload)
    final ServerTls tls;                            // null: plain
    final Consumer<Throwable> crash;                // a loop that fails: the process stops, loudly
    final Admission admission;
    final Set<NettyConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesQueued = new AtomicLong();
    private final AtomicLong bytesQueuedPeak = new AtomicLong();
    private volatile boolean draining;

    public Shared(ServerConfig config, EchoService service, Resources process, ServerState state, ExecutorService offload,
                  ClientCounts clients, ServerTls tls, Consumer<Throwable> crash) {
        this.config = config;
        this.service = service;
        this.process = process;
        this.offload = offload;
        this.tls = tls;
        this.crash = crash;
        this.admission = new Admission(config.connectionLimit(), clients, state, process.ledger().refusals());
    }

    public Admission admission() {
        return admission;
    }

    /** The connections open now, for the drain (any thread). */
    public Set<NettyConnection> open() {
        return open;
    }

    boolean draining() {
        return draining;
    }

    /** Starts the drain: from now on every answer says it is the last. Only the model calls this. */
    public void beginDraining() {
        draining = true;
    }

    /** Bytes of replies the server holds and has not yet written (the {@code bytesQueued} gauge). */
    void queued(long delta) {
        long v = bytesQueued.addAndGet(delta);
        if (delta > 0) {
            bytesQueuedPeak.accumulateAndGet(v, Math::max);
        }
    }

    public long bytesQueued() {
        return bytesQueued.get();
    }

    public long bytesQueuedPeak() {
        return bytesQueuedPeak.get();
    }
}
