package org.echolab.lab.grade;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Grade item 2's checks of CPU burnt while waiting: a pool's threads must sleep while there is
 * nothing to do, not spin (a loop on {@code isEmpty()}, a retried {@code offer()}) or poll (look,
 * sleep, look again). Judged from the kernel's view of the model's threads over one second.
 *
 * <p><b>Threads:</b> one caller.
 */
final class SpinChecks {

    /** A model thread burning more than this, summed, with nothing to do, is spinning. */
    private static final double SPIN_CORES = 0.25;
    /** A model thread that wakes up more often than this a second with nothing to do is polling. */
    private static final double POLL_WAKEUPS = 40;

    private SpinChecks() {}

    /**
     * CPU, wake-ups and time runnable of the model's threads over one second. On a busy machine a
     * spinning thread gets little CPU, but the kernel shows it runnable (state R) whenever it looks;
     * a thread that waits properly sleeps (state S).
     */
    record Window(Map<String, Double> cores, Map<String, Double> wakeups, Map<String, Double> runnable) {
        private static final int LOOKS = 50;

        static Window measure(long pid) throws InterruptedException {
            List<ServerProcfs.Task> before = ThreadChecks.poolThreads(pid);
            long t0 = System.nanoTime();
            Map<String, Double> runnable = new java.util.TreeMap<>();
            for (int i = 0; i < LOOKS; i++) {
                Thread.sleep(1_000 / LOOKS);
                for (ServerProcfs.Task t : ThreadChecks.poolThreads(pid)) {
                    runnable.merge(t.name(), t.state() == 'R' ? 1.0 / LOOKS : 0.0, Double::sum);
                }
            }
            List<ServerProcfs.Task> after = ThreadChecks.poolThreads(pid);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Window(
                    ServerProcfs.coresByName(before, after, seconds),
                    ServerProcfs.wakeupsByName(before, after, seconds),
                    runnable);
        }

        /** Cores burnt, or where the machine gave a spinning thread little CPU, the share of it runnable. */
        double totalCores() {
            return Math.max(
                    cores.values().stream().mapToDouble(Double::doubleValue).sum(),
                    runnable.values().stream().mapToDouble(Double::doubleValue).sum());
        }

        private double busy(String thread) {
            return Math.max(cores.getOrDefault(thread, 0.0), runnable.getOrDefault(thread, 0.0));
        }

        double mostWakeups() {
            return wakeups.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .max()
                    .orElse(0);
        }

        String busiest(Map<String, Double> by, String unit) {
            return by.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(4)
                    .map(e -> String.format("%s %.2f%s", e.getKey(), e.getValue(), unit))
                    .collect(Collectors.joining(", "));
        }

        /**
         * Spinning: cores burnt, or one thread runnable most of the window (where the machine gave it
         * little CPU). Several threads each runnable now and then are waking up, not spinning.
         */
        boolean spinning() {
            return cores.values().stream().mapToDouble(Double::doubleValue).sum() > SPIN_CORES
                    || runnable.values().stream()
                                    .mapToDouble(Double::doubleValue)
                                    .max()
                                    .orElse(0)
                            > 0.5;
        }

        /** Empty if the window shows neither spinning nor polling; else what it shows, with a hint. */
        String[] problem(String when) {
            if (spinning()) {
                boolean acceptSpins = busy("echolab-accept") > SPIN_CORES / 2;
                String saw = String.format(
                        "%.2f cores busy %s (%s; runnable %s)",
                        totalCores(), when, busiest(cores, " cores"), busiest(runnable, ""));
                return new String[] {
                    saw,
                    acceptSpins
                            ? "the accept thread (your run()) loops without waiting: when the queue is full, block"
                                    + " (put(), or await() on a \"not full\" Condition) or refuse with lab.refuse; retrying offer() spins"
                            : "a worker loops on the queue without waiting for it: take() (or await() on a \"not empty\""
                                    + " Condition) sleeps until a connection arrives; a loop on isEmpty()/poll() burns a core"
                };
            }
            if (mostWakeups() > POLL_WAKEUPS) {
                String saw = String.format("threads woke up %s, %s", busiest(wakeups, "/s"), when);
                boolean accept = wakeups.getOrDefault("echolab-accept", 0.0) > POLL_WAKEUPS;
                return new String[] {
                    saw,
                    "a thread that sleeps and looks again (poll, then sleep) wakes up all the time"
                            + " for nothing, and a connection waits until it next looks: "
                            + (accept
                                    ? "the accept thread should block while the queue is full (put(), or await() on a \"not full\""
                                            + " Condition), or refuse the client with lab.refuse"
                                    : "wait on the queue instead (take(), or await() on a Condition), which wakes a thread only when"
                                            + " there is something to do")
                };
            }
            return new String[0];
        }
    }

    static Check idle(GradedServer server, ThreadChecks.Baseline idle) throws InterruptedException {
        String name = ThreadChecks.IDLE;
        Window w = Window.measure(server.pid());
        String[] problem = w.problem("with no client at all");
        return problem.length == 0
                ? Check.pass(
                        name,
                        String.format(
                                "%.2f cores over 1 s with no client; %d threads of your model (%s)",
                                w.totalCores(), idle.threads(), idle.names()))
                : Check.fail(name, problem[0], problem[1]);
    }
}
