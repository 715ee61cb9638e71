package org.echolab.bench;

import java.time.Duration;
import java.util.List;

/**
 * Everything a benchmark run will do: the matrix (models x client counts x workloads), how long
 * each cell runs, and the UNP ch. 30 {@code connections} scenario. Immutable.
 *
 * @param models             model names, as {@code serve --model} takes them
 * @param clients            client counts (keep-alive connections, each sending back to back)
 * @param workloads          what the server does per request
 * @param warmup             per cell, load that is not recorded (lets the JIT and the pools settle)
 * @param duration           per cell, the recorded period
 * @param timeout            per request; a request slower than this counts as an error
 * @param connections        connections scenario: connections measured per model (0 = no scenario)
 * @param processConnections connections scenario: the lower count used for a process-per-connection model
 * @param sampleEvery        how often the server's process tree is read from /proc
 * @param serverArgs         extra {@code serve} options for every server, e.g. {@code --threads=400}
 */
public record BenchPlan(String preset, List<String> models, List<Integer> clients, List<Workload> workloads,
                        Duration warmup, Duration duration, Duration timeout,
                        int connections, int processConnections, Duration sampleEvery, List<String> serverArgs) {

    /** Connections kept open at once in the connections scenario, as in UNP's client. */
    public static final int CONNECTIONS_AT_ONCE = 10;
    /** Bytes each connection fetches in the connections scenario, as in UNP's client. */
    public static final int CONNECTION_BYTES = 4000;

    public BenchPlan {
        models = List.copyOf(models);
        clients = clients.stream().sorted().distinct().toList();
        workloads = List.copyOf(workloads);
        serverArgs = List.copyOf(serverArgs);
        if (models.isEmpty() || clients.isEmpty() || workloads.isEmpty()) {
            throw new IllegalArgumentException("choose at least one model, one client count and one workload");
        }
        if (clients.getFirst() < 1) {
            throw new IllegalArgumentException("client counts must be at least 1");
        }
        if (duration.isZero() || duration.isNegative() || timeout.isZero() || timeout.isNegative() || warmup.isNegative()) {
            throw new IllegalArgumentException("--duration and --timeout must be above 0, --warmup 0 or more");
        }
        if (connections < 0 || processConnections < 0) {
            throw new IllegalArgumentException("--connections must be 0 or more");
        }
    }

    /**
     * The CI preset: every model, 1 and 10 clients, a 10 ms sleep, half a second each, and a small
     * connections scenario. Under a minute on a 2-core machine (most of it is starting servers).
     */
    public static BenchPlan quick(List<String> models) {
        return new BenchPlan("quick", models, List.of(1, 10), List.of(new Workload("sleep", Duration.ofMillis(10))),
                Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1),
                100, 10, Duration.ofMillis(100), List.of());
    }

    /**
     * The full preset, sized to finish in about a quarter of an hour on a 2-core machine: every
     * model, 1 to 10,000 clients, a 100 ms sleep, 5 ms of CPU and no wait, 3 s each after 1 s of
     * warm-up (more for many clients: {@link Guards#warmup}), a 5 s timeout, and the connections
     * scenario with 2,000 connections per model.
     */
    public static BenchPlan full(List<String> models) {
        return new BenchPlan("full", models, List.of(1, 10, 100, 1000, 10000),
                List.of(new Workload("sleep", Duration.ofMillis(100)), new Workload("cpu", Duration.ofMillis(5)),
                        new Workload("none", null)),
                Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5),
                2000, 100, Duration.ofMillis(250), List.of());
    }

    public int cells() {
        return models.size() * clients.size() * workloads.size();
    }
}
