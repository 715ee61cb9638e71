package org.echolab.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Several load runs taken as one ({@code echolab load merge A.hlog B.hlog ...}): the load of
 * several client machines that loaded one server (or cluster) at the same time, when one machine
 * could not generate it alone. Requests and errors add up; the latency histograms add up, so the
 * merged percentiles are exact (an average of each run's p99 is not a p99); the rate is the sum of
 * each generator's rate over its own measured period. Immutable.
 */
public final class MergedRuns {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<HistogramLog.Run> runs;
    private final Histogram latency = new Histogram(Tally.DIGITS);
    private final Map<String, Long> errorsByKind = new TreeMap<>();

    public MergedRuns(List<HistogramLog.Run> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        this.runs = List.copyOf(runs);
        for (HistogramLog.Run r : runs) {
            latency.add(r.latency());
            r.errorsByKind().forEach((kind, n) -> errorsByKind.merge(kind, n, Long::sum));
        }
    }

    public List<HistogramLog.Run> runs() {
        return runs;
    }

    public long requests() {
        return latency.getTotalCount();
    }

    public long errors() {
        return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> errorsByKind() {
        return new TreeMap<>(errorsByKind);
    }

    /** The sum of each run's rate: what the generators sent together while they all ran. */
    public double throughput() {
        return runs.stream().mapToDouble(HistogramLog.Run::throughput).sum();
    }

    /**
     * How far apart the runs' measured periods were: from the earliest start to the latest end,
     * in seconds, against the longest single period. Much more than that means they did not run
     * at the same time, and their summed rate overstates what the server saw.
     */
    public double spanSeconds() {
        long start =
                runs.stream().mapToLong(HistogramLog.Run::startMillis).min().orElse(0);
        long end = runs.stream().mapToLong(HistogramLog.Run::endMillis).max().orElse(0);
        return (end - start) / 1000.0;
    }

    public double longestRunSeconds() {
        return runs.stream().mapToDouble(r -> r.elapsed().toNanos() / 1e9).max().orElse(0);
    }

    public double percentileMillis(double p) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p) / 1000.0;
    }

    public double maxMillis() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }

    /** A copy of the merged latency histogram, in microseconds. */
    public Histogram latency() {
        return latency.copy();
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "runs",
                runs.stream()
                        .map(r -> {
                            Map<String, Object> run = new LinkedHashMap<>();
                            run.put("file", r.file().toString());
                            run.put("target", r.target());
                            run.put("requests", r.requests());
                            run.put("errors", r.errors());
                            run.put("elapsedSeconds", r.elapsed().toNanos() / 1e9);
                            run.put("throughput", r.throughput());
                            run.put(
                                    "p99Millis",
                                    r.latency().getTotalCount() == 0
                                            ? 0
                                            : r.latency().getValueAtPercentile(99) / 1000.0);
                            return run;
                        })
                        .toList());
        m.put("requests", requests());
        m.put("errors", errors());
        m.put("errorsByKind", errorsByKind());
        m.put("throughput", throughput());
        m.put("spanSeconds", spanSeconds());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", percentileMillis(50));
        lat.put("p90", percentileMillis(90));
        lat.put("p99", percentileMillis(99));
        lat.put("p99.9", percentileMillis(99.9));
        lat.put("max", maxMillis());
        lat.put("mean", latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0);
        m.put("latencyMillis", lat);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of numbers and strings must serialise", e);
        }
    }
}
