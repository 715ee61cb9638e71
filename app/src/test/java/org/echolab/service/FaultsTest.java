package org.echolab.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.echolab.protocol.HttpResponse;
import org.junit.jupiter.api.Test;

/** Faults with no sockets: parsing, limits, the seeded fate of the n-th request, and the shape of a cut or dripped reply. */
class FaultsTest {

    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private static Faults parse(Map<String, String> params) {
        return Faults.parse(params::get, Duration.ZERO, MAX_WAIT);
    }

    @Test
    void theSameSeedGivesTheSameFatesAndTheRateIsKept() {
        Faults a = parse(Map.of("fail", "0.1", "seed", "42"));
        Faults b = parse(Map.of("fail", "0.1", "seed", "42"));
        List<Integer> first = new ArrayList<>();
        List<Integer> again = new ArrayList<>();
        int failed = 0;
        for (long n = 1; n <= 10_000; n++) {
            first.add(a.decide(n).status());
            again.add(b.decide(n).status());
            if (a.decide(n).status() == 500) {
                failed++;
                assertThat(Faults.picked(42, n, 0.1))
                        .as("what a client computes")
                        .isTrue();
            }
        }
        assertThat(again).isEqualTo(first);
        assertThat(failed).as("about a tenth").isBetween(900, 1100);
        assertThat(parse(Map.of("fail", "0.1", "seed", "43")).decide(1).status() == 500 ? 1 : 0)
                .isEqualTo(Faults.picked(43, 1, 0.1) ? 1 : 0);
    }

    @Test
    void withFailOnlyThePickedRequestsGetTheStatusOrCut() {
        Faults f = parse(Map.of("fail", "0.5", "seed", "7", "reset", "middle"));
        for (long n = 1; n <= 100; n++) {
            Faults.Cut expected = Faults.picked(7, n, 0.5) ? Faults.Cut.RESET_MIDDLE : Faults.Cut.NONE;
            assertThat(f.decide(n).cut()).isEqualTo(expected);
            assertThat(f.decide(n).status())
                    .as("a cut replaces the default 500")
                    .isZero();
        }
        assertThat(parse(Map.of("status", "503")).decide(99).status())
                .as("without fail: every request")
                .isEqualTo(503);
    }

    @Test
    void jitterIsSeededToo() {
        Faults f = parse(Map.of("jitter", "uniform:100ms", "seed", "1"));
        assertThat(f.random()).isTrue();
        assertThat(f.decide(3).jitter())
                .isEqualTo(parse(Map.of("jitter", "uniform:100ms", "seed", "1"))
                        .decide(3)
                        .jitter())
                .isLessThan(Duration.ofMillis(100));
        assertThat(parse(Map.of("jitter", "uniform:100ms")).seed())
                .as("no seed given: one is picked and reported")
                .isNotNegative();
    }

    @Test
    void badValuesAndTooLongWaitsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse(Map.of("status", "99")))
                .hasMessage("status must be a whole number from 200 to 599 (got '99')");
        assertThatThrownBy(() -> parse(Map.of("fail", "2"))).hasMessageContaining("fail must be a rate from 0 to 1");
        assertThatThrownBy(() -> parse(Map.of("close", "after")))
                .hasMessageContaining("close must be before or middle");
        assertThatThrownBy(() -> parse(Map.of("close", "before", "reset", "before")))
                .hasMessage("ask for close or reset, not both");
        assertThatThrownBy(() -> parse(Map.of("interval", "1s"))).hasMessageContaining("interval goes with drip");
        assertThatThrownBy(() -> parse(Map.of("drip", "20", "interval", "1s")))
                .hasMessageContaining("above this server's --max-wait of 10s");
        assertThatThrownBy(() -> parse(Map.of("seed", "x", "fail", "0.1")))
                .hasMessageContaining("seed must be a whole number");
        assertThat(parse(Map.of()).any()).isFalse();
    }

    @Test
    void aDrippedReplyIsItsHeadThenChunksThatEndTheBody() {
        HttpResponse r = new HttpResponse(200, "OK").body("hello world".getBytes(StandardCharsets.US_ASCII));
        Reply reply = Reply.http(
                r,
                false,
                Duration.ZERO,
                Work.SLEEP,
                null,
                new Faults.Decision(0, Duration.ZERO, 3, Duration.ofMillis(10), Faults.Cut.NONE));
        assertThat(new String(reply.bytes(), StandardCharsets.US_ASCII))
                .contains("Transfer-Encoding: chunked\r\n")
                .doesNotContain("Content-Length");
        assertThat(reply.later())
                .extracting(b -> new String(b, StandardCharsets.US_ASCII))
                .containsExactly("3\r\nhel\r\n", "4\r\nlo w\r\n", "4\r\norld\r\n0\r\n\r\n");
        Reply cut = Reply.http(
                r,
                false,
                Duration.ZERO,
                Work.SLEEP,
                null,
                new Faults.Decision(0, Duration.ZERO, 3, Duration.ofMillis(10), Faults.Cut.CLOSE_MIDDLE));
        assertThat(cut.later()).as("half the chunks").hasSize(1);
        assertThat(cut.close()).isTrue();
    }

    @Test
    void aReplyCutInTheMiddleHasItsWholeHeadAndHalfItsBody() {
        HttpResponse r = new HttpResponse(200, "OK").body("0123456789".getBytes(StandardCharsets.US_ASCII));
        int headLength = r.encode(false).length - 10;
        Reply middle = Reply.http(
                r,
                false,
                Duration.ZERO,
                Work.SLEEP,
                null,
                new Faults.Decision(0, Duration.ZERO, 0, Duration.ZERO, Faults.Cut.RESET_MIDDLE));
        assertThat(new String(middle.bytes(), StandardCharsets.US_ASCII))
                .endsWith("\r\n\r\n01234")
                .hasSize(headLength + 5);
        assertThat(middle.cut().reset()).isTrue();
        Reply before = Reply.http(
                r,
                false,
                Duration.ZERO,
                Work.SLEEP,
                null,
                new Faults.Decision(0, Duration.ZERO, 0, Duration.ZERO, Faults.Cut.CLOSE_BEFORE));
        assertThat(before.bytes()).isEmpty();
        assertThat(before.outgoing().remaining()).isZero();
    }
}
