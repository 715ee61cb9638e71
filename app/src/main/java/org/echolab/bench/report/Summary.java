package org.echolab.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.echolab.bench.BenchResults;
import org.echolab.bench.CellResult;

/** The headline table: for each workload and model, the best throughput and where it was reached. */
final class Summary {

    private Summary() {}

    /** {@code  (9 of 10 starved, 12 errors)}: what qualifies a throughput figure. */
    private static String notes(CellResult c) {
        List<String> notes = new ArrayList<>();
        if (!Tables.starvedNote(c).isEmpty()) {
            notes.add(Tables.starvedNote(c));
        }
        if (c.errors() > 0) {
            notes.add(c.errors() + " errors");
        }
        return notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")";
    }

    public static Tables.Table peaks(BenchResults results) {
        List<String> workloads =
                results.cells().stream().map(CellResult::workload).distinct().toList();
        List<List<String>> rows = new ArrayList<>();
        for (String w : workloads) {
            for (String model : NginxRatio.series(results)) {
                List<CellResult> ran = results.cells().stream()
                        .filter(c -> c.model().equals(model) && c.workload().equals(w) && c.ran())
                        .toList();
                if (ran.isEmpty()) { // say why: an empty or failed cell is not a result of 0 req/s
                    List<CellResult> mine = results.cells().stream()
                            .filter(c -> c.model().equals(model) && c.workload().equals(w))
                            .toList();
                    String why = Captions.missing(model, mine, mine).replaceAll("^ \\((.*)\\)$", "$1");
                    rows.add(List.of(w, model, why.isEmpty() ? "-" : "no result: " + why, "-", "-", "-", "-", "-"));
                    continue;
                }
                CellResult best = ran.stream()
                        .max(Comparator.comparingDouble(CellResult::requestsPerSecond))
                        .orElseThrow();
                CellResult most = ran.getLast(); // cells are in client order
                rows.add(List.of(
                        w,
                        model,
                        Tables.num(best.requestsPerSecond()) + " @ " + best.clients(),
                        NginxRatio.text(best, results.cells()),
                        Tables.ms(best.p99Millis()),
                        Integer.toString(most.clients()),
                        Tables.num(most.requestsPerSecond()) + notes(most),
                        String.format(
                                Locale.ROOT,
                                "%s MiB, %d threads, %d procs",
                                Tables.mib(most.pssPeakBytes()),
                                most.threadsPeak(),
                                most.processesPeak())));
            }
        }
        return new Tables.Table(
                List.of(
                        "workload",
                        "model",
                        "best req/s @ clients",
                        "× nginx there",
                        "p99 ms there",
                        "most clients run",
                        "req/s there",
                        "server at most clients"),
                rows);
    }
}
