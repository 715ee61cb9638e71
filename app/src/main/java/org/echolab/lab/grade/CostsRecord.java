package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.echolab.lab.grade.CostsRun.Measured;
import org.echolab.lab.grade.Report.Figure;

/**
 * Grade item 4's record of its runs, {@code grade/measured.txt}: each run appends when it ran, the
 * predictions as they stood and the figures it measured. An answer may cite any figure recorded
 * there, and the teacher sees whether the predictions came before the first measurement.
 *
 * <p><b>Threads:</b> one caller.
 */
final class CostsRecord {

    private CostsRecord() {}

    static List<Double> figures(List<Measured> measured) {
        List<Double> f = new ArrayList<>();
        for (Measured m : measured) {
            if (m.problem() == null) {
                f.addAll(List.of(m.throughput(), m.firstByteMs(), m.memoryMib(), m.p50Ms(), m.cpuMicrosPerRequest()));
            }
        }
        return f;
    }

    /**
     * Appends this run to {@code grade/measured.txt}: when, the predictions as they stood, and the
     * figures; returns every figure any run recorded there (what an answer may cite).
     */
    static List<Double> append(Path out, Report report, List<Measured> measured) throws IOException {
        Path file = out.resolve("measured.txt");
        StringBuilder line = new StringBuilder(Instant.now().toString()).append(" predictions=");
        for (String d : Report.DESIGNS) {
            Map<Figure, OptionalDouble> row = report.predictions().getOrDefault(d, Map.of());
            line.append(d).append(':');
            for (Figure f : Figure.values()) {
                line.append(CostsRun.predicted(row, f)).append(f == Figure.MEMORY ? ";" : ",");
            }
        }
        line.append(" measured=");
        for (double v : figures(measured)) {
            line.append(CostsRun.number(v)).append(',');
        }
        Files.writeString(file, line.append('\n'), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        List<Double> all = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            int at = l.indexOf(" measured=");
            if (at >= 0) {
                all.addAll(
                        Report.numbers(l.substring(at + " measured=".length()).replace(',', ' ')));
            }
        }
        return all;
    }

    /** What only a person can judge, with what the grader saw that helps them judge it. */
    static List<String> forTeacher(Path out) {
        List<String> items = new ArrayList<>();
        items.add("whether each answer is right and says why (the rubric is in EchoLab's docs/teaching.md)");
        items.add("whether the Little's law reasoning under the predictions table holds");
        try {
            List<String> runs = Files.readAllLines(out.resolve("measured.txt"));
            String first = runs.getFirst();
            boolean predictedFirst =
                    !first.substring(0, first.indexOf(" measured=")).contains("?");
            items.add("predictions before measuring: the first costs run (" + first.substring(0, first.indexOf(' '))
                    + ") found "
                    + (predictedFirst ? "the table filled in" : "no prediction, or not all") + "; " + runs.size()
                    + (runs.size() == 1 ? " run" : " runs")
                    + " in grade/measured.txt, each with the predictions as they stood");
        } catch (IOException | RuntimeException e) {
            // no record: nothing to add
        }
        return items;
    }
}
