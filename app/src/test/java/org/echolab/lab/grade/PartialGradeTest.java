package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.echolab.lab.grade.Grader.Item;
import org.echolab.lab.grade.Grader.Subjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partial grade ({@code lab grade --only}): only the checks named run, nothing is started for
 * the others, a check that runs still fails a wrong solution, and the sheet never reads as a full
 * pass.
 */
@Timeout(120)
class PartialGradeTest {

    private static final Subjects REFERENCE = new Subjects("process", "pool", "atomic");

    @TempDir
    Path out;

    @Test
    void onlyMatchesAPartOfACheckNameIgnoringCase() {
        Only only = Only.of("Served At Once");
        assertThat(only.selects("clients served at once")).isTrue();
        assertThat(only.selects("children are reaped")).isFalse();
        assertThat(Only.of("reaped", "served").selects("children are reaped")).isTrue();
        assertThat(only.partial()).isTrue();
        assertThat(Only.ALL.partial()).isFalse();
        assertThat(Only.ALL.selects("anything at all")).isTrue();
    }

    @Test
    void aPartialSheetSaysWhatRanAndNeverReadsAsAFullPass() {
        Section pool = new Section(
                "2. A thread pool",
                "src/lab/ThreadPool.java",
                List.of(Check.pass(ThreadChecks.AT_ONCE, "4 requests in service at once")),
                "");
        assertThat(Grader.sheet(List.of(pool))).contains("All 1 checks pass.");
        String partial = Grader.sheet(List.of(pool), Only.of("served at once"));
        assertThat(partial)
                .startsWith("\nPARTIAL GRADE: only the checks whose name holds 'served at once' ran")
                .contains("PASS  clients served at once")
                .contains("Passed 1 of the 1 check that ran. This is a partial grade, not a full one")
                .doesNotContainPattern("All \\d+ checks? pass");
    }

    @Test
    void itemsWithNoCheckNamedAreNotGradedAndTheNamedCheckAloneRuns() throws InterruptedException {
        List<Section> sections =
                Grader.grade(List.of(Item.values()), REFERENCE, out, System.err, Only.of("held open together"));
        assertThat(sections).singleElement().satisfies(s -> {
            assertThat(s.title()).isEqualTo("3. Race conditions");
            assertThat(s.checks()).extracting(Check::name).containsExactly(RaceChecks.HELD_PEAK);
            assertThat(s.passed()).as(Grader.sheet(sections)).isTrue();
        });
        assertThat(out.resolve("logs"))
                .as("no server of the process or thread item was started")
                .doesNotExist();
    }

    @Test
    void aCheckThatRunsAloneStillFailsAWrongSolution() throws InterruptedException {
        Section broken = RaceChecks.run("broken", Only.of("unique request numbers"));
        assertThat(broken.checks()).extracting(Check::name).containsExactly(RaceChecks.UNIQUE);
        assertThat(broken.passed()).isFalse();
        assertThat(broken.checks().getFirst().hint()).contains("read-add-write one step");
    }

    @Test
    void aThreadCheckAloneStartsOneServerAndNotTheHandOffOne() throws InterruptedException {
        Section s = ThreadChecks.run("pool", List.of(), out, Only.of("stop with a request in flight"));
        assertThat(s.checks()).extracting(Check::name).containsExactly(ThreadChecks.STOP);
        assertThat(s.passed()).as(Grader.sheet(List.of(s))).isTrue();
        assertThat(out.resolve("threads-4-2.log")).exists();
        assertThat(out.resolve("threads-2-0.log"))
                .as("the hand-off server was not started")
                .doesNotExist();
    }
}
