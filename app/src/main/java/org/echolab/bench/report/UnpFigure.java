package org.echolab.bench.report;

import java.util.Map;

/**
 * The published reference for the connections scenario: UNP vol. 1 (3rd ed.), Figure 30.1,
 * process-control CPU seconds above the iterative server for 5,000 connections of 4,000 bytes
 * (../shared/notes/unp-figure-30-1.md), by the EchoLab model that follows each design.
 */
public final class UnpFigure {

    /** One row of the figure; a dash where the book has no figure. */
    public record Row(int row, String design, String solaris, String digitalUnix, String bsdOs, String thirdEdition) {}

    private static final Map<String, Row> BY_MODEL = Map.of(
            "sequential", new Row(0, "iterative (baseline)", "0.0", "0.0", "0.0", "0.0"),
            "process", new Row(1, "one fork per client", "504.2", "168.9", "29.6", "20.90"),
            "prefork", new Row(2, "prefork, each child calls accept", "-", "6.2", "1.8", "1.80"),
            "thread", new Row(6, "one thread per client", "18.7", "4.7", "-", "0.99"),
            "pool", new Row(8, "prethreaded, main thread accepts and hands off", "14.5", "5.0", "-", "2.05"));

    private UnpFigure() {}

    /** The book's row for a model, or null for the models the book predates (virtual, eventloop). */
    public static Row of(String model) {
        return BY_MODEL.get(model);
    }
}
