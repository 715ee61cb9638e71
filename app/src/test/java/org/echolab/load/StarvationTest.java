package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fairness over real sockets: five keep-alive clients, each asking for a 100 ms wait, for one
 * second. {@code sequential} serves the first connection it accepts until that one leaves, so the
 * other four get no answer in the period: starved. Models that serve connections concurrently
 * answer every one of them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StarvationTest {

    /** -n 5 -c 10: five connections never had a request to send, and were not starved for it. */
    @Test
    void fewerRequestsThanConnectionsStarveNobody() throws Exception {
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build())) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(target).connections(10).requests(5).build(), null);
            assertThat(r.requests()).isEqualTo(5);
            assertThat(r.fairness().starved()).as("%s", r.fairness()).isZero();
            assertThat(r.fairness().connections())
                    .as("the connections that had a request")
                    .isEqualTo(5);
        }
    }

    private static LoadResult fiveClientsForOneSecond(String model) throws IOException, LoadException {
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model(model).port(0).build())) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            return LoadGenerator.run(
                    LoadSpec.builder(target)
                            .connections(5)
                            .serverWait(Duration.ofMillis(100))
                            .duration(Duration.ofSeconds(1))
                            .build(),
                    null);
        }
    }

    @ParameterizedTest(name = "{0}: {1} of 5 starved")
    @CsvSource({"sequential,4", "thread,0", "virtual,0", "eventloop,0"})
    void sequentialStarvesAllButOneConnectionTheOthersNone(String model, int starved) throws Exception {
        LoadResult r = fiveClientsForOneSecond(model);

        assertThat(r.errorsByKind()).isEmpty(); // starvation is not an error: every echo was right
        Fairness f = r.fairness();
        assertThat(f.connections()).isEqualTo(5);
        assertThat(f.starved()).as("%s", f).isEqualTo(starved);
        assertThat(f.max()).as("someone was served").isPositive();
        if (starved == 0) {
            assertThat(f.min()).as("every connection answered: %s", f).isPositive();
        } else {
            assertThat(f.min()).isZero();
        }
    }
}
