package org.echolab.process;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.state.ServerState;

/**
 * What one serving process holds for all its connections: the ledger of its requests, its two
 * budgets (bytes held for bodies and replies, {@code --memory-budget}; CPU work in flight,
 * {@code --cpu-budget}), its readiness and the figures of {@code /stats}. Each
 * {@link org.echolab.connection.Conversation} takes from the budgets and reports to the ledger.
 * Thread-safe, as each part is.
 */
public record Resources(Ledger ledger, Budget memory, Budget cpu, Readiness readiness, Stats stats)
        implements AutoCloseable {

    /**
     * The resources of a process serving {@code config} over {@code state}; the budgets' "auto"
     * is resolved here, in each process (a prefork worker has a heap of its own).
     *
     * @param modelStats the model's own figures for {@code /stats}, asked for on each request
     * @param tls        the server's TLS figures for {@code /stats}, or null when it has none
     * @throws IllegalArgumentException if the {@code --access-log} file cannot be opened
     */
    public static Resources of(
            ServerConfig config,
            ServerState state,
            Supplier<Map<String, Object>> modelStats,
            Readiness readiness,
            Map<String, Object> tls) {
        AccessLog accessLog;
        try {
            accessLog = AccessLog.open(config);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--access-log " + config.accessLog + ": cannot open it: " + e.getMessage(), e);
        }
        Ledger ledger = new Ledger(state, accessLog);
        Budget memory = new Budget(
                config.memoryBudget > 0
                        ? config.memoryBudget
                        : Runtime.getRuntime().maxMemory() / 4);
        Budget cpu = new Budget(
                config.cpuBudget.isPositive()
                        ? config.cpuBudget.toNanos()
                        : config.maxWait.toNanos() * Runtime.getRuntime().availableProcessors());
        Stats stats = new Stats(config.model, state, modelStats, ledger, memory, cpu, tls);
        return new Resources(ledger, memory, cpu, readiness, stats);
    }

    /**
     * The memory budget of a child process (a {@code prefork} worker, a {@code process} child),
     * whose heap ({@code heap} bytes) is its own and smaller than the parent's: a budget asked for
     * ({@code --memory-budget}, sized for the parent) is held to a quarter of it, what auto gives, so
     * that what the budget lets in (a body, and the reply that copies it) fits beside what the child
     * needs to run; 0 (auto) stays auto.
     */
    public static long childMemoryBudget(long asked, long heap) {
        return asked > 0 ? Math.min(asked, heap / 4) : asked;
    }

    @Override
    public void close() {
        ledger.close();
    }
}
