package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;

/**
 * The monitor through real sockets: it answers at once while {@code sequential} is busy with one
 * client and four more wait in the kernel's accept queue, and its {@code /metrics} parses and
 * counts what the load generator sent.
 */
class MonitorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static EchoServer startWithMonitor(String model) {
        return Servers.start(Servers.config(model).monitorPort(0));
    }

    static String get(EchoServer server, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.monitorAddress().getPort() + path);
        HttpResponse<String> r = CLIENT.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    static Map<String, Object> live(EchoServer server) throws IOException, InterruptedException {
        return JSON.readValue(get(server, "/live.json"), OBJECT);
    }

    /** A JSON array of objects, as Jackson reads it into {@link #live}'s map. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(Object array) {
        return (List<Map<String, Object>>) array;
    }

    /** Five clients that each send a request asking for a {@code wait}, and read nothing yet. */
    static List<Socket> fiveWaitingClients(EchoServer server, String wait) throws IOException {
        return Servers.waitingClients(server, 5, wait);
    }

    @Test
    void sequentialWithFiveWaitingClientsShowsFourQueuedAndAnswersAtOnce() throws Exception {
        try (EchoServer server = startWithMonitor("sequential")) {
            List<Socket> clients = fiveWaitingClients(server, "5s");
            try {
                // one client is served (its 5 s wait), four wait in the kernel: the monitor sees them
                await().atMost(4000, TimeUnit.MILLISECONDS)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> Integer.valueOf(4).equals(live(server).get("acceptQueue")));
                Map<String, Object> frame = live(server);
                assertThat(frame.get("requestsInFlight")).isEqualTo(1);
                assertThat(frame.get("connectionsOpen")).isEqualTo(1);
                assertThat(objects(frame.get("workers"))).anySatisfy(w -> {
                    assertThat(w.get("name")).isEqualTo("echolab-accept"); // sequential: the accept thread serves
                    assertThat((String) w.get("doing"))
                            .startsWith("request ")
                            .contains("/echo")
                            .contains("wait 5000 ms");
                });
                assertThat(objects(frame.get("requests")))
                        .singleElement()
                        .satisfies(r -> assertThat(r.get("endedMsAgo")).isNull());
                assertThat(JSON.readValue(get(server, "/stats"), OBJECT)).containsEntry("requestsInFlight", 1);
                assertThat(get(server, "/metrics"))
                        .contains("echolab_accept_queue 4.0")
                        .contains("echolab_requests_in_flight 1.0");
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    @Test
    void metricsParseAndCountWhatTheLoadGeneratorSent() throws Exception {
        try (EchoServer server = startWithMonitor("virtual")) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                            .connections(4)
                            .requests(300)
                            .build(),
                    null);
            assertThat(r.errorsByKind()).isEmpty();

            String metrics = get(server, "/metrics");
            Promtool.check(metrics);
            assertThat(sample(metrics, "echolab_requests_total{code=\"200\",protocol=\"http\"}"))
                    .isEqualTo(r.requests());
            assertThat(sample(metrics, "echolab_requests_served_total")).isEqualTo(r.requests());
            assertThat(sample(metrics, "echolab_request_duration_seconds_count"))
                    .isEqualTo(r.requests());
            assertThat(sample(metrics, "echolab_request_duration_seconds_bucket{le=\"+Inf\"}"))
                    .isEqualTo(r.requests());
            assertThat(sample(metrics, "echolab_requests_in_flight")).isZero();
        }
    }

    /** The value of the sample named exactly {@code series} (name and labels), as a whole number. */
    static long sample(String metrics, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series + " in\n" + metrics).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void stopsItsThreadsWithTheServer() throws Exception {
        EchoServer server = startWithMonitor("thread");
        assertThat(get(server, "/live")).contains("<title>EchoLab live</title>");
        server.close();
        await().atMost(5, TimeUnit.SECONDS)
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().equals("echolab-monitor")));
    }

    @Test
    void theModelsPageLinksToTheLiveView() throws Exception {
        try (EchoServer server = startWithMonitor("virtual")) {
            HttpResponse<String> page = CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains(":" + server.monitorAddress().getPort() + "/live\"");
        }
    }

    @Test
    void acceptQueueIsTheClientsNotYetAccepted() throws IOException {
        try (java.net.ServerSocket listener =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            assertThat(AcceptQueue.length(port)).isEqualTo(OptionalInt.of(0));
            try (Socket a = new Socket("127.0.0.1", port);
                    Socket b = new Socket("127.0.0.1", port);
                    Socket c = new Socket("127.0.0.1", port)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> AcceptQueue.length(port).equals(OptionalInt.of(3)));
                listener.accept().close();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> AcceptQueue.length(port).equals(OptionalInt.of(2)));
            }
        }
        assertThat(AcceptQueue.length(1)).as("no socket listens on port 1").isEmpty();
        assertThat(AcceptQueue.length(0)).as("no port yet").isEmpty();
    }
}
