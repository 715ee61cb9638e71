package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.echolab.lab.Workspace;
import org.echolab.lab.grade.CostsRun.Design;
import org.echolab.lab.grade.CostsRun.Measured;
import org.echolab.lab.grade.Report.Figure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Item 4's grading without a benchmark: the workspace's own REPORT.md, untouched, passes nothing;
 * a reasonable one passes; each wrong prediction, missing answer and uncited figure fails with a
 * hint from the figure measured.
 */
@Timeout(10)
class ReportGradingTest {

    /** Figures like those of a 2-core machine: sequential, thread, a pool of 4, a process per client. */
    private static final List<Measured> MEASURED = List.of(
            new Measured(new Design("sequential", "sequential", 1), 9.8, 1.2, 0.02, 100.4, 120, 0, null),
            new Measured(new Design("thread", "thread", 10), 97.3, 1.1, 0.1, 100.5, 90, 0, null),
            new Measured(new Design("pool", "student-pool", 4), 39.2, 1.3, 0.08, 250.1, 95, 0, null),
            new Measured(new Design("process", "student-process", 10), 93.5, 212, 38.4, 101.2, 400, 0, null));

    private static final List<Double> FIGURES = List.of(9.8, 97.3, 39.2, 93.5, 212.0, 38.4);

    private static String template() throws IOException {
        try (InputStream in = Workspace.class.getResourceAsStream("workspace/REPORT.md")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The template with the predictions filled in and every question answered; process predicted as given. */
    private static String filled(String processRow) throws IOException {
        String text = template()
                .replace("| sequential | ? | ? | ? |", "| sequential | 10 | 1 | 0.1 |")
                .replace("| thread | ? | ? | ? |", "| thread | 100 | 1 | 0.5 |")
                .replace("| pool, 4 threads | ? | ? | ? |", "| pool, 4 threads | 40 | 1 | 0.5 |")
                .replace("| process | ? | ? | ? |", processRow);
        StringBuilder out = new StringBuilder();
        for (String line : text.lines().toList()) {
            out.append(line).append('\n');
            if (line.startsWith("### ")) {
                out.append("A new connection took 212 ms to its first byte and 38.4 MiB, because a JVM starts for it;"
                        + " threads share one heap and start in microseconds, so they cost far less here.\n");
            }
        }
        return out.toString();
    }

    @Test
    void theUntouchedReportPassesNothing() throws IOException {
        Report r = Report.parse(template());
        assertThat(CostsRun.predictionsPresent(r, Path.of("ws/REPORT.md")))
                .satisfies(c -> assertThat(c.passed()).isFalse())
                .satisfies(c -> assertThat(c.saw()).contains("no number in any cell"));
        Check answered = CostsRun.answered(r);
        assertThat(answered.passed()).isFalse();
        assertThat(answered.saw()).contains("1., 2., 3., 4., 5., 6., 7., 8. of 8");
        assertThat(CostsRun.cited(r, FIGURES).passed())
                .as("the questions' own numbers are not citations")
                .isFalse();
    }

    @Test
    void aMissingReportPassesNothing() throws IOException {
        Report r = Report.read(Path.of("no-such-workspace/REPORT.md"));
        assertThat(r.found()).isFalse();
        assertThat(CostsRun.predictionsPresent(r, Path.of("no-such-workspace/REPORT.md"))
                        .passed())
                .isFalse();
        assertThat(CostsRun.answered(r).passed()).isFalse();
        assertThat(CostsRun.cited(r, FIGURES).passed()).isFalse();
    }

    @Test
    void aReasonableReportPassesEveryCheck() throws IOException {
        Report r = Report.parse(filled("| process | 100 | 150 | 30 |"));
        assertThat(CostsRun.predictionsPresent(r, Path.of("REPORT.md")).passed())
                .isTrue();
        for (Figure f : Figure.values()) {
            Check c = CostsRun.predictions(f, r, MEASURED);
            assertThat(c.passed()).as(c.toString()).isTrue();
        }
        assertThat(CostsRun.answered(r).passed()).isTrue();
        assertThat(CostsRun.cited(r, FIGURES).passed()).isTrue();
        assertThat(CostsRun.table(r, MEASURED))
                .contains("| pool (student-pool) | 40 / 39.2 / 40 | 1 / 1.30 | 0.50 / 0.08 |");
    }

    @Test
    void wrongPredictionsFailWithTheFigureMeasuredAndWhatBoundsIt() throws IOException {
        Report r = Report.parse(
                filled("| process | 100 | 1 | 0.1 |").replace("| pool, 4 threads | 40 |", "| pool, 4 threads | 100 |"));
        Check throughput = CostsRun.predictions(Figure.THROUGHPUT, r, MEASURED);
        assertThat(throughput.passed()).isFalse();
        assertThat(throughput.saw()).contains("pool 100 vs 39.2 OFF").contains("thread 100 vs 97.3 ok");
        assertThat(throughput.hint())
                .contains(
                        "at most 4 requests of 100 ms can be in flight at once, so Little's law gives 4 / 0.1 s = 40 req/s");
        Check firstByte = CostsRun.predictions(Figure.FIRST_BYTE, r, MEASURED);
        assertThat(firstByte.passed()).isFalse();
        assertThat(firstByte.hint()).contains("process: 212 ms").contains("a new JVM to start");
        assertThat(CostsRun.predictions(Figure.MEMORY, r, MEASURED).hint())
                .contains("process: 38.4 MiB")
                .contains("a whole JVM");
    }

    @Test
    void aRowWithErrorsIsNotReadAsAMeasurement() throws IOException {
        Report r = Report.parse(filled("| process | 100 | 150 | 30 |"));
        List<Measured> failed = List.of(
                MEASURED.get(0),
                MEASURED.get(1),
                MEASURED.get(2),
                new Measured(
                        new Design("process", "student-process", 10),
                        0.4,
                        0,
                        0,
                        0,
                        0,
                        10,
                        "10 errors ({timeout=10}): not a measurement"));
        Check c = CostsRun.predictions(Figure.THROUGHPUT, r, failed);
        assertThat(c.passed()).isFalse();
        assertThat(c.saw()).contains("process not measured (10 errors");
        assertThat(CostsRun.table(r, failed)).contains("| process (student-process) | 100 / **not measured** / 100 |");
    }

    @Test
    void anAnswerWithoutTheStudentsFiguresIsNotACitation() throws IOException {
        String text = filled("| process | 100 | 150 | 30 |")
                .replace("212 ms to its first byte and 38.4 MiB", "a long time and a lot of memory");
        Check c = CostsRun.cited(Report.parse(text), FIGURES);
        assertThat(c.passed()).isFalse();
        assertThat(c.saw()).contains("question 4., 8.");
    }

    @Test
    void tolerancesAreTheStatedOnes() {
        assertThat(CostsRun.close(Figure.THROUGHPUT, 100, 80)).isTrue();
        assertThat(CostsRun.close(Figure.THROUGHPUT, 100, 79)).isFalse();
        assertThat(CostsRun.close(Figure.FIRST_BYTE, 1, 8))
                .as("both under 10 ms")
                .isTrue();
        assertThat(CostsRun.close(Figure.FIRST_BYTE, 100, 290)).isTrue();
        assertThat(CostsRun.close(Figure.FIRST_BYTE, 100, 310)).isFalse();
        assertThat(CostsRun.close(Figure.MEMORY, 0.1, 0.9))
                .as("both under 1 MiB")
                .isTrue();
        assertThat(CostsRun.close(Figure.MEMORY, 1, 38)).isFalse();
    }
}
