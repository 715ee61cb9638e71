package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.echolab.load.FaultyEchoServer.Fault;
import org.junit.jupiter.api.Test;

/**
 * A server that stalls every response for 1 s, once (like a long GC pause). The open workload
 * times each request from its intended start, so the requests that were due during the stall
 * carry it, and the stall shows in p99. The closed workload's clients simply wait: only one
 * request per connection sees the stall (4 of 2,000), so p99 cannot show it and only the max
 * betrays it.
 * These assert what is measured, not how fast anything is.
 */
class CoordinatedOmissionTest {

    private static final double STALL = FaultyEchoServer.STALL_MILLIS;

    @Test
    void openWorkloadShowsTheStallInItsPercentiles() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(Fault.STALL_ONCE, 100)) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(server.uri())
                            .connections(4)
                            .rate(200)
                            .duration(Duration.ofSeconds(3))
                            .build(),
                    null);

            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.maxMillis()).isGreaterThanOrEqualTo(STALL * 0.9);
            assertThat(r.percentileMillis(99)).as("p99 from intended start").isGreaterThanOrEqualTo(STALL / 2);
            assertThat(r.percentileMillis(90))
                    .as("a third of the run was stalled")
                    .isGreaterThanOrEqualTo(STALL / 4);
        }
    }

    @Test
    void closedWorkloadHidesTheStall() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(Fault.STALL_ONCE, 200)) {
            // 2,000 requests, so the 4 that meet the stall (one per connection) are 0.2%
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(server.uri()).connections(4).requests(2000).build(), null);

            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(2000);
            assertThat(r.maxMillis()).as("the stall happened").isGreaterThanOrEqualTo(STALL * 0.9);
            // coordinated omission, counted: the requests that waited out the stall are one per
            // connection, so p99 (the 20th slowest of 2,000) cannot see it
            org.HdrHistogram.Histogram latency = r.latency();
            long stalled = latency.getCountBetweenValues((long) (STALL * 0.9 * 1000), latency.getMaxValue());
            assertThat(stalled).as("requests that carry the stall").isBetween(1L, 4L);
        }
    }
}
