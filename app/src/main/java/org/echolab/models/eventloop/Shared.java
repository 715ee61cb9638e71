package org.echolab.models.eventloop;

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
 * What every loop of one {@code eventloop} server shares with the model. Thread-safe: the fields
 * are immutable, atomic, or thread-safe themselves.
 *
 * @param process     what the process holds: the budgets each conversation takes from, the ledger it reports to
 * @param offload     the {@code --offload} pool, or null when CPU work runs on the loop
 * @param connections the process's registry, which every connection joins: its slot, its client's
 *                    count, the open gauge, and whether the server is draining
 * @param crash       what a loop that fails calls, on its own thread: the process stops, loudly
 * @param tls         with {@code --tls}, what puts TLS on each connection; else null
 */
public record Shared(
        ServerConfig config,
        EchoService service,
        Resources process,
        ExecutorService offload,
        Connections connections,
        Gauge bytesQueued,
        Consumer<Throwable> crash,
        ServerTls tls) {

    /** What the sessions of a loop take from the model: one per loop ({@link Loop#sessions}). */
    NonBlockingSession.Context session() {
        return new NonBlockingSession.Context(config, service, process, connections, offload, bytesQueued::add);
    }

    /** A gauge with its high-water mark: bytes of replies the server holds and has not yet written. */
    public static final class Gauge {
        private final AtomicLong now = new AtomicLong();
        private final AtomicLong peak = new AtomicLong();

        void add(long delta) {
            long v = now.addAndGet(delta);
            if (delta > 0) {
                peak.accumulateAndGet(v, Math::max);
            }
        }

        public long now() {
            return now.get();
        }

        public long peak() {
            return peak.get();
        }
    }
}
