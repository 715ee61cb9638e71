package org.echolab.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a run measured. Immutable (the histograms are private copies; {@link #latency()} returns
 * another copy). Latency is in microseconds: from the send in a closed workload, from the
 * intended start in an open one.
 */
public final class LoadResult {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final LoadSpec spec;
    private final long requests;
    private final Map<String, Long> errorsByKind;
    private final long errors;
    private final Duration warmup;
    private final Duration elapsed;
    private final Histogram latency;
    private final Histogram lag;
    private final long unsent;
    private final long connections;
    private final List<Long> requestNumbers;
    private final Map<String, Long> workers;
    private final Fairness fairness;
    private final boolean interrupted;
    private final Map<Integer, Long> statuses;

    LoadResult(
            LoadSpec spec,
            long requests,
            Map<String, Long> errorsByKind,
            Duration warmup,
            Duration elapsed,
            Histogram latency,
            Histogram lag,
            long unsent,
            long connections,
            List<Long> requestNumbers,
            Map<String, Long> workers,
            Fairness fairness,
            boolean interrupted,
            Map<Integer, Long> statuses) {
        this.statuses = Map.copyOf(statuses);
        this.spec = spec;
        this.requests = requests;
        this.errorsByKind = Map.copyOf(errorsByKind);
        this.errors = errorsByKind.values().stream().mapToLong(Long::longValue).sum();
        this.warmup = warmup;
        this.elapsed = elapsed;
        this.latency = latency;
        this.lag = lag;
        this.unsent = unsent;
        this.connections = connections;
        this.requestNumbers = List.copyOf(requestNumbers);
        this.workers = Map.copyOf(workers);
        this.fairness = fairness;
        this.interrupted = interrupted;
    }

    public LoadSpec spec() {
        return spec;
    }

    /** Requests completed and verified OK (after the warm-up). */
    public long requests() {
        return requests;
    }

    /** Every outcome that was not OK, warm-up included: errors are never hidden. */
    public long errors() {
        return errors;
    }

    /** Error counts by kind, sorted by kind: wrong-body, status-503, timeout, connect-refused, reset, ... */
    public Map<String, Long> errorsByKind() {
        return new java.util.TreeMap<>(errorsByKind);
    }

    /**
     * The warm-up as it ran: from the start of the run until recording started (longer than the
     * planned one where it waited for every connection's first answer).
     */
    public Duration warmup() {
        return warmup;
    }

    /** The measured period: from the end of the warm-up until the last response. */
    public Duration elapsed() {
        return elapsed;
    }

    /** OK requests per second over the measured period. */
    public double throughput() {
        double s = elapsed.toNanos() / 1e9;
        return s > 0 ? requests / s : 0;
    }

    /** HTTP responses by status code, sorted, warm-up included, right or not (empty for TCP). */
    public Map<Integer, Long> statuses() {
        return new java.util.TreeMap<>(statuses);
    }

    /** Whether any request succeeded: without one there is no latency to report. */
    public boolean anyLatency() {
        return latency.getTotalCount() > 0;
    }

    /** A copy of the latency histogram, in microseconds. */
    public Histogram latency() {
        return latency.copy();
    }

    public double percentileMillis(double p) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p) / 1000.0;
    }

    public double maxMillis() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }

    /** Connections the generator opened (one per request with connect-per-request). */
    public long connectionsOpened() {
        return connections;
    }

    /** The X-Echo-Request numbers seen, if {@code collectRequestNumbers} was asked for. */
    public List<Long> requestNumbers() {
        return requestNumbers;
    }

    /** X-Echo-Worker value -> responses: the distinct pids and threads that served. */
    public Map<String, Long> workers() {
        return new java.util.TreeMap<>(workers);
    }

    /** How the answers were spread over the connections, and whether some were starved. */
    public Fairness fairness() {
        return fairness;
    }

    /** True when the run was stopped early (the caller was interrupted). */
    public boolean interrupted() {
        return interrupted;
    }

    /**
     * Open workload: requests the schedule called for before the end that were never sent,
     * because every connection was still busy (the server, or too few connections, could not keep
     * up). 0 for a closed workload.
     */
    public long unsent() {
        return unsent;
    }

    /**
     * Open workload: how late the generator itself began requests whose connection was free
     * (99th percentile, ms); a large value means the generator, not the server, fell behind.
     */
    public double generatorLagP99Millis() {
        return lag == null || lag.getTotalCount() == 0 ? 0 : lag.getValueAtPercentile(99) / 1000.0;
    }

    public double generatorLagMaxMillis() {
        return lag == null || lag.getTotalCount() == 0 ? 0 : lag.getMaxValue() / 1000.0;
    }

    /**
     * Open workload: whether the schedule was not kept: more than one request in a thousand left
     * unsent, or the generator late by 10 ms or more at p99. The run's end cuts off a request or two
     * that fell due while every connection was busy with the one before; that is the edge of the
     * measurement, not a server that could not keep up.
     */
    public boolean fellBehind() {
        return spec.open() && behind(requests, unsent, generatorLagP99Millis());
    }

    static boolean behind(long sent, long unsent, double lagP99Millis) {
        return unsent * 1000 > sent + unsent || lagP99Millis >= 10;
    }

    /** The HdrHistogram percentile distribution (.hgrm), in milliseconds. */
    public void writePercentileDistribution(PrintStream out) {
        latency.outputPercentileDistribution(out, 1000.0);
    }

    /** The summary as JSON, for machines. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", spec.target().toString());
        m.put("workload", spec.open() ? "open" : "closed");
        m.put("rate", spec.open() ? spec.rate() : null);
        m.put("connections", spec.connections());
        m.put("connectPerRequest", spec.connectPerRequest());
        m.put("wait", spec.serverWait() == null ? null : org.echolab.protocol.Durations.format(spec.serverWait()));
        m.put("work", spec.work());
        m.put("size", spec.size());
        m.put("requests", requests);
        m.put("errors", errors);
        m.put("errorsByKind", errorsByKind());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        statuses().forEach((code, n) -> byStatus.put(Integer.toString(code), n));
        m.put("statuses", byStatus);
        m.put("verify", spec.verify().name().toLowerCase(java.util.Locale.ROOT));
        m.put("elapsedSeconds", elapsed.toNanos() / 1e9);
        m.put("throughput", throughput());
        Map<String, Object> lat = new LinkedHashMap<>();
        boolean any = anyLatency(); // none succeeded: null, not a latency of 0
        lat.put("p50", any ? percentileMillis(50) : null);
        lat.put("p90", any ? percentileMillis(90) : null);
        lat.put("p99", any ? percentileMillis(99) : null);
        lat.put("p99.9", any ? percentileMillis(99.9) : null);
        lat.put("max", any ? maxMillis() : null);
        lat.put("mean", any ? latency.getMean() / 1000.0 : null);
        m.put("latencyMillis", lat);
        m.put("latencyFrom", spec.open() ? "intended start" : "send");
        if (spec.open()) {
            m.put("unsent", unsent);
            m.put("generatorLagP99Millis", generatorLagP99Millis());
            m.put("generatorLagMaxMillis", generatorLagMaxMillis());
            m.put("fellBehind", fellBehind());
        }
        m.put("connectionsOpened", connections);
        m.put("fairness", fairness); // as in the benchmark's results.json: connections, min, median, max, starved
        m.put("workers", workers());
        m.put("interrupted", interrupted);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of numbers and strings must serialise", e);
        }
    }
}
