package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.echolab.config.ServerConfig;

/**
 * The seam where a concurrency model plugs in: how accepted connections are handed to workers
 * (threads, processes, an event loop). Everything else, the protocol and the session's
 * read-wait-echo, is shared and unaware of it.
 *
 * <p>Lifecycle: {@code start} once, from the server's main thread; {@code stop} once, from any
 * thread (a shutdown hook, a test); {@code stats} and {@code describe} from any thread, any time.
 * One file per model; each states at its top which threads (or processes) run what, and what the
 * model costs.
 */
public interface ConcurrencyModel {

    /** Binds, starts accepting and returns the address it listens on (port 0 becomes a real port). */
    InetSocketAddress start(ModelContext ctx) throws IOException;

    /**
     * Stops accepting; lets requests in flight finish within {@code grace}; then closes what is
     * left and ends every thread or process the model started. Blocks until that is done.
     */
    void stop(Duration grace) throws InterruptedException;

    /** The knobs in force, for the startup line, e.g. {@code threads=200 queue=100 overflow=backlog}. */
    String describe();

    /**
     * How many connections it serves at once under {@code config}: what one client address may
     * take half of ({@code --max-per-client auto}). By default every connection it may hold.
     */
    default int capacity(ServerConfig config) {
        return config.connectionLimit();
    }

    /** Live figures for {@code /stats}: workers, queue, processes. */
    default Map<String, Object> stats() {
        return Map.of();
    }
}
