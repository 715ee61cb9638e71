package org.echolab.models.netty;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.echolab.config.ServerConfig;
import org.echolab.connection.NonBlockingSession;
import org.echolab.process.Connections;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.tls.ServerTls;

/**
 * What every connection of one Netty server shares with the model. Thread-safe: the parts are
 * immutable, concurrent or atomic; the drain is the process's registry's.
 */
public final class Shared {

    final ServerConfig config;
    final EchoService service;
    final Resources process;
    final ExecutorService offload; // null: work=cpu runs on the loop (--no-offload)
    final ServerTls tls; // null: plain
    final Consumer<Throwable> crash; // a loop that fails: the process stops, loudly
    final Admission admission;
    final Connections connections; // the process's one registry: slots, per-client counts, drain
    final Connections.Owner owner; // the model, which closes its connections on their loops
    final Set<NettyConnection> open = ConcurrentHashMap.newKeySet();
    final NonBlockingSession.Context session; // what each connection's session takes from the model
    private final AtomicLong bytesQueued = new AtomicLong();
    private final AtomicLong bytesQueuedPeak = new AtomicLong();

    public Shared(
            ServerConfig config,
            EchoService service,
            Resources process,
            ExecutorService offload,
            Connections connections,
            Connections.Owner owner,
            ServerTls tls,
            Consumer<Throwable> crash) {
        this.config = config;
        this.service = service;
        this.process = process;
        this.offload = offload;
        this.tls = tls;
        this.crash = crash;
        this.connections = connections;
        this.owner = owner;
        this.admission = new Admission(connections);
        this.session = new NonBlockingSession.Context(config, service, process, connections, offload, this::queued);
    }

    public Admission admission() {
        return admission;
    }

    /** The connections open now, for the drain (any thread). */
    public Set<NettyConnection> open() {
        return open;
    }

    /** Whether the drain has begun: from then on every answer is its connection's last. */
    boolean draining() {
        return connections.draining();
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
