package org.echolab.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.echolab.bench.BenchResults;
import org.echolab.bench.CellResult;
import org.echolab.bench.Nginx;
import org.echolab.bench.Reference;

/**
 * Each model's distance from the C reference: its req/s over nginx's on the same cell (workload
 * and clients) of the same run, as every table and the ratio chart show it, and the sentence that
 * tells the reader which nginx that was, or why there was none and how to get it.
 */
public final class NginxRatio {

    private NginxRatio() {}

    /** The series a report draws: the run's models, then nginx when it was measured. */
    static List<String> series(BenchResults r) {
        List<String> all = new ArrayList<>(r.plan().models());
        if (r.cells().stream().anyMatch(c -> c.model().equals(Nginx.SERIES))) {
            all.add(Nginx.SERIES);
        }
        return all;
    }

    /** {@code c}'s req/s over nginx's on the same cell, if both ran. */
    static Optional<Double> of(CellResult c, List<CellResult> cells) {
        if (!c.ran()) {
            return Optional.empty();
        }
        return cells.stream()
                .filter(n -> n.model().equals(Nginx.SERIES)
                        && n.ran()
                        && n.requestsPerSecond() > 0
                        && n.workload().equals(c.workload())
                        && n.clients() == c.clients())
                .findFirst()
                .map(n -> c.requestsPerSecond() / n.requestsPerSecond());
    }

    /** {@code 0.81}, or {@code -} where there is no nginx figure for the cell. */
    static String text(CellResult c, List<CellResult> cells) {
        return of(c, cells).map(NginxRatio::format).orElse("-");
    }

    static String format(double ratio) {
        return String.format(Locale.ROOT, "%.2f", ratio);
    }

    /** What the report says about the reference, in one paragraph. */
    public static String note(BenchResults r) {
        Reference ref = r.reference();
        if (ref == null) {
            return "No C reference in this run: it predates the nginx series.";
        }
        if (!ref.measured()) {
            return "No C reference in this run: " + ref.note() + ". With it, every table and chart gives each "
                    + "model's ratio to nginx on this machine.";
        }
        return "C reference: " + ref.note() + ", started fresh for every cell like the models and loaded the "
                + "same way (it cannot compute, so it has no CPU-work cells). *× nginx* is a model's req/s over "
                + "nginx's on the same cell of this run: 1.00 is as fast as nginx here.";
    }
}
