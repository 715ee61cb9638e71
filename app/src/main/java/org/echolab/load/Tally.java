package org.echolab.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The run's counts, written by every event loop and read once a second by the progress thread.
 * Thread-safe: each loop records latency into its own {@link SingleWriterRecorder} (wait-free);
 * {@link #sample()} swaps out what each recorded since the last sample and adds it to the total.
 * Counters are {@link LongAdder}s; error kinds and workers are few, so maps of adders suffice.
 */
final class Tally {

    /** Latencies are recorded in microseconds, to 3 significant digits. */
    static final int DIGITS = 3;

    private final SingleWriterRecorder[] recorders;
    private final Histogram total = new Histogram(DIGITS);
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> workers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    Tally(int loops) {
        recorders = new SingleWriterRecorder[loops];
        for (int i = 0; i < loops; i++) {
            recorders[i] = new SingleWriterRecorder(DIGITS);
        }
    }

    /** The recorder that loop {@code i}, and only it, writes. */
    SingleWriterRecorder recorder(int loop) {
        return recorders[loop];
    }

    void recordOk() {
        ok.increment();
    }

    void error(String kind) {
        errors.increment();
        errorsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** A response with this status arrived (whether it was right or not). */
    void status(int code) {
        statuses.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    void connected() {
        connects.increment();
    }

    LongAdder worker(String name) {
        return workers.computeIfAbsent(name, k -> new LongAdder());
    }

    long okCount() {
        return ok.sum();
    }

    long errorCount() {
        return errors.sum();
    }

    long connectCount() {
        return connects.sum();
    }

    Map<String, Long> errorsByKind() {
        return snapshot(errorsByKind);
    }

    Map<String, Long> workers() {
        return snapshot(workers);
    }

    /** Moves the latencies recorded since the last call into the total; returns just those. */
    synchronized Histogram sample() {
        Histogram now = new Histogram(DIGITS);
        for (SingleWriterRecorder r : recorders) {
            now.add(r.getIntervalHistogram());
        }
        total.add(now);
        return now;
    }

    /** A copy of every latency sampled so far. */
    synchronized Histogram total() {
        return total.copy();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
