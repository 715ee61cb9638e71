package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The warm-up that waits for every connection's first answer, over real sockets: one connection of
 * two is answered at once, the other only once the test releases it (a child process still
 * starting). Recording starts when both have been answered, not at the end of the planned
 * warm-up; at most {@code --timeout} later if one never is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WarmupTest {

    private static final Duration PLANNED = Duration.ofMillis(100);

    private static LoadSpec.Builder twoConnections(FaultyEchoServer server) {
        return LoadSpec.builder(server.uri())
                .connections(2)
                .threads(1)
                .warmup(PLANNED)
                .duration(Duration.ofMillis(500));
    }

    @Test
    void recordingStartsOnceEveryConnectionHasBeenAnswered() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.LATE_BUT_FIRST)) {
            LoadSpec spec = twoConnections(server)
                    .timeout(Duration.ofSeconds(30))
                    .warmupUntilAnswered(true)
                    .build();
            // the late connection is released at the first progress report, a second into the run
            LoadResult r = LoadGenerator.run(spec, p -> server.release());

            assertThat(r.warmup()).as("the warm-up as it ran").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.fairness().starved())
                    .as("both connections answered in the period: %s", r.fairness())
                    .isZero();
            assertThat(spec.describe()).contains("until every connection was answered once");
        }
    }

    @Test
    void aConnectionNeverAnsweredEndsTheWarmUpAfterTheTimeoutAndIsStarved() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.LATE_BUT_FIRST)) {
            Duration timeout = Duration.ofMillis(700);
            LoadResult r = LoadGenerator.run(
                    twoConnections(server)
                            .timeout(timeout)
                            .warmupUntilAnswered(true)
                            .build(),
                    null);

            assertThat(r.warmup()).isGreaterThanOrEqualTo(PLANNED.plus(timeout));
            assertThat(r.requests()).as("the answered connection was measured").isPositive();
            assertThat(r.fairness().starved()).as("%s", r.fairness()).isEqualTo(1);
            assertThat(r.errorsByKind()).containsKey("timeout");
        }
    }

    @Test
    void withoutItRecordingStartsAtThePlannedEnd() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.LATE_BUT_FIRST)) {
            LoadResult r = LoadGenerator.run(
                    twoConnections(server).timeout(Duration.ofSeconds(30)).build(), p -> server.release());

            assertThat(r.warmup()).isEqualTo(PLANNED);
        }
    }

    @Test
    void anOpenWorkloadIsRefusedIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LoadSpec.builder(java.net.URI.create("http://127.0.0.1:1/echo"))
                                .rate(100)
                                .warmupUntilAnswered(true)
                                .build())
                .hasMessageContaining("closed workload");
    }
}
