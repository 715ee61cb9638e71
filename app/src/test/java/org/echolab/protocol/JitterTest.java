package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code jitter=} with no clock: the same draw always gives the same wait. */
class JitterTest {

    @Test
    void uniformSpreadsTheDrawOverZeroToItsMaximum() {
        Jitter j = Jitter.parse("uniform:50ms");
        assertThat(j.max()).isEqualTo(Duration.ofMillis(50));
        assertThat(j.pick(0)).isEqualTo(Duration.ZERO);
        assertThat(j.pick(0.5)).isEqualTo(Duration.ofMillis(25));
        assertThat(j.pick(0.999999)).isLessThan(Duration.ofMillis(50));
    }

    @Test
    void aWeightedListPicksByCumulativeWeight() {
        Jitter j = Jitter.parse("0ms*9,500ms*1");
        assertThat(j.max()).isEqualTo(Duration.ofMillis(500));
        assertThat(j.pick(0.0)).isEqualTo(Duration.ZERO);
        assertThat(j.pick(0.89)).isEqualTo(Duration.ZERO);
        assertThat(j.pick(0.9)).isEqualTo(Duration.ofMillis(500));
        assertThat(Jitter.parse("10ms,20ms").pick(0.5))
                .as("a weight left out is 1")
                .isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void badJitterSaysWhatAValidOneLooksLike() {
        assertThatThrownBy(() -> Jitter.parse("gauss:5"))
                .hasMessageContaining("uniform:DURATION or a list like 0ms*9,500ms*1");
        assertThatThrownBy(() -> Jitter.parse("5ms*x")).hasMessageContaining("weight");
        assertThatThrownBy(() -> Jitter.parse("5ms*0")).hasMessageContaining("add up to 0");
    }
}
