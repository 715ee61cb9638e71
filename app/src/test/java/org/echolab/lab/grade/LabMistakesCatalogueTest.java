package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.lab.grade.LabMistakes.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mistake catalogue as a whole: its cases are graded item by item ({@link LabMistakesPoolTest},
 * {@link LabMistakesProcessTest}, {@link LabMistakesStateTest}), so each case must change one of
 * those items' files, or no class would grade it.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LabMistakesCatalogueTest {

    @Test
    void theCatalogueHoldsEveryKindOfMistakeAndThreeCorrectPools() throws IOException {
        List<Case> cases = LabMistakes.allCases();
        assertThat(cases.stream().filter(c -> !c.correct())).hasSizeGreaterThanOrEqualTo(30);
        assertThat(cases.stream().filter(c -> c.correct() && c.file().equals("ThreadPool.java")))
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void everyCaseChangesTheFileOfAnItemThatIsGraded() throws IOException {
        assertThat(LabMistakes.allCases())
                .extracting(Case::file)
                .allMatch(f -> List.of("ThreadPool.java", "ProcessPerClient.java", "StudentState.java")
                        .contains(f));
    }
}
