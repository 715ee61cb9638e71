package org.echolab.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.echolab.bench.CellResult;
import org.echolab.bench.ConnectionsResult;
import org.echolab.bench.HerdResult;

/**
 * The words that go with each chart: what to look for in it, then what is marked on it (the
 * cells with trouble, the cells with no result), and the legend's note of the client counts a
 * model misses. Shared by report.html (under each chart) and report.md (after each image), so a
 * chart shared alone still says what it shows.
 */
final class Captions {

    private Captions() {}

    /** A cell that ran but did not serve every client well: errors or timeouts, or starved connections. */
    static boolean troubled(CellResult c) {
        return c.errors() > 0 || (c.fairness() != null && c.fairness().anyStarved());
    }

    /** A line chart's caption; {@code cells} are the chart's, {@code trouble} and {@code noResult} the ones it marks. */
    static String of(
            Charts.Metric m,
            String workload,
            Bound bound,
            List<CellResult> cells,
            List<CellResult> trouble,
            List<CellResult> noResult) {
        StringBuilder sb = new StringBuilder(lookFor(m.id(), workload, bound));
        if (!trouble.isEmpty()) {
            sb.append(" A cross marks a cell whose clients were not all served, so its figures describe the requests "
                            + "that were answered: ")
                    .append(String.join(
                            ", ", trouble.stream().map(Captions::trouble).toList()))
                    .append(".");
        }
        if (!noResult.isEmpty()) {
            List<String> models =
                    noResult.stream().map(CellResult::model).distinct().toList();
            sb.append(" A plus on the bottom edge marks a cell with no result: ")
                    .append(String.join(
                            ", ",
                            models.stream()
                                    .map(model -> model + missing(model, noResult, cells))
                                    .toList()))
                    .append("; the table says why.");
        }
        return sb.toString();
    }

    private static String lookFor(String metric, String workload, Bound bound) {
        return switch (metric) {
            case "rps" ->
                bound == null
                        ? "Higher is better. With no wait, only the cost of each request to the server (and to the load "
                                + "generator on the same cores) limits throughput: the models' own overheads, side by side."
                        : "Higher is better. The dashed line is the most the clients can get: "
                                + (bound.cores() > 0
                                        ? "C clients each asking for W of CPU complete at most C / W requests a second, and no more "
                                                + "than cores / W once every core is busy."
                                        : "C clients each waiting W complete at most C / W requests a second (Little's law).")
                                + " A model on the line lost no time to queueing; where its line falls below, requests "
                                + "waited for a thread, a loop or a core.";
            case "p99" ->
                workload.equals("none")
                        ? "Lower is better. With no wait, the p99 is the server's own delay: queueing for a thread, a "
                                + "loop or a core as the clients grow."
                        : "Lower is better. No request takes less than its " + workload + "; a line flat there means "
                                + "nothing queued, a rise means requests waited their turn (for a thread, a loop, a core or "
                                + "the accept queue).";
            case "memory" ->
                "What one more connection costs the server: a platform thread's stack (thread, pool), a "
                        + "few KiB for a virtual thread or an event-loop connection, a whole JVM (process). From 10 clients "
                        + "up: below that, the heap growing with the load hides it.";
            case "pss" ->
                "The server's whole memory (PSS of all its processes, shared pages split between them): a "
                        + "flat line scales to many clients, a rising one pays per connection.";
            case "cpu" ->
                "Server CPU time per request: the work asked for, plus the model's own overhead. A line "
                        + "that rises with the clients spends more on each request as it gets busier (context "
                        + "switches, contention).";
            case "vs-nginx" ->
                "Higher is better; nginx itself is the flat line at 1. Each model's req/s over nginx's on "
                        + "the same cell of this run: how far a model is from a C server on this machine.";
            default -> throw new IllegalArgumentException("no caption for metric " + metric);
        };
    }

    /** {@code thread at 10,000 (14,794 errors)}, {@code sequential at 10 (9 of 10 starved)}; the table has the kinds. */
    private static String trouble(CellResult c) {
        List<String> what = new ArrayList<>();
        if (c.errors() > 0) {
            what.add(String.format(Locale.ROOT, "%,d errors", c.errors()));
        }
        if (c.fairness() != null && c.fairness().anyStarved()) {
            what.add(c.fairness().starvedOfAll() + " starved");
        }
        return c.model() + " at " + clients(c.clients()) + " (" + String.join(", ", what) + ")";
    }

    /**
     * The client counts a model has no result for, for its legend entry: {@code  (skipped 100+)}
     * when it misses every count from 100 up in {@code cells}, else {@code  (failed at 10)}; empty
     * when it misses none.
     */
    static String missing(String model, List<CellResult> noResult, List<CellResult> cells) {
        List<Integer> all = cells.stream()
                .filter(c -> c.model().equals(model))
                .map(CellResult::clients)
                .sorted()
                .toList();
        List<String> parts = new ArrayList<>();
        for (String status : List.of("skipped", "failed", CellResult.EMPTY)) {
            List<Integer> missed = noResult.stream()
                    .filter(c -> c.model().equals(model) && c.status().equals(status))
                    .map(CellResult::clients)
                    .sorted()
                    .toList();
            if (missed.isEmpty()) {
                continue;
            }
            boolean fromThereUp = missed.size() > 1
                    && all.subList(all.indexOf(missed.getFirst()), all.size()).equals(missed);
            parts.add(status
                    + (fromThereUp
                            ? " " + clients(missed.getFirst()) + "+"
                            : " at "
                                    + String.join(
                                            ", ",
                                            missed.stream()
                                                    .map(Captions::clients)
                                                    .toList())));
        }
        return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
    }

    static String connections(List<ConnectionsResult> results) {
        String caption = "Lower is better; note the log scale. Each bar is the CPU time the server spends on one short "
                + "connection (accept, read, write, close). Compare each with sequential's, the book's baseline: the "
                + "difference is what the model adds per connection, a thread's start, a hand-off, or a whole new JVM "
                + "(process). The table has the book's figures for its C servers.";
        List<String> missed = results.stream()
                .filter(r -> !r.ran())
                .map(r -> r.model() + " (" + r.status() + ")")
                .toList();
        return missed.isEmpty() ? caption : caption + " No bar: " + String.join(", ", missed) + "; the table says why.";
    }

    static String herd(List<HerdResult> results) {
        UnpFigure.HerdPoint few = UnpFigure.HERD.getFirst(), many = UnpFigure.HERD.getLast();
        String caption = String.format(
                Locale.ROOT,
                "Lower is better; log scales. Each line is one prefork model's server CPU "
                        + "time (the parent and every worker, user + system) per short connection, as the idle workers waiting "
                        + "for each connection grow. A thundering herd shows as a line that rises with the workers: every worker "
                        + "blocked in accept woken for each connection, all but one going back to sleep. The grey lines are the "
                        + "book's prefork without a lock (UNP vol. 1, 3rd ed., ch. 30.6; its seconds for 5,000 connections above "
                        + "the iterative server, per connection): from %d to %d children, %.2f to %.2f ms on Digital Unix (the upper) "
                        + "and %.2f to %.2f ms on BSD/OS. Linux wakes one waiter per connection for a blocking accept, so no herd "
                        + "is expected here; if there were one, it would lift prefork's line alone, since a lock around accept "
                        + "(prefork-flock, prefork-mutex) keeps all but one worker out of accept. Lines that rise together are "
                        + "something else: every worker is a JVM that "
                        + "warms up on its own connections, and with more workers each gets fewer, so more of them run "
                        + "interpreted or are being compiled.",
                few.children(),
                many.children(),
                HerdChart.perConnection(few.digitalUnix()),
                HerdChart.perConnection(many.digitalUnix()),
                HerdChart.perConnection(few.bsdOs()),
                HerdChart.perConnection(many.bsdOs()));
        List<String> missed = results.stream()
                .filter(h -> !h.ran())
                .map(h -> h.model() + " x" + h.workers() + " (" + h.status() + ")")
                .toList();
        return missed.isEmpty()
                ? caption
                : caption + " A plus on the bottom edge marks a point with no result: " + String.join(", ", missed)
                        + "; the table says why.";
    }

    private static String clients(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
