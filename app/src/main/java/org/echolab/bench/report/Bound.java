package org.echolab.bench.report;

import java.util.List;
import java.util.TreeSet;
import org.echolab.bench.CellResult;

/**
 * The throughput no model can beat, drawn on the throughput charts as a dashed line. Little's
 * law: with C clients each waiting W per request (and sending again at once), at most C / W
 * requests complete per second; a model on the line lost no time to queueing. When the wait is
 * CPU work it also needs a core, so at most {@code cores / W} complete per second, however many
 * clients there are. With no wait there is no bound to draw.
 *
 * @param waitSeconds the wait (or work) per request
 * @param cores       the cores that share CPU work; 0 for a sleep, which needs none
 */
record Bound(String name, double waitSeconds, int cores) {

    /** The bound for one workload's cells, or null when its requests do not wait. */
    static Bound of(List<CellResult> cells, int machineCores) {
        CellResult any = cells.getFirst();
        if (any.waitMillis() <= 0) {
            return null;
        }
        boolean cpu = any.work().equals("cpu");
        return new Bound(
                cpu ? "bound: min(clients, cores) / work" : "Little's law: clients / wait",
                any.waitMillis() / 1000,
                cpu ? machineCores : 0);
    }

    /** Requests per second at most, for this many clients. */
    double at(double clients) {
        return (cores > 0 ? Math.min(clients, cores) : clients) / waitSeconds;
    }

    /** Where the line turns, from {@code min} to {@code max} clients: each power of ten, and the core count. */
    List<Double> corners(double min, double max) {
        TreeSet<Double> x = new TreeSet<>(List.of(min, max));
        for (double c = Math.pow(10, Math.ceil(Math.log10(min))); c < max; c *= 10) {
            x.add(c);
        }
        if (cores > min && cores < max) {
            x.add((double) cores);
        }
        return List.copyOf(x);
    }
}
