package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The spread of answers over connections, from known counts: min, median, max and who was starved. */
class FairnessTest {

    @Test
    void oneConnectionServedAndFourWithNoneAreFourStarved() {
        Fairness f = Fairness.of(new long[] {0, 29, 0, 0, 0});

        assertThat(f).isEqualTo(new Fairness(5, 0, 0, 29, 4));
        assertThat(f.anyStarved()).isTrue();
        assertThat(f.spread()).isEqualTo("0 / 0 / 29");
        assertThat(f.starvedOfAll()).isEqualTo("4 of 5");
    }

    @Test
    void anEvenCountHasTheMeanOfTheMiddleTwoAsItsMedian() {
        Fairness f = Fairness.of(new long[] {4, 1, 3, 6});

        assertThat(f).isEqualTo(new Fairness(4, 1, 3.5, 6, 0));
        assertThat(f.spread()).isEqualTo("1 / 3.5 / 6");
    }

    @Test
    void nobodyAnsweredIsNotStarvation() {
        // a period shorter than one wait: no connection was served before another
        Fairness f = Fairness.of(new long[] {0, 0, 0});

        assertThat(f.starved()).isZero();
        assertThat(f.anyStarved()).isFalse();
    }

    @Test
    void aConnectionThatHadNoRequestToSendIsNotCounted() {
        Fairness f = Fairness.of(new long[] {1, -1, 2, -1});
        assertThat(f.connections()).isEqualTo(2);
        assertThat(f.starved()).isZero();
        assertThat(f.min()).isEqualTo(1);
    }
}
