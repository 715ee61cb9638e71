package org.echolab.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child's memory budget: what was asked, held to a quarter of the child's own heap. */
@Timeout(10)
class ResourcesTest {

    private static final long MIB = 1 << 20;

    @Test
    void aBudgetBiggerThanAQuarterOfTheChildsHeapIsHeldToIt() {
        assertThat(Resources.childMemoryBudget(4096 * MIB, 256 * MIB)).isEqualTo(64 * MIB);
        assertThat(Resources.childMemoryBudget(65 * MIB, 256 * MIB)).isEqualTo(64 * MIB);
    }

    @Test
    void aBudgetThatFitsIsKeptAndAutoStaysAuto() {
        assertThat(Resources.childMemoryBudget(32 * MIB, 256 * MIB)).isEqualTo(32 * MIB);
        assertThat(Resources.childMemoryBudget(64 * MIB, 256 * MIB)).isEqualTo(64 * MIB);
        assertThat(Resources.childMemoryBudget(0, 256 * MIB)).isZero();
    }
}
