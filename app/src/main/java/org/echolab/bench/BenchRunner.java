package org.echolab.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.models.Models;

/**
 * Runs a {@link BenchPlan}: every cell of the matrix, then the C reference ({@link Nginx}, when
 * given) on the same cells, then the connections scenario, the thundering herd
 * ({@link HerdScenario}) and the open workload ({@link OpenScenario}), each on a fresh server
 * process (on a core of its own when the run is {@link Pinning pinned}), loaded
 * from this JVM by the load generator while a {@link Sampler} reads the server's process tree.
 *
 * <p>One cell: start {@code echolab serve} (fresh JVM) -> read the idle tree -> load it (warm-up,
 * for a process per client until every client has been answered once; then the recorded period) -> stop it with SIGTERM and wait for the whole tree. CPU, memory,
 * threads, processes and descriptors are taken from the samples inside the recorded period only.
 * Runs on the caller's thread, one cell at a time: cells must not disturb each other.
 */
public final class BenchRunner {

    /** How long the idle server is read before the load starts, for its baseline memory. */
    private static final Duration IDLE = Duration.ofMillis(200);
    /** After the connections scenario, time for the last children to exit and be reaped into their parent's CPU. */
    static final Duration SETTLE = Duration.ofMillis(300);

    private final BenchPlan plan;
    private final Path jar;
    private final Path logs;
    private final Guards guards;
    private final ProgressBar progress;
    private final Machine machine;
    private final Optional<Nginx> nginx;
    private final Pinning pinning;
    private volatile ServerProcess running; // read by the shutdown hook

    /** A runner without the C reference. */
    public BenchRunner(BenchPlan plan, Path jar, Path logs, Machine machine, ProgressBar progress) {
        this(plan, jar, logs, machine, progress, Optional.empty());
    }

    /** A runner that measures {@code nginx}, when present, on the same cells as the models. */
    public BenchRunner(
            BenchPlan plan, Path jar, Path logs, Machine machine, ProgressBar progress, Optional<Nginx> nginx) {
        this(plan, jar, logs, machine, progress, nginx, Pinning.not("not asked for"));
    }

    /** A runner that also starts every server on the server's core of {@code pinning}, when it pins. */
    public BenchRunner(
            BenchPlan plan,
            Path jar,
            Path logs,
            Machine machine,
            ProgressBar progress,
            Optional<Nginx> nginx,
            Pinning pinning) {
        this.pinning = pinning;
        this.plan = plan;
        this.jar = jar;
        this.logs = logs;
        this.machine = machine;
        this.guards = new Guards(machine);
        this.progress = progress;
        this.nginx = nginx;
    }

    /** Every cell of the matrix, in plan order, then the reference's on the same cells. */
    public List<CellResult> matrix() {
        Thread hook = stopOnExit();
        try {
            List<CellResult> cells = new ArrayList<>();
            for (String model : plan.models()) {
                for (Workload w : plan.workloads()) {
                    for (int clients : plan.clients()) {
                        cells.add(cell(model, clients, w));
                    }
                }
            }
            if (nginx.isPresent()) {
                for (Workload w : plan.workloads()) {
                    for (int clients : plan.clients()) {
                        cells.add(referenceCell(nginx.get(), clients, w));
                    }
                }
            }
            return cells;
        } finally {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    CellResult cell(String model, int clients, Workload w) {
        String name = model + " c=" + clients + " " + w.label();
        progress.begin(name);
        Optional<String> skip = guards.skip(model, clients, w, plan.timeout());
        if (skip.isPresent()) {
            progress.end("skipped: " + skip.get());
            return CellResult.notRun(model, clients, w, "skipped", skip.get());
        }
        return measure(
                model,
                clients,
                w,
                guards.warmup(model, clients, plan.warmup()),
                Guards.startsAProcessPerClient(model),
                () -> start(model, logs.resolve(model + "-c" + clients + "-" + w.slug() + ".log")));
    }

    /** nginx on one cell: started fresh like the models' servers, and measured the same way. */
    private CellResult referenceCell(Nginx n, int clients, Workload w) {
        String name = Nginx.SERIES + " c=" + clients + " " + w.label();
        progress.begin(name);
        Optional<String> skip = guards.skipReference(clients, w);
        if (skip.isPresent()) {
            progress.end("skipped: " + skip.get());
            return CellResult.notRun(Nginx.SERIES, clients, w, "skipped", skip.get());
        }
        String cell = Nginx.SERIES + "-c" + clients + "-" + w.slug();
        return measure(Nginx.SERIES, clients, w, guards.warmupReference(clients, plan.warmup()), false, () -> {
            running = n.start(w, machine.fdLimit(), logs.resolve(cell), logs.resolve(cell + ".log"), pinning);
            return running;
        });
    }

    /** Starts a cell's server. */
    private interface Start {
        ServerProcess server() throws IOException;
    }

    /**
     * One cell, run: the server started, idle, loaded, sampled, stopped. Where {@code untilAnswered},
     * the warm-up also lasts until every client has been answered once (its child has started).
     */
    private CellResult measure(
            String model, int clients, Workload w, Duration warmup, boolean untilAnswered, Start start) {
        try (ServerProcess server = start.server();
                Sampler sampler = Sampler.start(server.pid(), plan.sampleEvery())) {
            server.awaitAnswer();
            Thread.sleep(IDLE);
            ProcStats.Sample idle = ProcStats.sample(server.pid(), true);
            LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                    .connections(clients)
                    .warmup(warmup)
                    .warmupUntilAnswered(untilAnswered)
                    .duration(plan.duration())
                    .timeout(plan.timeout())
                    .serverWait(w.perRequest())
                    .work(w.work())
                    .build();
            long t0 = System.nanoTime();
            LoadResult r = LoadGenerator.run(
                    spec, p -> progress.live(String.format("%.0f req/s  p99 %.1f ms", p.currentRate(), p.p99Millis())));
            long from = t0 + r.warmup().toNanos();
            List<ProcStats.Sample> window =
                    sampler.between(from, from + plan.duration().toNanos());
            CellResult c = figures(model, clients, w, r, idle, window, server.pid(), server.startupLine());
            progress.end(String.format(
                    "%.0f req/s  p99 %.1f ms  %d errors", c.requestsPerSecond(), c.p99Millis(), c.errors()));
            return c;
        } catch (IOException | LoadException | IllegalArgumentException e) {
            progress.end("failed: " + e.getMessage());
            return CellResult.notRun(model, clients, w, "failed", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CellResult.notRun(model, clients, w, "failed", "interrupted");
        } finally {
            running = null;
        }
    }

    /** A cell's figures from its load result and the server's samples (none: zeros); also for {@link TargetRunner}. */
    static CellResult figures(
            String model,
            int clients,
            Workload w,
            LoadResult r,
            ProcStats.Sample idle,
            List<ProcStats.Sample> window,
            long serverPid,
            String startupLine) {
        double cpuCores = 0, generatorCores = 0, otherCores = 0;
        if (window.size() >= 2) {
            ProcStats.Sample a = window.getFirst(), b = window.getLast();
            double seconds = (b.nanoTime() - a.nanoTime()) / 1e9;
            cpuCores = (b.cpuSeconds() - a.cpuSeconds()) / seconds;
            generatorCores = (b.selfCpuSeconds() - a.selfCpuSeconds()) / seconds;
            double busy = (b.machineBusySeconds() - a.machineBusySeconds()) / seconds;
            otherCores = Math.max(0, busy - cpuCores - generatorCores);
        }
        double rps = r.throughput();
        long pssPeak =
                window.stream().mapToLong(ProcStats.Sample::pssBytes).max().orElse(0);
        long rssPeak =
                window.stream().mapToLong(ProcStats.Sample::rssBytes).max().orElse(0);
        double waitSeconds = w.perRequest().toNanos() / 1e9;
        double little = waitSeconds > 0 ? clients / waitSeconds : 0;
        // a cell that completed nothing has no figures: it says so, and no chart or table takes its zeros for a result
        String status = r.requests() > 0 ? "ok" : CellResult.EMPTY;
        String reason = r.requests() > 0
                ? ""
                : "no request completed in the recorded period"
                        + (r.errors() > 0 ? " (errors: " + r.errorsByKind() + ")" : "");
        return new CellResult(
                model,
                clients,
                w.label(),
                w.kind(),
                w.perRequest().toNanos() / 1e6,
                status,
                reason,
                r.requests(),
                r.errors(),
                r.errorsByKind(),
                r.fairness(),
                rps,
                r.percentileMillis(50),
                r.percentileMillis(90),
                r.percentileMillis(99),
                r.percentileMillis(99.9),
                r.maxMillis(),
                cpuCores,
                rps > 0 ? cpuCores / rps * 1e6 : 0,
                generatorCores,
                otherCores,
                idle.pssBytes(),
                pssPeak,
                rssPeak,
                Math.max(0, (pssPeak - idle.pssBytes()) / clients),
                window.stream().mapToInt(ProcStats.Sample::threads).max().orElse(0),
                window.stream().mapToInt(ProcStats.Sample::processes).max().orElse(0),
                window.stream().mapToInt(ProcStats.Sample::descriptors).max().orElse(0),
                little,
                little > 0 ? rps / little : 0,
                serverPid,
                startupLine);
    }

    /**
     * The connections scenario for every model, {@code sequential} (the book's baseline) first.
     * Before measuring, each server serves a tenth as many connections unrecorded, so the JIT has
     * compiled the hot paths (as the book's C servers needed no warming).
     */
    public List<ConnectionsResult> connections() {
        if (plan.connections() == 0) {
            return List.of();
        }
        Thread hook = stopOnExit();
        try {
            List<String> order = new ArrayList<>(plan.models());
            order.sort(Comparator.comparing(m -> !oneAtATime(m))); // the book's baseline, the iterative server, first
            List<ConnectionsResult> out = new ArrayList<>();
            Double baseline = null;
            for (String model : order) {
                ConnectionsResult c = connections(model, baseline);
                if (oneAtATime(model) && c.ran()) {
                    baseline = c.cpuMillisPerConnection();
                }
                out.add(c);
            }
            return out;
        } finally {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private static boolean oneAtATime(String model) {
        return Models.byName(model).traits().oneAtATime();
    }

    private ConnectionsResult connections(String model, Double baselineMillis) {
        int n = Models.byName(model).traits().perConnection() == Models.PerConnection.PROCESS
                ? Math.min(plan.processConnections(), plan.connections())
                : plan.connections();
        progress.begin("connections " + model + " x" + n);
        if (n == 0) {
            progress.end("skipped");
            return new ConnectionsResult(model, "skipped", "no connections asked for", 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        try (ServerProcess server = start(model, logs.resolve(model + "-connections.log"));
                Sampler sampler = Sampler.start(server.pid(), plan.sampleEvery())) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            LoadGenerator.run(shortConnections(target, Math.max(BenchPlan.CONNECTIONS_AT_ONCE, n / 10)), null);
            Thread.sleep(SETTLE);
            ProcStats.Sample before = ProcStats.sample(server.pid(), false);
            LoadResult r = LoadGenerator.run(shortConnections(target, n), null);
            Thread.sleep(SETTLE);
            ProcStats.Sample after = ProcStats.sample(server.pid(), false);
            double cpu = after.cpuSeconds() - before.cpuSeconds();
            double perConn = cpu / n * 1000;
            double above = baselineMillis == null ? 0 : perConn - baselineMillis;
            int peak = sampler.samples().stream()
                    .mapToInt(ProcStats.Sample::processes)
                    .max()
                    .orElse(1);
            progress.end(String.format("%.3f ms CPU per connection, %d errors", perConn, r.errors()));
            String reason = n < plan.connections()
                    ? "process per connection: " + n + " connections, not " + plan.connections()
                    : "";
            return new ConnectionsResult(
                    model,
                    "ok",
                    reason,
                    n,
                    r.errors(),
                    r.throughput(),
                    cpu,
                    perConn,
                    above,
                    above * 5000 / 1000,
                    peak,
                    server.pid());
        } catch (IOException | LoadException | IllegalArgumentException e) {
            progress.end("failed: " + e.getMessage());
            return new ConnectionsResult(model, "failed", String.valueOf(e.getMessage()), n, 0, 0, 0, 0, 0, 0, 0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ConnectionsResult(model, "failed", "interrupted", n, 0, 0, 0, 0, 0, 0, 0, 0);
        } finally {
            running = null;
        }
    }

    /**
     * The thundering-herd scenario: every prefork model of the plan at each of its worker counts
     * (none when the plan has no worker counts).
     */
    public List<HerdResult> herd() {
        if (plan.herdWorkers().isEmpty()) {
            return List.of();
        }
        Thread hook = stopOnExit();
        try {
            return new HerdScenario(plan, guards, progress, logs, (model, args, log) -> {
                        running = ServerProcess.start(jar, model, args, log, pinning);
                        return running;
                    })
                    .run();
        } finally {
            running = null;
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** UNP's client: a new connection per request, 4,000 bytes each, 10 open at once. */
    static LoadSpec shortConnections(URI target, int n) {
        return LoadSpec.builder(target)
                .connections(BenchPlan.CONNECTIONS_AT_ONCE)
                .connectPerRequest(true)
                .requests(n)
                .size(BenchPlan.CONNECTION_BYTES)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private ServerProcess start(String model, Path log) throws IOException {
        running = ServerProcess.start(jar, model, plan.serverArgs(), log, pinning);
        return running;
    }

    /**
     * The open-workload scenario ({@link OpenScenario}), when the plan asks for it: nginx's maximum,
     * then nginx and every model at shares of it; one row saying why when there is no nginx.
     */
    public List<OpenResult> open(String noReference) {
        if (!plan.open()) {
            return List.of();
        }
        Thread hook = stopOnExit();
        try {
            return new OpenScenario(plan, guards, progress, logs, (series, log) -> {
                        if (!series.equals(Nginx.SERIES)) {
                            return start(series, log);
                        }
                        Path dir = log.resolveSibling("open-" + Nginx.SERIES);
                        running = nginx.orElseThrow()
                                .start(new Workload("none", null), machine.fdLimit(), dir, log, pinning);
                        return running;
                    })
                    .run(nginx.isPresent() ? Optional.empty() : Optional.of(noReference));
        } finally {
            running = null;
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** If the bench is stopped (Ctrl-C), the server it is loading stops too. */
    private Thread stopOnExit() {
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            ServerProcess s = running;
            if (s != null) {
                s.close();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }
}
