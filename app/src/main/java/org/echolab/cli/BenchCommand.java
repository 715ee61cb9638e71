package org.echolab.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.echolab.bench.BenchPlan;
import org.echolab.bench.ProcStats;
import org.echolab.bench.ServerProcess;
import org.echolab.bench.Workload;
import org.echolab.models.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code echolab bench}: every model side by side; parses the options into a plan, and {@link BenchRun} runs it. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Benchmark every model side by side: req/s, latency, CPU, memory, threads and processes",
            "over models x client counts x workloads, each cell on a fresh server process, plus UNP ch. 30's",
            "short-connections scenario and its thundering herd (--herd), and with --open the tails of an open",
            "workload at 50% and 90% of nginx's maximum. Every server runs on one core and the bench on another",
            "(taskset), where the machine has two. Writes results.json, results.csv, report.md and report.html.",
            "Run it alone on the machine: other work on the same cores skews every figure.",
            "--render DIR draws an earlier run's report and charts again from DIR/results.json, running nothing.",
            "Or measure a server it does not start (another machine, a cluster): --target URL [--pids PID,PID]"
        })
final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--quick",
            description = "The CI preset: 1 and 10 clients, short cells, a herd of 2 and 8 workers; about a minute.")
    boolean quick;

    @Option(
            names = "--models",
            split = ",",
            paramLabel = "M,M",
            description = "Models to run. Default: every model (${sys:echolab.models}).")
    List<String> models;

    @Option(
            names = "--clients",
            split = ",",
            paramLabel = "N,N",
            description = "Client counts. Default: 1,10,100,1000,10000 (--quick: 1,10).")
    List<Integer> clients;

    @Option(
            names = "--workloads",
            split = ",",
            paramLabel = "W,W",
            description =
                    "Per-request work: sleep:DURATION, cpu:DURATION or none. Default: sleep:100ms,cpu:5ms,none (--quick: sleep:10ms).")
    List<String> workloads;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            description = "Unrecorded load before each cell. Default: 1s (--quick: 200ms).")
    Duration warmup;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description = "Recorded period of each cell. Default: 3s (--quick: 500ms).")
    Duration duration;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "Per request; slower counts as an error. Default: 5s (--quick: 1s).")
    Duration timeout;

    @Option(
            names = "--connections",
            paramLabel = "N",
            description =
                    "Connections scenario: short connections per model; 0 skips it. Default: 2000 (--quick: 100).")
    Integer connections;

    @Option(
            names = "--process-connections",
            paramLabel = "N",
            description = "Connections scenario: the count for 'process' (a JVM each). Default: 100 (--quick: 10).")
    Integer processConnections;

    @Option(
            names = "--herd",
            split = ",",
            paramLabel = "W",
            description =
                    "Thundering-herd scenario (UNP ch. 30.6): each prefork model among --models (prefork, prefork-flock, "
                            + "prefork-mutex, prefork-pass) with W one-thread workers for each W given, CPU per short connection; "
                            + "'none' skips it. Default: 2,15,60,120 (--quick: 2,4). A count the machine cannot hold is skipped, saying why.")
    List<String> herd;

    @Option(
            names = "--herd-connections",
            paramLabel = "N",
            description =
                    "Thundering-herd scenario: short connections measured per model and worker count. Default: 2000 (--quick: 100).")
    Integer herdConnections;

    @Option(
            names = "--open",
            description = "Open-workload scenario: nginx's maximum closed rate (" + BenchPlan.OPEN_CONNECTIONS
                    + " connections, no wait), then nginx and every model at 50% and 90% of it on a fixed"
                    + " schedule; p99 and p99.9 from each request's intended send time. Needs nginx. Default: off"
                    + " (about 10 s per model at the default durations).")
    boolean open;

    @Option(
            names = "--server-arg",
            paramLabel = "OPTION",
            description = "An extra 'serve' option for every server, e.g. --server-arg=--threads=400 (repeatable).")
    List<String> serverArgs = new ArrayList<>();

    @Option(
            names = "--target",
            paramLabel = "URL",
            description =
                    "Measure this server instead of starting one per model, e.g. a cluster's balancer: http://host:port/echo.")
    URI target;

    @Option(
            names = "--pids",
            split = ",",
            paramLabel = "PID,PID",
            description =
                    "With --target: read CPU, memory, threads and processes of these processes and their descendants (on this machine). Default: none, latency and throughput only.")
    List<Long> pids = new ArrayList<>();

    @Option(
            names = "--label",
            paramLabel = "NAME",
            description = "With --target: its name in the report. Default: the target's host:port.")
    String label;

    @Option(names = "--out", paramLabel = "DIR", description = "Results folder. Default: bench-results/<timestamp>.")
    Path out;

    @Option(
            names = "--jar",
            paramLabel = "PATH",
            description = "The echolab jar to run servers from. Default: the jar running this command.")
    Path jar;

    @Option(
            names = "--nginx",
            paramLabel = "PATH",
            description = "The C reference: nginx with Debian's echo module, run on the same "
                    + "cells as the models, so every table and chart gives each model's ratio to it. Default: nginx on the PATH; "
                    + "where there is none (or PATH does not exist) the report says so and how to install it.")
    String nginx = "nginx";

    @Option(
            names = "--render",
            paramLabel = "DIR",
            description =
                    "Run nothing: rewrite DIR's report, CSV files and charts "
                            + "from DIR/results.json (e.g. after the report changed; an older run's figures it lacks show as n/a). Takes no other option.")
    Path render;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (render != null) {
            return render();
        }
        if (target != null) {
            return callTarget();
        }
        if (!pids.isEmpty() || label != null) {
            System.err.println("echolab bench: --pids and --label go with --target");
            return ExitCode.USAGE.code;
        }
        if (!ProcStats.supported()) {
            System.err.println(
                    "echolab bench: needs Linux's /proc (smaps_rollup, Linux 4.14 or newer) to measure servers");
            return ExitCode.UNSUPPORTED.code;
        }
        BenchPlan plan;
        Path serverJar;
        try {
            plan = plan();
            serverJar = jar != null ? jar : ServerProcess.ownJar();
        } catch (IllegalArgumentException e) {
            System.err.println("echolab bench: " + e.getMessage());
            return ExitCode.USAGE.code;
        } catch (IllegalStateException e) {
            System.err.println("echolab bench: " + e.getMessage());
            return ExitCode.CANNOT_START.code;
        }
        if (!Files.isRegularFile(serverJar)) {
            System.err.println("echolab bench: no jar at " + serverJar + "; build it with ./mvnw -pl app -am package");
            return ExitCode.CANNOT_START.code;
        }
        return BenchRun.models(plan, serverJar, out, nginx, String.join(" ", commandLine()));
    }

    /** {@code --render DIR}: the report of an earlier run, drawn again from its results.json. */
    private int render() {
        if (spec.commandLine().getParseResult().matchedOptions().size() > 1) {
            System.err.println(
                    "echolab bench: --render takes no other option: it draws the run that DIR/results.json holds");
            return ExitCode.USAGE.code;
        }
        return BenchRun.render(render);
    }

    /** {@code --target}: the plan's client counts x workloads against a server this command does not start. */
    private int callTarget() {
        BenchPlan plan;
        try {
            if (models != null
                    || !serverArgs.isEmpty()
                    || jar != null
                    || herd != null
                    || herdConnections != null
                    || open) {
                throw new IllegalArgumentException(
                        "--target measures a running server: --models, --server-arg, --jar, --herd and --open"
                                + " are for servers the bench starts");
            }
            if (target.getHost() == null || target.getPort() < 0) {
                throw new IllegalArgumentException("--target " + target + ": give http://host:port/path");
            }
            for (long pid : pids) {
                if (ProcessHandle.of(pid).isEmpty()) {
                    throw new IllegalArgumentException("--pids: no process " + pid + " on this machine");
                }
            }
            if (!pids.isEmpty() && !ProcStats.supported()) {
                System.err.println("echolab bench: --pids needs Linux's /proc (smaps_rollup, Linux 4.14 or newer)");
                return ExitCode.UNSUPPORTED.code;
            }
            plan = plan(List.of(label != null ? label : target.getHost() + ":" + target.getPort()));
        } catch (IllegalArgumentException e) {
            System.err.println("echolab bench: " + e.getMessage());
            return ExitCode.USAGE.code;
        }
        return BenchRun.target(plan, target, pids, out, String.join(" ", commandLine()));
    }

    /** The preset, with each option given on the command line in place of the preset's value. */
    BenchPlan plan() {
        List<String> names = models != null ? models : Models.names();
        for (String m : names) {
            Models.byName(m);
        }
        return plan(names);
    }

    private BenchPlan plan(List<String> names) {
        BenchPlan base = quick ? BenchPlan.quick(names) : BenchPlan.full(names);
        List<Workload> ws = workloads == null
                ? base.workloads()
                : workloads.stream().map(Workload::parse).toList();
        return new BenchPlan(
                base.preset(),
                names,
                clients != null ? clients : base.clients(),
                ws,
                warmup != null ? warmup : base.warmup(),
                duration != null ? duration : base.duration(),
                timeout != null ? timeout : base.timeout(),
                connections != null ? connections : base.connections(),
                processConnections != null ? processConnections : base.processConnections(),
                herd == null ? base.herdWorkers() : herdWorkers(herd),
                herdConnections != null ? herdConnections : base.herdConnections(),
                base.sampleEvery(),
                serverArgs,
                open);
    }

    /** {@code --herd}: worker counts, or {@code none}. */
    private static List<Integer> herdWorkers(List<String> given) {
        if (given.equals(List.of("none"))) {
            return List.of();
        }
        try {
            return given.stream().map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--herd " + String.join(",", given) + ": give worker counts, e.g. 2,15,60,120, or none");
        }
    }

    /** The command as it could be typed again. */
    private List<String> commandLine() {
        List<String> args = new ArrayList<>(List.of("echolab", "bench"));
        if (quick) args.add("--quick");
        if (models != null) args.add("--models=" + String.join(",", models));
        if (clients != null)
            args.add("--clients="
                    + String.join(",", clients.stream().map(String::valueOf).toList()));
        if (workloads != null) args.add("--workloads=" + String.join(",", workloads));
        if (warmup != null) args.add("--warmup=" + org.echolab.protocol.Durations.format(warmup));
        if (duration != null) args.add("--duration=" + org.echolab.protocol.Durations.format(duration));
        if (timeout != null) args.add("--timeout=" + org.echolab.protocol.Durations.format(timeout));
        if (connections != null) args.add("--connections=" + connections);
        if (processConnections != null) args.add("--process-connections=" + processConnections);
        if (herd != null) args.add("--herd=" + String.join(",", herd));
        if (herdConnections != null) args.add("--herd-connections=" + herdConnections);
        if (open) args.add("--open");
        serverArgs.forEach(a -> args.add("--server-arg=" + a));
        if (!nginx.equals("nginx")) args.add("--nginx=" + nginx);
        if (target != null) args.add("--target=" + target);
        if (!pids.isEmpty())
            args.add("--pids="
                    + String.join(",", pids.stream().map(String::valueOf).toList()));
        if (label != null) args.add("--label=" + label);
        return args;
    }
}
