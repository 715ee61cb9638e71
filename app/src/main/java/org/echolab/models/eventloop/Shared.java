package org.echolab.models.eventloop;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.echolab.config.ServerConfig;
import org.echolab.connection.ClientCounts;
import org.echolab.service.EchoService;
import org.echolab.process.Resources;
import org.echolab.state.ServerState;
import org.echolab.tls.ServerTls;

/**
 * What every loop of one {@code eventloop} server shares with the model. Thread-safe: the fields
 * are immutable or atomic, and {@code draining} is written once by {@code stop}.
 *
 * @param process what the process holds: the budgets each conversation takes from, the ledger it reports to
 * @param offload the {@code --offload} pool, or null when CPU work runs on the loop
 * @param slots   the {@code --max-connections} gate: the acceptor takes a slot, a closing connection gives it back
 * @param clients the {@code --max-per-client} counts: the acceptor counts a connection in, a closing one out
 * @param crash   what a loop that fails calls, on its own thread: the process stops, loudly
 * @param tls     with {@code --tls}, what puts TLS on each connection; else null
 */
public record Shared(ServerConfig config, EchoService service, Resources process, ServerState state, ExecutorService offload, Semaphore slots,
                     ClientCounts clients, Gauge bytesQueued, Draining draining, Consumer<Throwable> crash,
                     ServerTls tls) {

    /** Set once when shutdown begins; read by every loop. */
    public static final class Draining {
        private volatile boolean on;

        public boolean on() {
            return on;
        }

        void begin() {
            on = true;
        }
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

    /** Starts the drain; only the model calls this. */
    public void beginDraining() {
        draining.begin();
    }
}
