package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When an open run is said to have fallen behind its schedule: the rule, at its edges. */
@Timeout(10)
class FellBehindTest {

    @Test
    void aRequestOrTwoCutOffByTheRunsEndIsNotFallingBehind() {
        assertThat(LoadResult.behind(220_000, 0, 0.05)).isFalse();
        assertThat(LoadResult.behind(220_000, 2, 0.05)).isFalse();
        assertThat(LoadResult.behind(999, 1, 0)).as("exactly one in a thousand").isFalse();
    }

    @Test
    void moreThanOneDueRequestInAThousandUnsentIsFallingBehind() {
        assertThat(LoadResult.behind(998, 2, 0)).isTrue();
        assertThat(LoadResult.behind(133_829, 1882, 0)).isTrue();
        assertThat(LoadResult.behind(0, 1, 0)).as("nothing sent at all").isTrue();
    }

    @Test
    void aGeneratorTenMillisecondsLateAtP99IsFallingBehindWhateverWasSent() {
        assertThat(LoadResult.behind(220_000, 0, 10)).isTrue();
        assertThat(LoadResult.behind(220_000, 0, 9.99)).isFalse();
    }
}
