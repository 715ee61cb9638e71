package org.echolab.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;

/**
 * The open-workload scenario, as the perf check's: nginx's maximum closed rate first
 * ({@link BenchPlan#OPEN_CONNECTIONS} keep-alive connections sending back to back, no wait), then
 * nginx and every model at each of {@link BenchPlan#OPEN_PERCENTS} of it as an open workload: requests
 * due on a fixed schedule, latency from each request's intended send time. The tails (p99, p99.9)
 * then say what a user waits at a load the server should carry, which a closed run hides: there a
 * stalled server also stalls its clients, and the requests they would have sent are never timed.
 *
 * <p>Each server is started fresh, answers once, is warmed up by {@link #WARMUP} of closed load,
 * and each of its runs has the plan's warm-up before the recorded period. Without nginx there is no rate to size the runs by: one row says so.
 * Runs on the caller's thread ({@link BenchRunner#open}), one server at a time.
 */
final class OpenScenario {

    /** Starts a server, a model or {@link Nginx#SERIES}; the runner keeps it for its shutdown hook. */
    interface Starter {
        ServerProcess start(String series, Path log) throws IOException;
    }

    private static final Workload NONE = new Workload("none", null);
    /**
     * Closed load before a server's first open run, unrecorded: a cold JVM, whose JIT compiles on the
     * server's one core, falls behind any schedule near its rate, and its backlog would be measured
     * instead of the server (the perf check warms each server up with a 5 s wrk run).
     */
    static final Duration WARMUP = Duration.ofSeconds(2);

    private final BenchPlan plan;
    private final Guards guards;
    private final ProgressBar progress;
    private final Path logs;
    private final Starter starter;

    OpenScenario(BenchPlan plan, Guards guards, ProgressBar progress, Path logs, Starter starter) {
        this.plan = plan;
        this.guards = guards;
        this.progress = progress;
        this.logs = logs;
        this.starter = starter;
    }

    /** Every row: nginx's maximum, then nginx's and each model's runs; or why none ran. */
    List<OpenResult> run(Optional<String> noReference) {
        List<OpenResult> rows = new ArrayList<>();
        if (noReference.isPresent()) {
            progress.begin("open workload");
            add(
                    rows,
                    OpenResult.notRun(
                            Nginx.SERIES,
                            OpenResult.MAX,
                            0,
                            "not run",
                            "the open workload's rates are shares of nginx's maximum, and there is no nginx: "
                                    + noReference.get()));
            return rows;
        }
        OpenResult max = server(Nginx.SERIES, 0, rows);
        for (String model : plan.models()) {
            Optional<String> skip = guards.skip(model, BenchPlan.OPEN_CONNECTIONS, NONE, plan.timeout());
            if (skip.isPresent() || !max.ran()) {
                for (int pc : BenchPlan.OPEN_PERCENTS) {
                    progress.begin("open " + model + " " + pc + "%");
                    add(
                            rows,
                            skip.isPresent()
                                    ? OpenResult.notRun(
                                            model, pc, rate(max.requestsPerSecond(), pc), "skipped", skip.get())
                                    : OpenResult.notRun(
                                            model,
                                            pc,
                                            0,
                                            "not run",
                                            "nginx's maximum rate was not measured (see its row)"));
                }
            } else {
                server(model, max.requestsPerSecond(), rows);
            }
        }
        return rows;
    }

    /**
     * One server started fresh: for nginx ({@code maxRate} 0) its maximum first, then a run at each
     * percent of the maximum; adds its rows, and returns its first (for nginx: its maximum).
     */
    private OpenResult server(String series, double maxRate, List<OpenResult> rows) {
        boolean reference = maxRate == 0;
        List<Integer> due = new ArrayList<>();
        if (reference) {
            due.add(OpenResult.MAX);
        }
        due.addAll(BenchPlan.OPEN_PERCENTS);
        int first = rows.size();
        boolean begun = false;
        String why;
        try (ServerProcess server = starter.start(series, logs.resolve("open-" + series + ".log"))) {
            server.awaitAnswer();
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            progress.live("warming up");
            LoadGenerator.run(
                    LoadSpec.builder(target)
                            .connections(BenchPlan.OPEN_CONNECTIONS)
                            .duration(WARMUP.compareTo(plan.warmup()) > 0 ? WARMUP : plan.warmup())
                            .timeout(plan.timeout())
                            .build(),
                    null);
            for (int pc : due) {
                double rate = pc == OpenResult.MAX ? 0 : rate(maxRate, pc);
                progress.begin("open " + series + " "
                        + (rate == 0 ? "max (closed)" : pc + "% (" + Math.round(rate) + " req/s)"));
                begun = true;
                add(rows, figures(series, pc, rate, run(target, rate), server.pid()));
                begun = false;
                if (rate == 0 && !rows.getLast().ran()) {
                    why = "its maximum measured nothing";
                    notRun(series, due, rows, first, "not run", why, maxRate, false);
                    return rows.get(first);
                }
                if (rate == 0) {
                    maxRate = rows.getLast().requestsPerSecond();
                }
            }
            return rows.get(first);
        } catch (IOException | LoadException | IllegalArgumentException e) {
            why = String.valueOf(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        notRun(series, due, rows, first, "failed", why, maxRate, begun);
        return rows.get(first);
    }

    /** The rows of {@code due} that {@code series} did not get, with this status and reason. */
    private void notRun(
            String series,
            List<Integer> due,
            List<OpenResult> rows,
            int first,
            String status,
            String why,
            double maxRate,
            boolean begun) {
        for (int pc : due.subList(rows.size() - first, due.size())) {
            if (!begun) {
                progress.begin("open " + series + " " + (pc == OpenResult.MAX ? "max" : pc + "%"));
            }
            begun = false;
            add(rows, OpenResult.notRun(series, pc, pc == OpenResult.MAX ? 0 : rate(maxRate, pc), status, why));
        }
    }

    /** A row, and the end of its progress step. */
    private void add(List<OpenResult> rows, OpenResult r) {
        rows.add(r);
        if (r.ran()) {
            progress.end(String.format(
                    "%.0f req/s  p99 %.2f ms  p99.9 %.2f ms%s",
                    r.requestsPerSecond(),
                    r.p99Millis(),
                    r.p999Millis(),
                    r.fellBehind() ? "  FELL BEHIND (" + r.unsent() + " unsent)" : ""));
        } else {
            progress.end(r.status().toUpperCase(java.util.Locale.ROOT) + ": " + r.reason());
        }
    }

    /** A closed run ({@code rate} 0, for nginx's maximum) or an open one at {@code rate}. */
    private LoadResult run(URI target, double rate) throws LoadException, InterruptedException {
        LoadSpec spec = LoadSpec.builder(target)
                .connections(BenchPlan.OPEN_CONNECTIONS)
                .rate(rate)
                .warmup(plan.warmup())
                .duration(plan.duration())
                .timeout(plan.timeout())
                .build();
        return LoadGenerator.run(
                spec, p -> progress.live(String.format("%.0f req/s  p99 %.1f ms", p.currentRate(), p.p99Millis())));
    }

    /** {@code percent} of {@code maxRate}, in whole requests per second; 0 when there is no maximum. */
    static double rate(double maxRate, int percent) {
        return maxRate > 0 ? Math.max(1, Math.round(maxRate * percent / 100)) : 0;
    }

    /** A run's row; one that completed nothing says so, with what it sent and what went wrong. */
    private static OpenResult figures(String series, int percent, double rate, LoadResult r, long pid) {
        if (r.requests() == 0) {
            String why = "no request completed in the recorded period"
                    + (r.unsent() > 0 ? "; " + r.unsent() + " due were never sent" : "")
                    + (r.errors() > 0 ? " (errors: " + r.errorsByKind() + ")" : "");
            return new OpenResult(
                    series,
                    percent,
                    rate,
                    CellResult.EMPTY,
                    why,
                    0,
                    r.errors(),
                    0,
                    r.unsent(),
                    r.generatorLagP99Millis(),
                    r.fellBehind(),
                    0,
                    0,
                    pid);
        }
        return new OpenResult(
                series,
                percent,
                rate,
                "ok",
                "",
                r.requests(),
                r.errors(),
                r.throughput(),
                r.unsent(),
                rate > 0 ? r.generatorLagP99Millis() : 0,
                r.fellBehind(),
                r.percentileMillis(99),
                r.percentileMillis(99.9),
                pid);
    }
}
