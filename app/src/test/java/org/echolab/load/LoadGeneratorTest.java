package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator against the real EchoServer over real sockets: every echo verified, HTTP and TCP. */
class LoadGeneratorTest {

    private static EchoServer server;
    private static URI http;
    private static URI tcp;

    @BeforeAll
    static void start() throws IOException {
        server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build());
        http = URI.create("http://127.0.0.1:" + server.port() + "/echo");
        tcp = URI.create("tcp://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void closedKeepAliveVerifiesEveryEcho() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http).connections(4).requests(400).build(), null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(400);
        assertThat(r.latency().getTotalCount()).isEqualTo(400);
        assertThat(r.connectionsOpened())
                .as("keep-alive: one connection per client")
                .isEqualTo(4);
        assertThat(r.workers()).isNotEmpty();
        assertThat(r.throughput()).isPositive();
    }

    @Test
    void sizedEchoesAreVerifiedByteForByte() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http).connections(2).requests(40).size(100_000).build(), null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(40);
    }

    @Test
    void connectPerRequestOpensAConnectionForEveryRequest() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http)
                        .connections(3)
                        .connectPerRequest(true)
                        .requests(90)
                        .build(),
                null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(90);
        assertThat(r.connectionsOpened()).isEqualTo(90);
    }

    @Test
    void serverWaitIsPassedOn() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http)
                        .connections(2)
                        .requests(6)
                        .serverWait(Duration.ofMillis(200))
                        .build(),
                null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.percentileMillis(50))
                .as("each echo waited 200 ms on the server")
                .isGreaterThanOrEqualTo(200);
    }

    @Test
    void requestNumbersAreCollectedWhenAskedFor() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http)
                        .connections(4)
                        .requests(200)
                        .collectRequestNumbers(true)
                        .build(),
                null);

        assertThat(r.requestNumbers()).hasSize(200);
        assertThat(new HashSet<>(r.requestNumbers()))
                .as("the server numbers each request once")
                .hasSize(200);
    }

    @Test
    void tcpTargetEchoesEveryLine() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(tcp).connections(3).requests(300).build(), null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(300);
    }

    @Test
    void tcpTargetCarriesWaitWorkAndSize() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(tcp)
                        .connections(2)
                        .requests(10)
                        .serverWait(Duration.ofMillis(100))
                        .work("cpu")
                        .size(500)
                        .build(),
                null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(10);
        assertThat(r.percentileMillis(50))
                .as("the [wait=100ms work=cpu] directive reached the server")
                .isGreaterThanOrEqualTo(100);
    }

    @Test
    void tcpServerErrorLinesAreCounted() throws LoadException {
        // a wait above the server's --max-wait (10 s) is refused with "ERR ..." instead of an echo
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(tcp)
                        .connections(1)
                        .requests(3)
                        .serverWait(Duration.ofSeconds(60))
                        .build(),
                null);

        assertThat(r.requests()).isZero();
        assertThat(r.errorsByKind()).containsEntry("err-line", 3L);
    }

    @Test
    void openWorkloadAccountsForEveryScheduledRequest() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(http)
                        .connections(4)
                        .rate(200)
                        .duration(Duration.ofSeconds(1))
                        .build(),
                null);

        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isPositive();
        // 200 req/s for 1 s: each of the 200 scheduled requests was either sent and verified, or reported unsent
        assertThat(r.requests() + r.unsent()).isEqualTo(200);
    }

    @Test
    void refusedConnectionIsAClearLoadException() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:" + port + "/echo"))
                .requests(1)
                .build();

        assertThatThrownBy(() -> LoadGenerator.run(spec, null))
                .isInstanceOf(LoadException.class)
                .hasMessage("cannot connect to 127.0.0.1:" + port
                        + ": connection refused; is the server running on that port?");
    }

    @Test
    void unknownHostIsAClearLoadException() {
        LoadSpec spec = LoadSpec.builder(URI.create("http://no-such-host.invalid:8080/echo"))
                .requests(1)
                .build();

        assertThatThrownBy(() -> LoadGenerator.run(spec, null))
                .isInstanceOf(LoadException.class)
                .hasMessageStartingWith("unknown host 'no-such-host.invalid'");
    }

    @Test
    void badSpecsSayWhatToFix() {
        assertThatThrownBy(() -> LoadSpec.builder(http).connections(0).build())
                .hasMessageContaining("connections must be from 1");
        assertThatThrownBy(() -> LoadSpec.builder(http).rate(-1).build()).hasMessageContaining("rate must be");
        assertThatThrownBy(() -> LoadSpec.builder(http).work("nap").build())
                .hasMessageContaining("work must be sleep or cpu");
        assertThatThrownBy(() -> LoadSpec.builder(URI.create("ftp://x/")).build())
                .hasMessageContaining("must start with http://, https://, ws://, wss:// or tcp://");
        assertThatThrownBy(() -> LoadSpec.builder(URI.create("tcp://127.0.0.1")).build())
                .hasMessageContaining("needs a port");
    }
}
