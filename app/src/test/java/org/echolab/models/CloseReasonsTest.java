package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.echolab.config.ServerConfig;
import org.echolab.process.Connections;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code -v} log says why each connection of a non-blocking model closed, in the words the
 * blocking models use: read from the registry's log lines of a real server, one cause at a time.
 */
@Timeout(120)
class CloseReasonsTest {

    private static final Logger REGISTRY = Logger.getLogger(Connections.class.getName()); // held: JUL keeps it weakly
    private static final String GET = "GET /echo?msg=hi HTTP/1.1\r\nHost: t\r\n\r\n";

    private final List<String> closes = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String line = new SimpleFormatter().formatMessage(r);
            if (line.contains("connection closed: ")) {
                closes.add(line);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = REGISTRY.getLevel();
        REGISTRY.setLevel(Level.FINE); // -v
        capture.setLevel(Level.ALL);
        REGISTRY.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        REGISTRY.removeHandler(capture);
        REGISTRY.setLevel(levelBefore);
    }

    private interface Client {
        void talk(Socket s) throws IOException;
    }

    /** The log line of the one connection {@code client} makes and ends, once the server has closed it. */
    private String closeOf(EchoServer server, Client client) throws IOException {
        int before = closes.size();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            client.talk(s);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> closes.size() > before);
        assertThat(closes).hasSize(before + 1);
        return closes.get(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventloop", "netty"})
    void theClientsOwnCloses(String model) throws IOException {
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model(model).port(0).build())) {
            assertThat(closeOf(server, s -> {
                        send(s, GET);
                        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
                    }))
                    .contains("connection closed: client closed (");

            assertThat(closeOf(server, s -> {
                        send(s, GET);
                        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
                        s.setSoLinger(true, 0); // the close sends RST
                    }))
                    .contains("connection closed: reset by the client");

            assertThat(closeOf(server, s -> {
                        send(s, "GET /echo?msg=hi HTTP/1.1\r\nHo");
                        s.shutdownOutput(); // gone with half a request sent
                        readToEnd(s.getInputStream());
                    }))
                    .contains("connection closed: client closed in the middle of a request");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventloop", "netty"})
    void theServersCloses(String model) throws IOException {
        try (EchoServer server = EchoServer.start(ServerConfig.builder()
                .model(model)
                .port(0)
                .headerTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300))
                .build())) {
            assertThat(closeOf(server, s -> {
                        send(s, "GET /echo?msg=hi&close=before HTTP/1.1\r\nHost: t\r\n\r\n");
                        readToEnd(s.getInputStream());
                    }))
                    .contains("connection closed: fault: close before");

            assertThat(closeOf(server, s -> {
                        send(s, "GET /echo?msg=hi HTTP/1.1\r\n"); // and never the rest of the head
                        assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 408");
                    }))
                    .contains("connection closed: --header-timeout");

            assertThat(closeOf(server, s -> {
                        send(s, GET);
                        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
                        assertThat(readToEnd(s.getInputStream())).isEmpty(); // the server closes, quietly
                    }))
                    .contains("connection closed: --idle-timeout");

            assertThat(closeOf(server, s -> {
                        send(s, "GET /echo HTTP/1.1\r\nno colon here\r\n\r\n");
                        readToEnd(s.getInputStream());
                    }))
                    .contains("connection closed: refused: HTTP/1.1 400 Bad Request");

            assertThat(closeOf(server, s -> {
                        send(s, "GET /echo?msg=hi HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                        readToEnd(s.getInputStream());
                    }))
                    .contains("connection closed: the request asked to close");
        }
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response: its head, then as many body bytes as its Content-Length says. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a whole head: " + got);
            }
            got.write(b);
        }
        String head = got.toString(StandardCharsets.ISO_8859_1);
        int length = head.lines()
                .filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring(15).strip()))
                .findFirst()
                .orElse(0);
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
