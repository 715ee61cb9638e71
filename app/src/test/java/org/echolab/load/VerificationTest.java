package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.echolab.load.FaultyEchoServer.Fault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every echo is checked: a server that answers every 10th request wrongly has exactly those
 * requests counted as errors of the right kind, and none of them counted as OK.
 */
class VerificationTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "WRONG_BODY, wrong-body",
        "TRUNCATED,  truncated",
        "STATUS_503, status-503",
    })
    void everyFaultyEchoIsCountedByKind(Fault fault, String kind) throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(fault)) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(server.uri()).connections(3).requests(200).build(), null);

            assertThat(server.requests()).isEqualTo(200);
            assertThat(r.errorsByKind()).containsExactlyEntriesOf(java.util.Map.of(kind, 20L));
            assertThat(r.errors()).isEqualTo(20);
            assertThat(r.requests()).isEqualTo(180);
            assertThat(r.latency().getTotalCount())
                    .as("only verified echoes are timed")
                    .isEqualTo(180);
        }
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void aCorrectServerGivesNoErrors(boolean connectPerRequest) throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(Fault.NONE)) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(server.uri())
                            .connections(3)
                            .connectPerRequest(connectPerRequest)
                            .requests(200)
                            .build(),
                    null);

            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(200);
        }
    }
}
