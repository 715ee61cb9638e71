package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.echolab.testing.Trust;
import org.echolab.testing.WebSocketClients.Binary;
import org.echolab.testing.WebSocketClients.Closed;
import org.echolab.testing.WebSocketClients.Events;
import org.echolab.testing.WebSocketClients.Pong;
import org.echolab.testing.WebSocketClients.Raw;
import org.echolab.testing.WebSocketClients.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSocket echo ({@code /ws}) under every model in {@link Models}, as {@link ModelSuiteTest} does
 * HTTP: the JDK's {@code java.net.http.WebSocket}, Python's {@code websockets} (a client not
 * written here) and a raw socket that breaks the rules. Each test closes its connection, so the
 * sequential model is free for the next.
 */
class WebSocketSuiteTest {

    private static final Map<String, EchoServer> SHARED = new ConcurrentHashMap<>();

    /** One model of each family ({@link ModelSets}): what one connection gets does not depend on how it was accepted. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    /** One server per model; messages up to 64 KiB, so that the limit is quick to cross. */
    private static EchoServer shared(String model) {
        return SHARED.computeIfAbsent(
                model, m -> Servers.start(Servers.config(m).wsMaxMessage(64 * 1024)));
    }

    @AfterAll
    static void stopShared() {
        SHARED.values().forEach(EchoServer::close);
    }

    @ParameterizedTest
    @MethodSource("models")
    void textBinaryFragmentedPingAndCloseWithTheJdkClient(String model) throws Exception {
        try (Events ws = Events.connect(shared(model).port(), "/ws")) {
            WebSocket s = ws.socket();
            s.sendText("hello, wörld", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Text("hello, wörld"));

            byte[] bytes = new byte[3000];
            new Random(1).nextBytes(bytes);
            s.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next())
                    .isInstanceOfSatisfying(
                            Binary.class, b -> assertThat(b.bytes()).isEqualTo(bytes));

            s.sendText("frag", false).get(10, TimeUnit.SECONDS); // one message in three frames
            s.sendText("men", false).get(10, TimeUnit.SECONDS);
            s.sendText("ted", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).as("reassembled and echoed as one message").isEqualTo(new Text("fragmented"));

            s.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS);
            assertThat(ws.next())
                    .isInstanceOfSatisfying(
                            Pong.class, p -> assertThat(p.bytes()).containsExactly(1, 2, 3));

            s.sendClose(4001, "bye").get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).as("the close code comes back").isEqualTo(new Closed(4001, "bye"));
        }
    }

    /** wss: the same conversation over {@code --tls}, the JDK client trusting the server's self-signed certificate. */
    @ParameterizedTest
    @ValueSource(strings = {"virtual", "eventloop", "prefork", "process"})
    void overTlsToo(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).tls(true));
                Events ws = Events.connect(server.port(), "/ws?wait=10ms", Trust.only(server.config().tlsCert))) {
            WebSocket s = ws.socket();
            s.sendText("over tls", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Text("over tls"));
            s.sendText("frag", false).get(10, TimeUnit.SECONDS);
            s.sendText("ments", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Text("fragments"));
            s.sendPing(ByteBuffer.wrap(new byte[] {7})).get(10, TimeUnit.SECONDS);
            assertThat(ws.next())
                    .isInstanceOfSatisfying(
                            Pong.class, p -> assertThat(p.bytes()).containsExactly(7));
            s.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Closed(1000, "done"));
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aMessageOverTheLimitIsClosedWith1009(String model) throws Exception {
        try (Events ws = Events.connect(shared(model).port(), "/ws")) {
            ws.socket().sendBinary(ByteBuffer.wrap(new byte[64 * 1024 + 1]), true); // may fail once the server closes
            assertThat(ws.next())
                    .isInstanceOfSatisfying(
                            Closed.class, c -> assertThat(c.code()).isEqualTo(1009));
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void eachMessageWaitsAsTheUpgradeOrTheMessageSays(String model) throws Exception {
        try (Events ws = Events.connect(shared(model).port(), "/ws?wait=300ms")) {
            long t0 = System.nanoTime();
            ws.socket().sendText("slow", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Text("slow"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .as("not echoed before the wait")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
            ws.socket().sendText("[wait=0] quick", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).as("the directive is not echoed").isEqualTo(new Text("quick"));
            ws.socket().sendText("[wait=60s] too long", true).get(10, TimeUnit.SECONDS);
            assertThat(ws.next())
                    .isInstanceOfSatisfying(
                            Text.class,
                            t -> assertThat(t.text()).startsWith("ERR ").contains("--max-wait"));
            ws.socket().sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            assertThat(ws.next()).isEqualTo(new Closed(1000, ""));
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void brokenRulesGetTheirCloseCodes(String model) throws Exception {
        int port = shared(model).port();
        try (Raw raw = new Raw(port)) {
            String head = raw.handshake(Raw.upgrade("/ws"));
            assertThat(head)
                    .startsWith("HTTP/1.1 101 ")
                    .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
                    .doesNotContain("Content-Length");
            raw.send(WebSocketFrames.frame(WebSocketFrames.TEXT, "unmasked".getBytes(StandardCharsets.US_ASCII)));
            assertThat(raw.read().closeCode())
                    .as("client frames must be masked")
                    .isEqualTo(1002);
            assertThat(raw.closedByServer()).isTrue();
        }
        try (Raw raw = new Raw(port)) {
            raw.handshake(Raw.upgrade("/ws"));
            raw.frame(true, WebSocketFrames.TEXT, new byte[] {'a', (byte) 0xC3});
            assertThat(raw.read().closeCode()).as("invalid UTF-8 in text").isEqualTo(1007);
        }
        try (Raw raw = new Raw(port)) {
            raw.handshake(Raw.upgrade("/ws"));
            raw.frame(true, WebSocketFrames.PING, new byte[126]);
            assertThat(raw.read().closeCode())
                    .as("a control frame over 125 bytes")
                    .isEqualTo(1002);
        }
        try (Raw raw = new Raw(port)) {
            raw.handshake(Raw.upgrade("/ws"));
            raw.frame(false, WebSocketFrames.TEXT, "a".getBytes(StandardCharsets.US_ASCII));
            raw.frame(true, WebSocketFrames.PING, "in between".getBytes(StandardCharsets.US_ASCII));
            Raw.Frame pong = raw.read();
            assertThat(pong.opcode())
                    .as("a ping between fragments is answered at once")
                    .isEqualTo(WebSocketFrames.PONG);
            assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("in between");
            raw.frame(true, 0, "b".getBytes(StandardCharsets.US_ASCII));
            Raw.Frame echo = raw.read();
            assertThat(new String(echo.payload(), StandardCharsets.US_ASCII)).isEqualTo("ab");
            raw.frame(true, WebSocketFrames.CLOSE, new byte[0]);
            Raw.Frame close = raw.read();
            assertThat(close.opcode()).isEqualTo(WebSocketFrames.CLOSE);
            assertThat(close.payload()).as("no code in, no code out").isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void badUpgradesAreRefusedWithAReason(String model) throws Exception {
        int port = shared(model).port();
        try (Raw raw = new Raw(port)) {
            String head = raw.handshake("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(head).startsWith("HTTP/1.1 426 ").contains("Upgrade: websocket");
        }
        try (Raw raw = new Raw(port)) {
            String head =
                    raw.handshake(Raw.upgrade("/ws").replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
            assertThat(head).startsWith("HTTP/1.1 426 ").contains("Sec-WebSocket-Version: 13");
        }
        try (Raw raw = new Raw(port)) {
            String head = raw.handshake(Raw.upgrade("/ws").replace("dGhlIHNhbXBsZSBub25jZQ==", "short"));
            assertThat(head).startsWith("HTTP/1.1 400 ");
        }
    }

    /** Python's websockets library (Debian's python3-websockets): a client not written here. */
    @ParameterizedTest
    @MethodSource("models")
    void pythonWebsocketsClient(String model) throws Exception {
        String script = """
                import asyncio, sys, websockets
                async def main(url):
                    async with websockets.connect(url, compression=None) as ws:
                        await ws.send("hello")
                        assert await ws.recv() == "hello"
                        await ws.send(bytes(range(256)))
                        assert await ws.recv() == bytes(range(256))
                        await ws.send(["frag", "men", "ted"])
                        got = await ws.recv()
                        assert got == "fragmented", got
                        await asyncio.wait_for(await ws.ping(b"p"), 10)
                        await ws.close(4002, "done")
                    assert ws.close_code == 4002, ws.close_code
                    print("ok")
                asyncio.run(main(sys.argv[1]))
                """;
        Process p = new ProcessBuilder(
                        python(),
                        "-c",
                        script,
                        "ws://127.0.0.1:" + shared(model).port() + "/ws")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo("ok");
    }

    /** Debian's python3 (where python3-websockets installs), not another on the PATH. */
    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
