package org.echolab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.echolab.config.ServerConfig;
import org.echolab.lab.grade.RawClient;
import org.echolab.models.Models;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --access-log}, under every model (the process models' children append to the same file):
 * each answered request is one line in the Common Log Format, refusals included; the JSON format
 * carries who served the request.
 */
class AccessLogTest {

    private static final String TIME = "\\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}]";

    static Stream<String> models() {
        return Models.names().stream();
    }

    private static List<String> lines(Path file, int atLeast) throws IOException {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= atLeast);
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyAnswerIsOneCommonLogLine(String model, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (EchoServer server = Servers.start(Servers.config(model).accessLog(file.toString()))) {
            try (RawClient c = new RawClient(server.port())) {
                assertThat(c.send(RawClient.get("/echo?msg=hi")).readResponse().text())
                        .isEqualTo("hi");
            }
            try (RawClient c = new RawClient(server.port())) {
                assertThat(c.send(RawClient.get("/nowhere")).readResponse().status())
                        .isEqualTo(404);
            }
            try (RawClient c = new RawClient(server.port())) {
                assertThat(c.send("GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
                                .readResponse()
                                .status())
                        .isEqualTo(400);
            }
            try (RawClient c = new RawClient(server.port())) {
                c.send("a line\n");
                assertThat(c.readLine()).isEqualTo("a line");
            }
            List<String> lines = lines(file, 4);
            assertThat(lines).hasSize(4);
            assertThat(lines)
                    .anyMatch(
                            l -> l.matches("127\\.0\\.0\\.1 - - " + TIME + " \"GET /echo\\?msg=hi HTTP/1\\.1\" 200 2"));
            assertThat(lines)
                    .anyMatch(l -> l.matches("127\\.0\\.0\\.1 - - " + TIME + " \"GET /nowhere HTTP/1\\.1\" 404 \\d+"));
            assertThat(lines)
                    .as("a malformed request is logged, as nothing whole arrived")
                    .anyMatch(l -> l.matches("127\\.0\\.0\\.1 - - " + TIME + " \"-\" 400 -"));
            assertThat(lines).anyMatch(l -> l.matches("127\\.0\\.0\\.1 - - " + TIME + " \"LINE\" - 7"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eventloop", "prefork"})
    void jsonLinesSayWhoServedAndHowLong(String model, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.json");
        List<String> workers = new ArrayList<>();
        try (EchoServer server = Servers.start(
                Servers.config(model).accessLog(file.toString()).accessLogFormat(ServerConfig.AccessLogFormat.JSON))) {
            for (int i = 0; i < 3; i++) {
                try (RawClient c = new RawClient(server.port())) {
                    RawClient.Response r = c.send(RawClient.get("/echo?msg=q%22uote&wait=20ms"))
                            .readResponse();
                    assertThat(r.text()).isEqualTo("q\"uote");
                    workers.add(r.header("X-Echo-Worker"));
                }
            }
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> entries = new ArrayList<>();
            for (String line : lines(file, 3)) {
                entries.add(json.readTree(line));
            }
            List<JsonNode> served =
                    entries.stream().filter(e -> e.get("completed").asBoolean()).toList();
            assertThat(served).hasSize(3).allSatisfy(e -> {
                assertThat(e.get("request").asText()).isEqualTo("GET /echo?msg=q%22uote&wait=20ms HTTP/1.1");
                assertThat(e.get("status").asInt()).isEqualTo(200);
                assertThat(e.get("bytes").asLong()).isEqualTo(6);
                assertThat(e.get("model").asText()).isEqualTo(model);
                assertThat(e.get("duration_us").asLong()).isGreaterThanOrEqualTo(20_000);
                assertThat(e.get("client").asText()).isEqualTo("127.0.0.1");
            });
            assertThat(served.stream().map(e -> e.get("worker").asText()).toList())
                    .as("the worker each response named")
                    .containsExactlyInAnyOrderElementsOf(workers);
            assertThat(entries).hasSize(3);
        }
    }
}
