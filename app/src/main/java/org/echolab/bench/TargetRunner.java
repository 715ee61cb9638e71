package org.echolab.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;

/**
 * Runs a {@link BenchPlan}'s client counts x workloads against a server the bench did not start
 * ({@code echolab bench --target URL}): another machine, a cluster behind a load balancer, a server
 * started by hand. The plan's single "model" is the target's label.
 *
 * <p>Nothing is started or stopped, so cells share one server and run back to back. The machine
 * cost of the server is read from /proc only for the processes named by {@code --pids} (each with
 * its descendants, added up); without them a cell has latency and throughput only, and the
 * connections scenario, which is about CPU per connection, is skipped. Runs on the caller's thread.
 */
public final class TargetRunner {

    private final BenchPlan plan;
    private final URI target;
    private final List<Long> pids;
    private final Machine machine;
    private final ProgressBar progress;

    public TargetRunner(BenchPlan plan, URI target, List<Long> pids, Machine machine, ProgressBar progress) {
        this.plan = plan;
        this.target = target;
        this.pids = List.copyOf(pids);
        this.machine = machine;
        this.progress = progress;
    }

    /** What the report says about the server, where a started server's startup line would be. */
    public String description() {
        return "external server at " + target
                + (pids.isEmpty() ? ", not sampled (no --pids)" : ", sampled: pids " + pids);
    }

    private String label() {
        return plan.models().getFirst();
    }

    /** Every cell, in plan order. */
    public List<CellResult> matrix() {
        List<CellResult> cells = new ArrayList<>();
        for (Workload w : plan.workloads()) {
            for (int clients : plan.clients()) {
                cells.add(cell(clients, w));
            }
        }
        return cells;
    }

    private CellResult cell(int clients, Workload w) {
        progress.begin(label() + " c=" + clients + " " + w.label());
        if (clients + Guards.FD_MARGIN > machine.fdLimit()) {
            String why = "needs " + clients + " descriptors here and more; ulimit -n is " + machine.fdLimit();
            progress.end("skipped: " + why);
            return CellResult.notRun(label(), clients, w, "skipped", why);
        }
        Duration warmup = plan.warmup().compareTo(Guards.CONNECT_TIME.multipliedBy(clients)) >= 0
                ? plan.warmup()
                : Guards.CONNECT_TIME.multipliedBy(clients);
        LoadSpec spec = LoadSpec.builder(target)
                .connections(clients)
                .warmup(warmup)
                .duration(plan.duration())
                .timeout(plan.timeout())
                .serverWait(w.perRequest())
                .work(w.work())
                .build();
        try (Sampler sampler = pids.isEmpty() ? null : Sampler.start(pids, plan.sampleEvery())) {
            ProcStats.Sample idle = pids.isEmpty() ? nothing() : ProcStats.sample(pids, true);
            long t0 = System.nanoTime();
            LoadResult r = LoadGenerator.run(
                    spec, p -> progress.live(String.format("%.0f req/s  p99 %.1f ms", p.currentRate(), p.p99Millis())));
            long from = t0 + warmup.toNanos();
            List<ProcStats.Sample> window = sampler == null
                    ? List.of()
                    : sampler.between(from, from + plan.duration().toNanos());
            CellResult c = BenchRunner.figures(
                    label(), clients, w, r, idle, window, pids.isEmpty() ? 0 : pids.getFirst(), description());
            progress.end(String.format(
                    "%.0f req/s  p99 %.1f ms  %d errors", c.requestsPerSecond(), c.p99Millis(), c.errors()));
            return c;
        } catch (LoadException | IllegalArgumentException e) {
            progress.end("failed: " + e.getMessage());
            return CellResult.notRun(label(), clients, w, "failed", String.valueOf(e.getMessage()));
        }
    }

    /** UNP's connections scenario against the target: only with --pids, whose CPU it measures. */
    public List<ConnectionsResult> connections() {
        if (plan.connections() == 0) {
            return List.of();
        }
        int n = plan.connections();
        progress.begin("connections " + label() + " x" + n);
        if (pids.isEmpty()) {
            progress.end("skipped: no --pids to measure");
            return List.of(new ConnectionsResult(
                    label(), "skipped", "CPU per connection needs the server's --pids", n, 0, 0, 0, 0, 0, 0, 0, 0));
        }
        try {
            LoadGenerator.run(shortConnections(Math.max(BenchPlan.CONNECTIONS_AT_ONCE, n / 10)), null);
            ProcStats.Sample before = ProcStats.sample(pids, false);
            LoadResult r = LoadGenerator.run(shortConnections(n), null);
            Thread.sleep(300); // the last children, if any, exit and are reaped into their parent's CPU
            ProcStats.Sample after = ProcStats.sample(pids, false);
            double cpu = after.cpuSeconds() - before.cpuSeconds();
            double perConn = cpu / n * 1000;
            progress.end(String.format("%.3f ms CPU per connection, %d errors", perConn, r.errors()));
            return List.of(new ConnectionsResult(
                    label(),
                    "ok",
                    "",
                    n,
                    r.errors(),
                    r.throughput(),
                    cpu,
                    perConn,
                    0,
                    0,
                    after.processes(),
                    pids.getFirst()));
        } catch (LoadException | IllegalArgumentException e) {
            progress.end("failed: " + e.getMessage());
            return List.of(new ConnectionsResult(
                    label(), "failed", String.valueOf(e.getMessage()), n, 0, 0, 0, 0, 0, 0, 0, 0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(new ConnectionsResult(label(), "failed", "interrupted", n, 0, 0, 0, 0, 0, 0, 0, 0));
        }
    }

    private LoadSpec shortConnections(int n) {
        return BenchRunner.shortConnections(target, n);
    }

    /** The idle reading of a server that is not sampled. */
    private static ProcStats.Sample nothing() {
        return new ProcStats.Sample(System.nanoTime(), 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
