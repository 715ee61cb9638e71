package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.echolab.load.FaultyEchoServer.Fault;
import org.junit.jupiter.api.Test;

/**
 * A server that stalls every response for 1 s, once (like a long GC pause). The open workload
 * times each request from its intended start, so the requests that were due during the stall
 * carry it, and the stall shows in p99. The closed workload's clients simply wait: only one
 * request per connection sees the stall, so p50 and p99 stay low and only the max betrays it.
 * These assert what is measured, not how fast anything is.
 */
class CoordinatedOmissionTest {

    private static final double STALL = FaultyEchoServer.STALL_MILLIS;

    @Test
    void openWorkloadShowsTheStallInItsPercentiles() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(Fault.STALL_ONCE, 100)) {
            LoadResult r = LoadGenerator.run(LoadSpec.builder(server.uri()).connections(4).rate(200)
                    .duration(Duration.ofSeconds(3)).build(), null);

            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.maxMillis()).isGreaterThanOrEqualTo(STALL * 0.9);
            assertThat(r.percentileMillis(99)).as("p99 from intended start").isGreaterThanOrEqualTo(STALL / 2);
            assertThat(r.percentileMillis(90)).as("a third of the run was stalled").isGreaterThanOrEqualTo(STALL / 4);
        }
    }

    @Test
    void closedWorkloadHidesTheStall() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(Fault.STALL_ONCE, 200)) {
            // 2,000 requests, so the 4 that meet the stall (one per connection) are 0.2%
            LoadResult r = LoadGenerator.run(LoadSpec.builder(server.uri()).connections(4).requests(2000).build(), null);

            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(2000);
            assertThat(r.maxMillis()).as("the stall happened").isGreaterThanOrEqualTo(STALL * 0.9);
            assertThat(r.percentileMillis(50)).isLessThan(STALL / 10);
            assertThat(r.percentileMillis(99)).as("coordinated omission: p99 does not see the stall").isLessThan(STALL / 2);
        }
    }
}
