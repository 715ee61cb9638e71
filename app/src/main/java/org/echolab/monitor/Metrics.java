package org.echolab.monitor;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import org.echolab.config.ServerConfig;
import org.echolab.process.Activity;
import org.echolab.process.Refusals;
import org.echolab.process.Resources;

/**
 * {@code GET /metrics}: the server's figures in the Prometheus text format, through the Prometheus
 * Java client. Every metric is read when scraped (callbacks over the figures the server keeps
 * anyway), so metrics cost a request nothing beyond {@link Activity}'s counts.
 *
 * <p>Under {@code process} and {@code prefork} children answer the requests, and every figure is
 * the whole tree's: {@code echolab_requests_total} and the latency histogram through the tree's
 * request ring, which this process's {@link Activity} includes; served, in flight and connections
 * from the tree's shared board, as in {@code /stats}. Each {@code /stats} figure is a metric of its
 * own ({@link StatFigures}); the JVM's and the process's own ({@code jvm_*}, {@code process_*}) come
 * from the Prometheus client's instrumentation. {@code jvm_*} and {@code process_*} describe the
 * process that answers the scrape (the parent, under the process models).
 *
 * <p>Thread-safe for one scraper at a time: the monitor's thread.
 */
final class Metrics {

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Resources process;
    private Map<String, Object> stats = Map.of(); // read once per scrape, for every callback

    Metrics(ServerConfig config, Resources process, int port) {
        this.process = process;
        Activity activity = process.ledger().activity();
        CounterWithCallback.builder()
                .name("echolab_requests")
                .help(
                        "Requests answered, by protocol and status (TCP lines: ok or err; process models: the whole tree)")
                .labelNames("protocol", "code")
                .callback(c -> {
                    for (int s = 100; s < 600; s++) {
                        long n = activity.answered(s);
                        if (n > 0) {
                            c.call(n, "http", Integer.toString(s));
                        }
                    }
                    c.call(activity.answered(Activity.LINE_OK), "tcp", "ok");
                    c.call(activity.answered(Activity.LINE_ERR), "tcp", "err");
                })
                .register(registry);
        registry.register(() -> latency(activity));
        CounterWithCallback.builder()
                .name("echolab_refusals")
                .help(
                        "Clients turned away with a 503 (or an ERR line), by reason: max-per-client, server-full, memory-budget, cpu-budget")
                .labelNames("reason")
                .callback(c -> {
                    for (Refusals.Reason r : Refusals.Reason.values()) {
                        c.call(process.ledger().refusals().count(r), r.label);
                    }
                })
                .register(registry);
        StatFigures.register(registry, () -> stats);
        gauge(
                "echolab_accept_queue",
                "Clients waiting in the kernel's accept queue of the listening port (Linux)",
                () -> {
                    OptionalInt n = AcceptQueue.length(port);
                    return n.isPresent() ? n.getAsInt() : Double.NaN;
                });
        gauge(
                "echolab_accept_queue_limit",
                "The accept queue's length limit: --backlog, capped by net.core.somaxconn",
                () -> AcceptQueue.limit(config.backlog));
        gauge(
                "echolab_processes",
                "Processes in the server's tree: this one and its children",
                () -> 1 + process.ledger().activity().servingChildren().count());
        JvmMetrics.builder().register(registry); // jvm_* and process_*: memory, GC, threads, CPU, open files
    }

    /** Writes every metric, read now, in the Prometheus text format (version 0.0.4). */
    void write(OutputStream out) throws IOException {
        stats = process.stats().figures();
        TEXT.write(out, registry.scrape());
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private static HistogramSnapshot latency(Activity activity) {
        double[] bounds = Arrays.copyOf(Activity.LATENCY_BUCKETS, Activity.LATENCY_BUCKETS.length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder()
                .name("echolab_request_duration_seconds")
                .unit(Unit.SECONDS)
                .help("Time from a request's parse to its answer's write, wait included (this process's requests)")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, activity.latencyCounts()))
                        .sum(activity.latencySumSeconds())
                        .build())
                .build();
    }

    private void gauge(String name, String help, java.util.function.DoubleSupplier value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(c -> c.call(value.getAsDouble()))
                .register(registry);
    }
}
