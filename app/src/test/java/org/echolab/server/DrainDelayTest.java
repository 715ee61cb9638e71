package org.echolab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.models.Models;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --drain-delay}, for every model: a stopping server first answers 503 on
 * {@code /health/ready} (and {@code /health}) while it goes on accepting and serving, so a load
 * balancer's checks can take it out of rotation; {@code /health/live} stays 200; only after the
 * delay does it stop accepting. In {@code process} and {@code prefork} the parent is told to stop
 * but its children answer, so this also shows that their readiness follows the parent's.
 */
// each case waits out a drain delay on a server of its own: the cases run at once
@Execution(CONCURRENT)
class DrainDelayTest {

    /**
     * Long enough for the checks below and a new connection on a busy machine: under a process per
     * connection a child JVM starts for it, elsewhere a thread or the loop serves it at once.
     */
    private static Duration delay(String model) {
        return Models.byName(model).traits().perConnection() == Models.PerConnection.PROCESS
                ? Duration.ofSeconds(5)
                : Duration.ofSeconds(2);
    }

    /** One model of each family ({@link ModelSets}): readiness and the delay are the server's, not the accept discipline's. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    private static RawClient.Response get(EchoServer server, String target) throws IOException {
        try (RawClient c = new RawClient(server.port())) {
            return c.send(RawClient.get(target)).readResponse();
        }
    }

    /** A request on a connection kept open: under the process models no child starts for it. */
    private static RawClient.Response get(RawClient kept, String target) throws IOException {
        return kept.send(RawClient.get(target)).readResponse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void readinessFailsForTheDelayWhileTheServerStillServes(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model));
        Duration delay = delay(model);
        try {
            RawClient.Response ready, health, live;
            long stopAt;
            CompletableFuture<Void> stopping;
            try (RawClient kept = new RawClient(server.port())) {
                assertThat(get(kept, "/health").text()).isEqualTo("ok\n");
                assertThat(get(kept, "/health/ready").text()).isEqualTo("ready\n");
                assertThat(get(kept, "/health/live").text()).isEqualTo("live\n");

                stopAt = System.nanoTime();
                // on a thread of its own: the common pool has one thread on two cores, which the
                // cases running at once would have to take turns on
                stopping = CompletableFuture.runAsync(
                        () -> {
                            try {
                                server.stop(delay, Duration.ofSeconds(5));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        Thread.ofVirtual()::start);
                await().atMost(delay).until(() -> get(kept, "/health/ready").status() == 503);
                ready = get(kept, "/health/ready");
                health = get(kept, "/health");
                live = get(kept, "/health/live");
            } // closed: under sequential it held the only worker
            // A new connection, answered: it came before the delay ended, after which the server
            // accepts no more (below). So the three answers above, earlier on, came within the delay.
            RawClient.Response echo = get(server, "/echo?msg=still-serving");
            assertThat(echo.status())
                    .as("new connections are still accepted and served")
                    .isEqualTo(200);
            assertThat(echo.text()).isEqualTo("still-serving");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.text()).isEqualTo("not ready: stopping\n");
            assertThat(health.status()).as("/health is the readiness check too").isEqualTo(503);
            assertThat(live.status()).as("still alive while stopping").isEqualTo(200);

            stopping.get();
            assertThat(System.nanoTime() - stopAt)
                    .as("the stop waits out the delay")
                    .isGreaterThanOrEqualTo(delay.toNanos());
            Servers.assertNotListening(server.port(), "after the delay, no longer accepting");
        } finally {
            server.close();
        }
    }
}
