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

/**
 * The thundering-herd scenario, UNP vol. 1 ch. 30.6: does a connection cost more CPU when more
 * idle workers wait for it? For each prefork model and worker count W: a fresh server with W
 * one-thread workers ({@code --workers W --worker-model sequential}, as UNP's children), waited for
 * until all W are up and the tree is idle; every worker warmed up; then the tree's CPU time (the
 * parent and every worker, from /proc) over the connections scenario's load, per connection. A
 * kernel that woke every worker blocked in {@code accept} for each connection would make that
 * figure grow with W; a lock around accept ({@code prefork-flock}, {@code prefork-mutex}) keeps
 * all but one worker out of {@code accept}.
 *
 * <p>Runs on the caller's thread ({@link BenchRunner#herd}), one server at a time.
 */
final class HerdScenario {

    /**
     * Warm-up connections per worker: every worker is a JVM whose JIT warms up on its own
     * connections, so a fixed warm-up would leave many workers colder than a few.
     */
    static final int WARMUP_PER_WORKER = 50;
    /** How long the tree's CPU is watched to call it idle. */
    static final Duration QUIET_WINDOW = Duration.ofSeconds(1);
    /** Idle: the tree used under this share of one core over the window, plus {@link #QUIET_PER_WORKER} per worker. */
    static final double QUIET_CORES = 0.05;
    /** An idle JVM still ticks now and then (its GC and compiler threads' housekeeping). */
    static final double QUIET_PER_WORKER = 0.002;
    /** Time allowed for the workers to start and settle: this, plus {@link Guards#PROCESS_START} per worker. */
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(20);

    /** Starts a model's server with extra {@code serve} options; the runner keeps it for its shutdown hook. */
    interface Starter {
        ServerProcess start(String model, List<String> args, Path log) throws IOException;
    }

    private final BenchPlan plan;
    private final Guards guards;
    private final ProgressBar progress;
    private final Path logs;
    private final Starter starter;

    HerdScenario(BenchPlan plan, Guards guards, ProgressBar progress, Path logs, Starter starter) {
        this.plan = plan;
        this.guards = guards;
        this.progress = progress;
        this.logs = logs;
        this.starter = starter;
    }

    /** Every herd model at every worker count, models in plan order. */
    List<HerdResult> run() {
        List<HerdResult> out = new ArrayList<>();
        for (String model : plan.herdModels()) {
            for (int workers : plan.herdWorkers()) {
                out.add(point(model, workers));
            }
        }
        return out;
    }

    private HerdResult point(String model, int workers) {
        int n = plan.herdConnections();
        progress.begin("herd " + model + " x" + workers + " workers");
        Optional<String> skip = guards.skipHerd(workers);
        if (skip.isPresent()) {
            progress.end("skipped: " + skip.get());
            return HerdResult.notRun(model, workers, "skipped", skip.get(), n);
        }
        List<String> args = new ArrayList<>(plan.serverArgs());
        args.addAll(
                List.of("--workers", Integer.toString(workers), "--worker-model", "sequential", "--backlog", "4096"));
        try (ServerProcess server = starter.start(model, args, logs.resolve(model + "-herd-" + workers + ".log"))) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            progress.live("starting " + workers + " workers");
            settle(server.pid(), workers);
            progress.live("warming up " + workers + " workers");
            LoadGenerator.run(
                    BenchRunner.shortConnections(target, Math.max(n / 10, WARMUP_PER_WORKER * workers)), null);
            settle(server.pid(), workers); // what the warm-up left to compile, compiled
            ProcStats.Sample before = ProcStats.sample(server.pid(), false);
            LoadResult r = LoadGenerator.run(BenchRunner.shortConnections(target, n), null);
            Thread.sleep(BenchRunner.SETTLE); // the workers close the last connections
            ProcStats.Sample after = ProcStats.sample(server.pid(), false);
            double cpu = after.cpuSeconds() - before.cpuSeconds();
            double perConn = cpu / n * 1000;
            progress.end(String.format("%.3f ms CPU per connection, %d errors", perConn, r.errors()));
            return new HerdResult(model, workers, "ok", "", n, r.errors(), cpu, perConn, server.pid());
        } catch (IOException | LoadException | IllegalArgumentException e) {
            progress.end("failed: " + e.getMessage());
            return HerdResult.notRun(model, workers, "failed", String.valueOf(e.getMessage()), n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HerdResult.notRun(model, workers, "failed", "interrupted", n);
        }
    }

    /**
     * Returns once the tree has every worker (the parent and {@code workers} children) and its CPU
     * is quiet over a whole window: a worker still starting or compiling would count in the figure.
     *
     * @throws IOException saying what was missing when that does not happen in time
     */
    private static void settle(long root, int workers) throws IOException, InterruptedException {
        Duration limit = SETTLE_LIMIT.plus(Guards.PROCESS_START.multipliedBy(workers));
        long deadline = System.nanoTime() + limit.toNanos();
        double quietSeconds = (QUIET_CORES + QUIET_PER_WORKER * workers) * QUIET_WINDOW.toNanos() / 1e9;
        ProcStats.Sample last = ProcStats.sample(root, false);
        while (true) {
            Thread.sleep(QUIET_WINDOW);
            ProcStats.Sample now = ProcStats.sample(root, false);
            boolean allUp = now.processes() >= workers + 1;
            double used = now.cpuSeconds() - last.cpuSeconds();
            if (allUp && used < quietSeconds) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        allUp
                                ? String.format(
                                        "the tree did not go idle within %ds (%.2f cores busy)",
                                        limit.toSeconds(), used * 1e9 / QUIET_WINDOW.toNanos())
                                : (now.processes() - 1) + " of " + workers + " workers up after " + limit.toSeconds()
                                        + "s");
            }
            last = now;
        }
    }
}
