package org.echolab.bench.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.echolab.models.Models;

/**
 * The published reference for the connections scenario: UNP vol. 1 (3rd ed.), Figure 30.1,
 * process-control CPU seconds above the iterative server for 5,000 connections of 4,000 bytes,
 * by row; each model names its row in its
 * {@link Models.Traits}.
 */
final class UnpFigure {

    /** One row of the figure; a dash where the book has no figure. */
    public record Row(int row, String design, String solaris, String digitalUnix, String bsdOs, String thirdEdition) {}

    private static final Map<Integer, Row> ROWS = Map.of(
            0, new Row(0, "iterative (baseline)", "0.0", "0.0", "0.0", "0.0"),
            1, new Row(1, "one fork per client", "504.2", "168.9", "29.6", "20.90"),
            2, new Row(2, "prefork, each child calls accept", "-", "6.2", "1.8", "1.80"),
            3, new Row(3, "prefork, file lock around accept", "25.2", "10.0", "2.7", "2.07"),
            4, new Row(4, "prefork, thread-mutex lock around accept", "21.5", "-", "-", "1.75"),
            5, new Row(5, "prefork, parent passes the descriptor to a child", "36.7", "10.9", "6.1", "2.58"),
            6, new Row(6, "one thread per client", "18.7", "4.7", "-", "0.99"),
            7, new Row(7, "prethreaded, mutex around accept", "8.6", "3.5", "-", "1.93"),
            8, new Row(8, "prethreaded, main thread accepts and hands off", "14.5", "5.0", "-", "2.05"));

    /**
     * The book's thundering herd (ch. 30.6): row 2, prefork with every child calling accept, as the
     * children go from 15 to 120, in the same seconds above the iterative server. Those kernels
     * woke every child blocked in accept for each connection.
     */
    public record HerdPoint(int children, String digitalUnix, String bsdOs) {}

    /** The prefork row (2) at 15 and 120 children: Digital Unix 6.2 to 15.7 s, BSD/OS 1.8 to 13.5 s. */
    public static final List<HerdPoint> HERD =
            List.of(new HerdPoint(15, "6.2", "1.8"), new HerdPoint(120, "15.7", "13.5"));
    /** The row of the figure the herd was measured on. */
    public static final int HERD_ROW = 2;

    private UnpFigure() {}

    /** The book's herd figure for a model at a worker count, if it has one (its row is 2 and the count 15 or 120). */
    public static Optional<HerdPoint> herd(String model, int workers) {
        Row row = of(model);
        if (row == null || row.row() != HERD_ROW) {
            return Optional.empty();
        }
        return HERD.stream().filter(p -> p.children() == workers).findFirst();
    }

    /** The book's row for a model, or null for the models the book predates (virtual, eventloop) and other series. */
    public static Row of(String model) {
        return Models.names().contains(model)
                ? ROWS.get(Models.byName(model).traits().unpRow())
                : null;
    }
}
