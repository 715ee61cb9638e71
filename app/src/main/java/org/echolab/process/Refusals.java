package org.echolab.process;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every client the server turned away with a 503 (or an ERR line), counted by the reason: a
 * refusal that is counted nowhere looks, from the server's figures, like a client that never came.
 * {@code /stats} shows the counts as {@code refused}, {@code /metrics} as
 * {@code echolab_refusals_total{reason=...}}, the live view beside its gauges, and {@code -v} logs
 * a line for each. Thread-safe: any thread that refuses counts.
 */
public final class Refusals {

    private static final System.Logger LOG = System.getLogger(Refusals.class.getName());

    /** Why a client was turned away. */
    public enum Reason {
        /** Its address already held {@code --max-per-client} connections. */
        PER_CLIENT("max-per-client"),
        /** The model had no place for it: a pool's threads and queue full ({@code --overflow reject}), a lab model's {@code refuse}, a full {@code --offload} queue, a {@code process} child that could not be started. */
        FULL("server-full"),
        /** The replies held reached {@code --memory-budget}. */
        MEMORY_BUDGET("memory-budget"),
        /** The CPU work in flight reached {@code --cpu-budget}. */
        CPU_BUDGET("cpu-budget");

        /** The name in /stats, /metrics and the log. */
        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private final LongAdder[] counts = new LongAdder[Reason.values().length];

    public Refusals() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts one refusal of {@code client} and logs it (DEBUG: shown with {@code -v}). */
    public void count(Reason reason, String client, String why) {
        counts[reason.ordinal()].increment();
        LOG.log(Level.DEBUG, "{0}: refused ({1}): {2}", client, reason.label, why);
    }

    public long count(Reason reason) {
        return counts[reason.ordinal()].sum();
    }

    public long total() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
        }
        return n;
    }

    /** Each reason's count, every reason listed (zeros included), for /stats. */
    public Map<String, Long> figures() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            m.put(r.label, count(r));
        }
        return m;
    }
}
