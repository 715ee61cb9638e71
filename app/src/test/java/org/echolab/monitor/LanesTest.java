package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timeline's rows: requests back to back share a row whatever thread served them; requests
 * that overlap never share one; past the bound, requests are counted, not placed.
 */
@Timeout(10)
class LanesTest {

    @Test
    void requestsBackToBackShareOneRow() {
        // a pool serving one client at a time: each request on another thread, none overlapping
        List<Lanes.Span> spans = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            spans.add(new Lanes.Span(i * 10, i * 10 + 10));
        }
        assertThat(Lanes.assign(spans, 16)).containsOnly(0);
    }

    @Test
    void requestsThatOverlapAreOnRowsOfTheirOwn() {
        // ten in flight at once, after one that ended
        List<Lanes.Span> spans = new ArrayList<>(List.of(new Lanes.Span(0, 5)));
        for (int i = 0; i < 10; i++) {
            spans.add(new Lanes.Span(10 + i, 0));
        }
        int[] lanes = Lanes.assign(spans, 16);
        assertThat(lanes[0]).isZero();
        assertThat(Arrays.stream(lanes, 1, 11).distinct().count())
                .as("ten rows for ten in flight")
                .isEqualTo(10);
        assertThat(lanes[1]).as("the first row, free again").isZero();
    }

    @Test
    void aRowIsTakenAgainOnceItsRequestEnded() {
        int[] lanes = Lanes.assign(List.of(new Lanes.Span(0, 100), new Lanes.Span(10, 20), new Lanes.Span(30, 0)), 16);
        assertThat(lanes).containsExactly(0, 1, 1);
    }

    @Test
    void pastTheBoundRequestsGetNoRow() {
        List<Lanes.Span> spans = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            spans.add(new Lanes.Span(i, 0));
        }
        int[] lanes = Lanes.assign(spans, 16);
        assertThat(Arrays.stream(lanes).filter(l -> l == Lanes.NONE).count()).isEqualTo(24);
        assertThat(Arrays.stream(lanes).max().getAsInt()).isEqualTo(15);
    }
}
