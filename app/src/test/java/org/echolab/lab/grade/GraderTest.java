package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.echolab.lab.grade.Grader.Item;
import org.echolab.lab.grade.Grader.Subjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader's checks against the project's own reference models and states: what passes here
 * is what a student's solution must match, so the grade and the project's tests cannot disagree.
 * The mistakes each check must catch are graded by the mistake catalogue, {@link LabMistakes}.
 */
class GraderTest {

    @TempDir
    Path out;

    private List<Section> grade(Subjects subjects, Item... items) throws InterruptedException {
        return Grader.grade(List.of(items), subjects, out, System.err);
    }

    @Test
    void theProjectsProcessAndPoolModelsAndItsAtomicStatePassEveryCheck() throws InterruptedException {
        List<Section> sections =
                grade(new Subjects("process", "pool", "atomic"), Item.PROCESSES, Item.THREADS, Item.RACES);
        assertThat(sections)
                .allSatisfy(
                        s -> assertThat(s.passed()).as(Grader.sheet(List.of(s))).isTrue());
        assertThat(Grader.sheet(sections)).contains("All 22 checks pass.");
    }

    @Test
    void theSynchronizedStatePassesAndTheBrokenOneFailsWithItsHints() throws InterruptedException {
        assertThat(grade(new Subjects("process", "pool", "synchronized"), Item.RACES)
                        .getFirst()
                        .passed())
                .isTrue();
        Section broken =
                grade(new Subjects("process", "pool", "broken"), Item.RACES).getFirst();
        assertThat(broken.passed()).isFalse();
        assertThat(broken.checks())
                .filteredOn(c -> !c.passed())
                .extracting(Check::name)
                .contains("unique request numbers", "the counts add up");
        assertThat(Grader.sheet(List.of(broken))).contains("hint: nextRequestNumber reads the counter");
    }

    @Test
    void anUnknownSubjectIsAUsageErrorNotACrash() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> grade(new Subjects("student-process", "pool", "atomic"), Item.RACES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model 'student-process'");
    }
}
