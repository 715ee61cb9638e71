package org.echolab.bench;

import java.time.Duration;
import java.util.List;
import org.echolab.models.Models;

/**
 * Everything a benchmark run will do: the matrix (models x client counts x workloads), how long
 * each cell runs, and the UNP ch. 30 scenarios: {@code connections} and the thundering herd. Immutable.
 *
 * @param models             model names, as {@code serve --model} takes them
 * @param clients            client counts (keep-alive connections, each sending back to back)
 * @param workloads          what the server does per request
 * @param warmup             per cell, load that is not recorded (lets the JIT and the pools settle)
 * @param duration           per cell, the recorded period
 * @param timeout            per request; a request slower than this counts as an error
 * @param connections        connections scenario: connections measured per model (0 = no scenario)
 * @param processConnections connections scenario: the lower count used for a process-per-connection model
 * @param herdWorkers        thundering-herd scenario: the worker counts each of {@link #herdModels} runs with (empty = no scenario)
 * @param herdConnections    thundering-herd scenario: connections measured per model and worker count
 * @param sampleEvery        how often the server's process tree is read from /proc
 * @param serverArgs         extra {@code serve} options for every server, e.g. {@code --threads=400}
 * @param open               open-workload scenario: nginx's maximum closed rate, then every model and nginx at
 *                           {@link #OPEN_PERCENTS} of it, latency from each request's intended send time
 */
public record BenchPlan(
        String preset,
        List<String> models,
        List<Integer> clients,
        List<Workload> workloads,
        Duration warmup,
        Duration duration,
        Duration timeout,
        int connections,
        int processConnections,
        List<Integer> herdWorkers,
        int herdConnections,
        Duration sampleEvery,
        List<String> serverArgs,
        boolean open) {

    /** Connections of the open-workload scenario, as the perf check's open workload. */
    public static final int OPEN_CONNECTIONS = 50;
    /** The open-workload scenario's rates, in percent of nginx's maximum closed rate. */
    public static final List<Integer> OPEN_PERCENTS = List.of(50, 90);

    /** Connections kept open at once in the connections scenario, as in UNP's client. */
    public static final int CONNECTIONS_AT_ONCE = 10;
    /** Bytes each connection fetches in the connections scenario, as in UNP's client. */
    public static final int CONNECTION_BYTES = 4000;

    public BenchPlan {
        models = List.copyOf(models);
        clients = clients.stream().sorted().distinct().toList();
        workloads = List.copyOf(workloads);
        serverArgs = List.copyOf(serverArgs);
        herdWorkers = herdWorkers == null
                ? List.of()
                : herdWorkers.stream().sorted().distinct().toList(); // null: an older results.json
        if (models.isEmpty() || clients.isEmpty() || workloads.isEmpty()) {
            throw new IllegalArgumentException("choose at least one model, one client count and one workload");
        }
        if (clients.getFirst() < 1) {
            throw new IllegalArgumentException("client counts must be at least 1");
        }
        if (duration.isZero()
                || duration.isNegative()
                || timeout.isZero()
                || timeout.isNegative()
                || warmup.isNegative()) {
            throw new IllegalArgumentException("--duration and --timeout must be above 0, --warmup 0 or more");
        }
        if (connections < 0 || processConnections < 0) {
            throw new IllegalArgumentException("--connections must be 0 or more");
        }
        if (!herdWorkers.isEmpty() && (herdWorkers.getFirst() < 1 || herdConnections < 1)) {
            throw new IllegalArgumentException("--herd worker counts and --herd-connections must be at least 1");
        }
    }

    /**
     * The CI preset: every model, 1 and 10 clients, a 10 ms sleep, half a second each, a small
     * connections scenario and a herd of 2 and 4 workers. About two minutes on a 2-core machine (most
     * of it is starting servers and workers).
     */
    public static BenchPlan quick(List<String> models) {
        return new BenchPlan(
                "quick",
                models,
                List.of(1, 10),
                List.of(new Workload("sleep", Duration.ofMillis(10))),
                Duration.ofMillis(200),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                100,
                10,
                List.of(2, 4),
                100,
                Duration.ofMillis(100),
                List.of(),
                false);
    }

    /**
     * The full preset, sized to finish in about a quarter of an hour on a 2-core machine: every
     * model, 1 to 10,000 clients, a 100 ms sleep, 5 ms of CPU and no wait, 3 s each after 1 s of
     * warm-up (more for many clients: {@link Guards#warmup}), a 5 s timeout, and the connections
     * scenario with 2,000 connections per model; then the herd, 2,000 connections each at 2, 15, 60
     * and 120 workers (UNP's range), a few more minutes: every worker is a JVM to start.
     */
    public static BenchPlan full(List<String> models) {
        return new BenchPlan(
                "full",
                models,
                List.of(1, 10, 100, 1000, 10000),
                List.of(
                        new Workload("sleep", Duration.ofMillis(100)),
                        new Workload("cpu", Duration.ofMillis(5)),
                        new Workload("none", null)),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                2000,
                100,
                List.of(2, 15, 60, 120),
                2000,
                Duration.ofMillis(250),
                List.of(),
                false);
    }

    /**
     * The models the thundering-herd scenario runs: those of {@link #models} whose workers are
     * processes started up front (the prefork family), the only ones whose worker count can grow
     * to UNP's 120 children. The others' cost per connection does not depend on a worker count.
     */
    public List<String> herdModels() {
        return models.stream().filter(BenchPlan::preforked).toList();
    }

    private static boolean preforked(String model) {
        Models.Traits t = Models.byName(model).traits();
        return t.interleaving() == Models.Interleaving.PROCESSES && t.perConnection() == Models.PerConnection.NOTHING;
    }

    /** Runs of the herd scenario: a server for each herd model and worker count. */
    public int herdRuns() {
        return herdModels().size() * herdWorkers.size();
    }

    /** Runs of the open-workload scenario: nginx's maximum, then each percent for nginx and every model. */
    public int openRuns() {
        return open ? 1 + (models.size() + 1) * OPEN_PERCENTS.size() : 0;
    }

    public int cells() {
        return models.size() * clients.size() * workloads.size();
    }
}
