package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.echolab.protocol.WebSocketHandshake;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator against {@code ws://}: a real server, every echoed message verified byte for byte. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketLoadTest {

    /** --verify means for ws:// what it means for http://: echo checks the echo, status and none only that an answer came. */
    @Test
    void verifyMeansTheSameForWebSocket() throws Exception {
        URI someWs = URI.create("ws://127.0.0.1:1/ws");
        assertThat(LoadSpec.builder(someWs).build().verify())
                .as("the default checks the echo")
                .isEqualTo(LoadSpec.Verify.ECHO);
        assertThat(LoadSpec.builder(someWs).build().describe()).contains("verify echo");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon().start(() -> answerOkToEveryMessage(listener));
            URI ws = URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws");
            LoadResult echo = LoadGenerator.run(
                    LoadSpec.builder(ws).connections(1).requests(5).build(), null);
            assertThat(echo.errorsByKind()).containsOnlyKeys("wrong-body");
            for (LoadSpec.Verify v : new LoadSpec.Verify[] {LoadSpec.Verify.STATUS, LoadSpec.Verify.NONE}) {
                LoadResult r = LoadGenerator.run(
                        LoadSpec.builder(ws)
                                .connections(1)
                                .requests(5)
                                .verify(v)
                                .build(),
                        null);
                assertThat(r.errorsByKind()).as("%s", v).isEmpty();
                assertThat(r.requests()).as("%s", v).isEqualTo(5);
            }
            server.interrupt();
        }
    }

    /** A WebSocket server that does not echo: it answers every message, whatever it was, with the text "ok". */
    private static void answerOkToEveryMessage(ServerSocket listener) {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head = "";
                while (!head.endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    head += (char) b;
                }
                String key = head.lines()
                        .filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .findFirst()
                        .orElse("");
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Accept: " + WebSocketHandshake.accept(key) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                while (true) {
                    int b0 = in.read();
                    int b1 = in.read();
                    if (b0 < 0 || b1 < 0) {
                        break;
                    }
                    int n = b1 & 0x7F;
                    if (n == 126) {
                        n = in.read() << 8 | in.read();
                    }
                    in.readNBytes(4 + n); // the mask and the masked message
                    out.write(new byte[] {(byte) 0x81, 2, 'o', 'k'});
                }
            } catch (IOException e) {
                // the listener closed, or the client left: take the next one
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "eventloop"})
    void everyMessageIsVerifiedOnConnectionsThatHandshakeOnce(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model))) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port());
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(ws).connections(4).requests(400).build(), null);
            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(400);
            assertThat(r.connectionsOpened()).as("one handshake per connection").isEqualTo(4);
            // the server counts a message once its echo is written: the client may read the last
            // echo before the server's thread has counted it
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Servers.stat(server, "requestsServed"))
                            .as("4 handshakes and 400 messages")
                            .isEqualTo(404));

            LoadResult sized = LoadGenerator.run(
                    LoadSpec.builder(URI.create(ws + "/ws"))
                            .connections(2)
                            .requests(20)
                            .size(100_000)
                            .serverWait(Duration.ofMillis(5))
                            .build(),
                    null);
            assertThat(sized.errorsByKind()).isEmpty();

            LoadResult perRequest = LoadGenerator.run(
                    LoadSpec.builder(ws)
                            .connections(2)
                            .requests(20)
                            .connectPerRequest(true)
                            .build(),
                    null);
            assertThat(perRequest.errorsByKind()).isEmpty();
            assertThat(perRequest.connectionsOpened()).isEqualTo(20);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual"})
    void closesAndRefusedHandshakesAreCountedByKind(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).wsMaxMessage(1000))) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/ws");
            LoadResult tooBig = LoadGenerator.run(
                    LoadSpec.builder(ws).connections(1).requests(5).size(1001).build(), null);
            assertThat(tooBig.errorsByKind()).containsOnlyKeys("ws-close").containsEntry("ws-close", 5L);
            LoadResult notWs = LoadGenerator.run(
                    LoadSpec.builder(URI.create("ws://127.0.0.1:" + server.port() + "/echo"))
                            .connections(1)
                            .requests(5)
                            .build(),
                    null);
            assertThat(notWs.errorsByKind()).containsOnlyKeys("ws-handshake");
        }
    }
}
