package org.echolab.monitor;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.echolab.process.Closes;

/**
 * Each number of {@code GET /stats} as a Prometheus metric of its own, with its type and unit: a
 * figure that only grows is a counter ({@code _total}), bytes end in {@code _bytes}, times are in
 * seconds ({@code _seconds}), the rest are gauges. A figure a model adds that is not listed here
 * still appears, as a gauge named after it, so nothing in {@code /stats} is missing from
 * {@code /metrics}. Strings (the model, the TLS certificate) and the pid are not numbers to plot
 * and stay in {@code /stats}. Thread-safe for one scraper at a time, as {@link Metrics}.
 */
final class StatFigures {

    enum Type {
        COUNTER,
        GAUGE
    }

    /** {@code stat}: the figure's name in {@code /stats} ({@code outer.inner} when nested); {@code scale}: to the metric's unit. */
    record Figure(String stat, String metric, Type type, Unit unit, double scale, String help) {}

    private static Figure counter(String stat, String metric, String help) {
        return new Figure(stat, metric, Type.COUNTER, null, 1, help);
    }

    private static Figure gauge(String stat, String metric, String help) {
        return new Figure(stat, metric, Type.GAUGE, null, 1, help);
    }

    private static Figure bytes(String stat, String metric, String help) {
        return new Figure(stat, metric, Type.GAUGE, Unit.BYTES, 1, help);
    }

    private static Figure seconds(String stat, String metric, double scale, String help) {
        return new Figure(stat, metric, Type.GAUGE, Unit.SECONDS, scale, help);
    }

    /** Every figure with a name, type and unit of its own; see {@code docs/server.md} for what each means. */
    static final List<Figure> FIGURES = List.of(
            seconds("uptimeSeconds", "echolab_uptime_seconds", 1, "Time since the server started"),
            counter(
                    "requestsServed",
                    "echolab_requests_served",
                    "Requests served (process models: by the whole process tree)"),
            counter(
                    "requestNumbersIssued",
                    "echolab_request_numbers_issued",
                    "Request numbers handed out by the shared state (--state)"),
            gauge("requestsInFlight", "echolab_requests_in_flight", "Requests begun and not yet answered"),
            gauge(
                    "requestsInFlightPeak",
                    "echolab_requests_in_flight_peak",
                    "Most requests in flight at once since the start"),
            gauge("connectionsOpen", "echolab_connections_open", "Connections open"),
            gauge("connectionsPeak", "echolab_connections_peak", "Most connections open at once since the start"),
            gauge("clients", "echolab_clients", "Distinct client addresses served since the start"),
            gauge("threads", "echolab_threads", "Live threads of this JVM"),
            bytes(
                    "bytesHeld",
                    "echolab_memory_held_bytes",
                    "Bytes of request bodies and replies held now (--memory-budget counts them)"),
            bytes("bytesHeldPeak", "echolab_memory_held_peak_bytes", "Most bytes held at once since the start"),
            bytes("memoryBudget", "echolab_memory_budget_bytes", "--memory-budget: bytes that may be held at once"),
            seconds(
                    "cpuInFlightMillis",
                    "echolab_cpu_work_in_flight_seconds",
                    1e-3,
                    "CPU work (work=cpu) asked for by requests in flight"),
            seconds(
                    "cpuBudgetMillis",
                    "echolab_cpu_budget_seconds",
                    1e-3,
                    "--cpu-budget: CPU work that may be in flight at once"),
            counter(
                    "requestsUnanswered",
                    "echolab_requests_unanswered",
                    "Complete requests whose connection the server closed before a byte of the answer was written (process models: the whole tree)"),
            counter(
                    "refusedOverBudget",
                    "echolab_over_budget",
                    "Requests answered 503 because --memory-budget or --cpu-budget was spent"),
            // pool, prefork and prethread (pushedOut: pool run on its own, and prethread)
            gauge("poolThreads", "echolab_pool_threads", "Threads of the pool (--threads)"),
            gauge("poolBusy", "echolab_pool_busy_threads", "Pool threads serving a connection now"),
            gauge("queued", "echolab_pool_queued_connections", "Connections waiting for a pool thread (--queue)"),
            counter(
                    "rejected",
                    "echolab_pool_rejected_connections",
                    "Connections turned away because the pool and its queue were full"),
            counter(
                    "pushedOut",
                    "echolab_pool_pushed_out_connections",
                    "Slow request heads answered 408 and closed to free a place while every place was taken"),
            gauge("sessionsActive", "echolab_sessions_active", "Connections being served by a session now"),
            gauge("sessionsPeak", "echolab_sessions_peak", "Most sessions at once since the start"),
            // eventloop
            gauge("loops", "echolab_event_loops", "Selector loops (--loops)"),
            gauge("timersPending", "echolab_event_loop_timers_pending", "Waits scheduled on the loops' timers"),
            bytes(
                    "bytesQueued",
                    "echolab_event_loop_queued_bytes",
                    "Bytes of replies waiting for their connection to take them"),
            bytes(
                    "bytesQueuedPeak",
                    "echolab_event_loop_queued_peak_bytes",
                    "Most reply bytes waiting at once since the start"),
            gauge("offloadActive", "echolab_offload_active", "work=cpu requests running on the --offload pool"),
            gauge("offloadQueued", "echolab_offload_queued", "work=cpu requests waiting for the --offload pool"),
            // process and prefork: the tree
            gauge(
                    "processTree.live",
                    "echolab_tree_processes",
                    "Processes of the tree alive now (children, or workers)"),
            gauge("processTree.peak", "echolab_tree_processes_peak", "Most processes of the tree alive at once"),
            counter("processTree.spawned", "echolab_tree_processes_spawned", "Processes the tree has started"),
            counter(
                    "processTree.started",
                    "echolab_tree_processes_started",
                    "Processes of the tree that said they started (a prefork worker: once it accepts)"),
            counter(
                    "processTree.reaped",
                    "echolab_tree_processes_reaped",
                    "Processes of the tree that ended and were waited for"),
            counter(
                    "processTree.requestsServed",
                    "echolab_tree_requests_served",
                    "Requests served by the whole process tree"),
            gauge(
                    "processTree.requestsInFlight",
                    "echolab_tree_requests_in_flight",
                    "Requests in flight in the whole process tree"),
            gauge(
                    "processTree.requestsInFlightPeak",
                    "echolab_tree_requests_in_flight_peak",
                    "Most requests in flight in the tree at once"),
            gauge(
                    "processTree.connectionsOpen",
                    "echolab_tree_connections_open",
                    "Connections open in the whole process tree"),
            gauge(
                    "processTree.connectionsPeak",
                    "echolab_tree_connections_peak",
                    "Most connections open in the tree at once"),
            gauge("maxChildren", "echolab_tree_max_children", "--max-children"),
            gauge("maxStarting", "echolab_tree_max_starting", "--max-starting"),
            gauge("spares", "echolab_tree_spares", "--spares"),
            gauge(
                    "sparesWaiting",
                    "echolab_tree_spares_waiting",
                    "Spare children started and waiting for a connection"),
            gauge("startingPeak", "echolab_tree_starting_peak", "Most children starting at once"),
            gauge("workers", "echolab_tree_workers", "Worker processes (--workers)"),
            gauge("workersIdle", "echolab_tree_workers_idle", "Worker processes serving no connection now"),
            // UDP
            counter("udpReceived", "echolab_udp_received_datagrams", "UDP datagrams received"),
            counter("udpEchoed", "echolab_udp_echoed_datagrams", "UDP datagrams echoed"),
            counter(
                    "udpDroppedOversized",
                    "echolab_udp_dropped_oversized_datagrams",
                    "UDP datagrams dropped: over --udp-max-datagram"),
            counter(
                    "udpDroppedQueueFull",
                    "echolab_udp_dropped_queue_full_datagrams",
                    "UDP datagrams dropped: --udp-queue was full"),
            gauge("udpWaiting", "echolab_udp_waiting_datagrams", "UDP echoes waiting for their wait to end"));

    /** The {@code /stats} figure of the closes by cause: one counter with a label, not a figure each. */
    private static final String CLOSED_BY = "connectionsClosedBy";

    private static final List<String> CLOSE_CAUSES =
            Arrays.stream(Closes.Cause.values()).map(c -> c.label).toList();

    /** Numbers in {@code /stats} that are not measurements: a pid, a port, a flag. */
    private static final Set<String> NOT_FIGURES = Set.of("pid", "processTree.parentPid", "udpPort", "offload");

    private final Supplier<Map<String, Object>> stats;

    private StatFigures(Supplier<Map<String, Object>> stats) {
        this.stats = stats;
    }

    /** Registers every figure of {@code stats} (read at each scrape) in {@code registry}. */
    static void register(PrometheusRegistry registry, Supplier<Map<String, Object>> stats) {
        StatFigures f = new StatFigures(stats);
        for (Figure figure : FIGURES) {
            if (figure.type() == Type.COUNTER) {
                CounterWithCallback.builder()
                        .name(figure.metric())
                        .help(figure.help())
                        .callback(c -> f.value(figure).ifPresent(c::call))
                        .register(registry);
            } else {
                GaugeWithCallback.Builder b = GaugeWithCallback.builder()
                        .name(figure.metric())
                        .help(figure.help())
                        .callback(c -> f.value(figure).ifPresent(c::call));
                if (figure.unit() != null) {
                    b.unit(figure.unit());
                }
                b.register(registry);
            }
        }
        GaugeWithCallback.builder()
                .name("echolab_event_loop_connections")
                .help("Connections open on each selector loop")
                .labelNames("loop")
                .callback(c -> {
                    if (stats.get().get("connectionsPerLoop") instanceof List<?> perLoop) {
                        for (int i = 0; i < perLoop.size(); i++) {
                            if (perLoop.get(i) instanceof Number n) {
                                c.call(n.doubleValue(), Integer.toString(i));
                            }
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("echolab_connections_closed")
                .help("Connections closed, by cause: " + String.join(", ", CLOSE_CAUSES)
                        + " (process models: the whole tree)")
                .labelNames("reason")
                .callback(c -> {
                    if (stats.get().get(CLOSED_BY) instanceof Map<?, ?> closedBy) {
                        closedBy.forEach((reason, n) -> {
                            if (n instanceof Number count) {
                                c.call(count.doubleValue(), reason.toString());
                            }
                        });
                    }
                })
                .register(registry);
        registry.register((MultiCollector) f::unlisted);
    }

    private java.util.OptionalDouble value(Figure figure) {
        Object v = at(stats.get(), figure.stat());
        return v instanceof Number n
                ? java.util.OptionalDouble.of(n.doubleValue() * figure.scale())
                : java.util.OptionalDouble.empty();
    }

    private static Object at(Map<String, Object> figures, String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return figures.get(path);
        }
        return figures.get(path.substring(0, dot)) instanceof Map<?, ?> inner
                ? inner.get(path.substring(dot + 1))
                : null;
    }

    /** A gauge for each number that {@link #FIGURES} does not list: a model's new figure is not lost. */
    private MetricSnapshots unlisted() {
        Set<String> listed = FIGURES.stream().map(Figure::stat).collect(Collectors.toSet());
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        Map<String, Object> figures = stats.get();
        figures.forEach((k, v) -> {
            if (k.equals(CLOSED_BY)) {
                return; // echolab_connections_closed_total{reason=...}
            }
            if (v instanceof Map<?, ?> inner) {
                inner.forEach((ik, iv) -> add(out, listed, k + "." + ik, iv));
            } else {
                add(out, listed, k, v);
            }
        });
        return out.build();
    }

    private static void add(MetricSnapshots.Builder out, Set<String> listed, String stat, Object v) {
        if (!(v instanceof Number n) || listed.contains(stat) || NOT_FIGURES.contains(stat)) {
            return;
        }
        out.metricSnapshot(GaugeSnapshot.builder()
                .name(metricName(stat))
                .help("The /stats figure " + stat)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(n.doubleValue())
                        .labels(Labels.EMPTY)
                        .build())
                .build());
    }

    /** {@code processTree.sparesWaiting} to {@code echolab_process_tree_spares_waiting}. */
    static String metricName(String stat) {
        return "echolab_"
                + stat.replace('.', '_')
                        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                        .toLowerCase(Locale.ROOT);
    }
}
