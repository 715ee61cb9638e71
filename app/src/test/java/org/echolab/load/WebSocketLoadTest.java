package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator against {@code ws://}: a real server, every echoed message verified byte for byte. */
class WebSocketLoadTest {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "eventloop"})
    void everyMessageIsVerifiedOnConnectionsThatHandshakeOnce(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model))) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port());
            LoadResult r = LoadGenerator.run(LoadSpec.builder(ws).connections(4).requests(400).build(), null);
            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(400);
            assertThat(r.connectionsOpened()).as("one handshake per connection").isEqualTo(4);
            assertThat(Servers.stat(server, "requestsServed")).as("4 handshakes and 400 messages").isEqualTo(404);

            LoadResult sized = LoadGenerator.run(LoadSpec.builder(URI.create(ws + "/ws")).connections(2).requests(20)
                    .size(100_000).serverWait(Duration.ofMillis(5)).build(), null);
            assertThat(sized.errorsByKind()).isEmpty();

            LoadResult perRequest = LoadGenerator.run(LoadSpec.builder(ws).connections(2).requests(20).connectPerRequest(true).build(), null);
            assertThat(perRequest.errorsByKind()).isEmpty();
            assertThat(perRequest.connectionsOpened()).isEqualTo(20);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual"})
    void closesAndRefusedHandshakesAreCountedByKind(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).wsMaxMessage(1000))) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/ws");
            LoadResult tooBig = LoadGenerator.run(LoadSpec.builder(ws).connections(1).requests(5).size(1001).build(), null);
            assertThat(tooBig.errorsByKind()).containsOnlyKeys("ws-close").containsEntry("ws-close", 5L);
            LoadResult notWs = LoadGenerator.run(LoadSpec.builder(URI.create("ws://127.0.0.1:" + server.port() + "/echo"))
                    .connections(1).requests(5).build(), null);
            assertThat(notWs.errorsByKind()).containsOnlyKeys("ws-handshake");
        }
    }
}
