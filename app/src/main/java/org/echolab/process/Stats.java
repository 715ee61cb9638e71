package org.echolab.process;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.state.ServerState;

/**
 * {@code GET /stats}: the server's figures as JSON. Thread-safe.
 */
public final class Stats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String model;
    private final ServerState state;
    private final Supplier<Map<String, Object>> modelStats;
    private final Budget memory;
    private final Budget cpu;
    private final Ledger ledger;
    private final Map<String, Object> tls; // null: no --tls
    private final long startedNanos = System.nanoTime();

    Stats(
            String model,
            ServerState state,
            Supplier<Map<String, Object>> modelStats,
            Ledger ledger,
            Budget memory,
            Budget cpu,
            Map<String, Object> tls) {
        this.ledger = ledger;
        this.tls = tls;
        this.model = model;
        this.state = state;
        this.modelStats = modelStats;
        this.memory = memory;
        this.cpu = cpu;
    }

    /** The figures, the model's own last (a process model's tree totals replace this process's). */
    public Map<String, Object> figures() {
        ServerState.Snapshot s = state.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("pid", ProcessHandle.current().pid());
        m.put("uptimeSeconds", (System.nanoTime() - startedNanos) / 1e9);
        m.put("state", state.name());
        m.put("requestsServed", s.served());
        m.put("requestNumbersIssued", s.requestNumbers());
        m.put("requestsInFlight", ledger.inFlight());
        m.put("requestsInFlightPeak", ledger.inFlightPeak());
        m.put("connectionsOpen", s.open());
        m.put("connectionsPeak", s.peak());
        m.put("clients", s.perClient().size());
        m.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        m.put("bytesHeld", memory.used());
        m.put("bytesHeldPeak", memory.peak());
        m.put("memoryBudget", memory.limit());
        m.put("cpuInFlightMillis", cpu.used() / 1_000_000);
        m.put("cpuBudgetMillis", cpu.limit() / 1_000_000);
        m.put("refusedOverBudget", memory.refusals() + cpu.refusals());
        m.put("refused", ledger.refusals().total());
        m.put("refusedBy", ledger.refusals().figures());
        m.put("connectionsClosedBy", ledger.closes().figures());
        m.put("requestsUnanswered", ledger.closes().unanswered());
        if (tls != null) {
            m.put("tls", tls);
        }
        m.putAll(modelStats.get());
        return m;
    }

    /** The figures as JSON; {@code pretty}: indented, one figure a line, for people. */
    public byte[] json(boolean pretty) throws JsonProcessingException {
        return (pretty ? JSON.writerWithDefaultPrettyPrinter() : JSON.writer()).writeValueAsBytes(figures());
    }
}
