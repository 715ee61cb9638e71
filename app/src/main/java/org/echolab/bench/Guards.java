package org.echolab.bench;

import java.time.Duration;
import java.util.Optional;
import org.echolab.models.Models;
import org.echolab.protocol.Durations;

/**
 * Keeps a benchmark from taking the machine down: before a cell runs, says whether it may, and
 * if not, why (the reason is reported in place of the figures). The limits are estimates with a
 * wide margin; the point is to skip the cells that would exhaust the machine or only measure
 * timeouts, and to say so.
 *
 * <p>Model-specific caps follow the model's {@link Models.Traits} (one at a time, a kernel thread or
 * a JVM per connection), never its name; a model with none of those gets only the generic guards
 * (descriptors, CPU saturation), so a new model is benchmarked by default.
 */
final class Guards {

    /** A JVM per connection ({@code process}): beyond this many clients the cell is skipped. */
    static final int PROCESS_MAX_CLIENTS = 200;
    /** A child JVM's memory (PSS with CDS sharing is ~30 MiB, RSS ~40: see the process-model notes), with margin. */
    static final long PROCESS_BYTES = 48L << 20;
    /** CPU to start one child JVM, an estimate used to lengthen the warm-up so it covers the spawning. */
    static final Duration PROCESS_SPAWN_CPU = Duration.ofMillis(200);
    /** Wall time for one child JVM to answer its first request, beyond its CPU share, with margin. */
    static final Duration PROCESS_START = Duration.ofSeconds(1);
    /** Warm-up per client, for connecting: 10,000 clients get 5 s. */
    static final Duration CONNECT_TIME = Duration.ofNanos(500_000);
    /** One connection at a time ({@code sequential}): every other keep-alive client only waits. */
    static final int SEQUENTIAL_MAX_CLIENTS = 10;
    /** Descriptors a JVM needs besides its connections (jars, epoll, pipes), with margin. */
    static final int FD_MARGIN = 256;
    /** Task ids one prefork worker takes: a JVM's own threads (GC, JIT, signals...) and its model's, with margin. */
    static final int WORKER_TASKS = 40;
    /** Descriptors the prefork parent holds per worker (its pipes and handles), with margin. */
    static final int WORKER_FDS = 8;

    private final Machine machine;

    public Guards(Machine machine) {
        this.machine = machine;
    }

    /** Why the cell must not run, or empty if it may. */
    public Optional<String> skip(String model, int clients, Workload workload, Duration timeout) {
        if (clients + FD_MARGIN > machine.fdLimit()) {
            return tooFewDescriptors(clients);
        }
        Models.Traits traits = Models.byName(model).traits();
        if (traits.oneAtATime() && clients > SEQUENTIAL_MAX_CLIENTS) {
            return reason("one connection at a time: " + (clients - 1)
                    + " keep-alive clients would only wait out their timeout (cap " + SEQUENTIAL_MAX_CLIENTS + ")");
        }
        switch (traits.perConnection()) {
            case PROCESS -> {
                if (clients > PROCESS_MAX_CLIENTS) {
                    return reason("a JVM per connection: " + clients + " processes (cap " + PROCESS_MAX_CLIENTS + ", ~"
                            + (PROCESS_BYTES >> 20) + " MiB and ~" + PROCESS_SPAWN_CPU.toMillis() + " ms CPU each)");
                }
                if (clients * PROCESS_BYTES > machine.memAvailableBytes() / 2) {
                    return reason("a JVM per connection: " + clients + " x " + (PROCESS_BYTES >> 20)
                            + " MiB is over half the available memory");
                }
                // each client's first response waits for its JVM, and the clients' JVMs start together
                double starting = clients * (PROCESS_SPAWN_CPU.toNanos() / 1e9) / machine.cores();
                if (starting > timeout.toNanos() / 2e9) {
                    return reason(String.format(
                            "a JVM per connection: %d starting at once x %d ms CPU / %d cores"
                                    + " = %.1f s before the first answers, over half the %s timeout",
                            clients,
                            PROCESS_SPAWN_CPU.toMillis(),
                            machine.cores(),
                            starting,
                            Durations.format(timeout)));
                }
            }
            case PLATFORM_THREAD -> {
                if (clients > machine.freeTasks() / 2) {
                    return reason("a kernel thread per connection: " + clients + " threads, but only "
                            + machine.freeTasks() + " task ids are free (pid_max " + machine.pidMax() + ")");
                }
            }
            default -> {}
        }
        if (workload.kind().equals("cpu")) {
            // closed workload: every client waits for all the CPU work queued ahead of it; half the
            // timeout leaves room for the load generator, which shares the cores
            double seconds = clients * (workload.perRequest().toNanos() / 1e9) / machine.cores();
            if (seconds >= timeout.toNanos() / 2e9) {
                return reason(String.format(
                        "CPU-bound: %d clients x %s / %d cores = %.1f s per request, half the %s timeout or more",
                        clients,
                        Durations.format(workload.perRequest()),
                        machine.cores(),
                        seconds,
                        Durations.format(timeout)));
            }
        }
        return Optional.empty();
    }

    /**
     * Why the thundering-herd scenario must not start a server with {@code workers} worker JVMs,
     * or empty if it may: they must fit in half the available memory and half the free task ids.
     */
    public Optional<String> skipHerd(int workers) {
        if (workers * PROCESS_BYTES > machine.memAvailableBytes() / 2) {
            return reason(workers + " worker JVMs x ~" + (PROCESS_BYTES >> 20)
                    + " MiB is over half the available memory (" + (machine.memAvailableBytes() >> 20) + " MiB)");
        }
        if ((long) workers * WORKER_TASKS > machine.freeTasks() / 2) {
            return reason(workers + " worker JVMs x ~" + WORKER_TASKS + " threads, but only " + machine.freeTasks()
                    + " task ids are free (pid_max " + machine.pidMax() + ")");
        }
        if ((long) workers * WORKER_FDS + FD_MARGIN > machine.fdLimit()) {
            return reason(workers + " workers need ~" + WORKER_FDS + " descriptors each in the parent; ulimit -n is "
                    + machine.fdLimit());
        }
        return Optional.empty();
    }

    /** Why the C reference ({@link Nginx}) must not run a cell, or empty if it may. */
    public Optional<String> skipReference(int clients, Workload workload) {
        if (clients + FD_MARGIN > machine.fdLimit()) {
            return tooFewDescriptors(clients);
        }
        if (workload.kind().equals("cpu")) {
            return reason("nginx's echo module can wait (echo_sleep) but not compute: no C reference for CPU work");
        }
        return Optional.empty();
    }

    /** The warm-up for the C reference: long enough for every client to connect. */
    public Duration warmupReference(int clients, Duration planned) {
        return max(planned, CONNECT_TIME.multipliedBy(clients));
    }

    private Optional<String> tooFewDescriptors(int clients) {
        return reason("needs " + clients + " descriptors on each side and more; ulimit -n is " + machine.fdLimit());
    }

    /**
     * The warm-up for a cell: long enough for every client to connect (thousands of connects at
     * once overflow the accept backlog, and a dropped SYN is retried after 1 s, then 3 s) and,
     * where the model starts a process per client, for the processes to start.
     */
    public Duration warmup(String model, int clients, Duration planned) {
        Duration w = max(planned, CONNECT_TIME.multipliedBy(clients));
        if (startsAProcessPerClient(model)) {
            // + a second: even one child JVM answers its first request only once it has started,
            // which on a loaded 2-core machine takes well over its CPU time
            w = max(
                    w,
                    PROCESS_SPAWN_CPU
                            .multipliedBy(clients)
                            .dividedBy(machine.cores())
                            .plus(PROCESS_START));
        }
        return w;
    }

    /**
     * Whether the model starts a process per client: its warm-up lasts until every client has been
     * answered once, however long the children took to start (models that leave clients waiting by
     * design, such as {@code sequential}, are measured with them waiting).
     */
    public static boolean startsAProcessPerClient(String model) {
        return Models.byName(model).traits().perConnection() == Models.PerConnection.PROCESS;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Optional<String> reason(String why) {
        return Optional.of(why);
    }
}
