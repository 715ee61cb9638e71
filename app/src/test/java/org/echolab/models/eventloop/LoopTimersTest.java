package org.echolab.models.eventloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Transport;
import org.junit.jupiter.api.Test;

/**
 * The loop's timer queue: a cancelled timer lets go of its action at once, so a connection that
 * closed before its deadline (an idle one whose client left) is not kept alive by its timer until
 * that deadline, up to {@code --idle-timeout} later.
 */
class LoopTimersTest {

    @Test
    void aCancelledTimerHoldsNoAction() throws Exception {
        Shared shared = new Shared(
                ServerConfig.builder().model("eventloop").build(),
                null,
                null,
                null,
                null,
                new Shared.Gauge(),
                e -> {},
                null);
        Loop loop = new Loop("loop-test", shared); // not started: this thread is its only user until then
        long later = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        Transport.Timer kept = loop.schedule(later, () -> {});
        Transport.Timer cancelled = loop.schedule(later, () -> {});
        cancelled.cancel();
        assertThat(loop.pendingTimers()).as("queued until their deadline").isEqualTo(2);
        assertThat(loop.armedTimers()).as("holding an action").isEqualTo(1);
        kept.cancel();
        assertThat(loop.armedTimers()).isZero();
        loop.start();
        loop.shutdown(); // closes its selector
    }
}
