package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code lab grade --only}: a text that names no check is a usage error that quotes it and lists
 * the checks there are; a text that does grades only that check, on a sheet headed as partial.
 * Run in this JVM: the errors start nothing, and the grade is a reference run of one race check.
 */
@Timeout(60)
class LabGradeOnlyTest {

    private record Run(int exit, String out, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static void refused(Run r, String... says) {
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains(says).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).as("no sheet").isEmpty();
    }

    @Test
    void aTextThatNamesNoCheckIsRefusedWithTheChecksThereAre() {
        refused(
                run("lab", "grade", "--only", "served twice"),
                "--only 'served twice' matches no check of processes, threads," + " races, costs",
                "clients served at once",
                "children are reaped",
                "unique request numbers",
                "every question has an answer");
    }

    @Test
    void aTextThatNamesACheckOfAnotherItemIsRefusedWithThisItemsChecks() {
        Run r = run("lab", "grade", "races", "--only", "children are reaped");
        refused(r, "--only 'children are reaped' matches no check of races;", "the peak is right");
        assertThat(r.err()).doesNotContain("processes:").doesNotContain("clients served at once");
    }

    @Test
    void aBlankTextIsRefused() {
        refused(run("lab", "grade", "--only", " "), "--only needs a part of a check's name");
    }

    @Test
    void aPartialGradeRunsOnlyTheNamedCheckAndSaysSo() {
        Run r = run(
                "lab",
                "grade",
                "--process-model",
                "process",
                "--thread-model",
                "pool",
                "--state",
                "atomic",
                "--only",
                "HELD OPEN together");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.OK.code);
        assertThat(r.out())
                .contains("PARTIAL GRADE: only the checks whose name holds 'HELD OPEN together' ran")
                .contains("PASS  the peak equals the connections held open together")
                .contains("Passed 1 of the 1 check that ran. This is a partial grade")
                .doesNotContain("2. A thread pool")
                .doesNotContainPattern("All \\d+ checks? pass");
        assertThat(r.err())
                .contains("grading races (only 'HELD OPEN together')")
                .doesNotContain("grading threads");
    }
}
