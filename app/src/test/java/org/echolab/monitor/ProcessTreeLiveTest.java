package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.models.tree.TreeRequests;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;

/**
 * The live view and {@code /metrics} of the process models, whose requests are served in child
 * JVMs: through the tree's shared ring the parent's monitor shows which child serves which
 * request, what each child is doing, and counts every child's answers.
 */
@SuppressWarnings("unchecked")
class ProcessTreeLiveTest {

    @Test
    void processShowsWhatEachChildIsDoing() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("process").monitorPort(0))) {
            List<Socket> clients = MonitorTest.fiveWaitingClients(server, "9s");
            try {
                // five children, each started for one client and serving its 9 s wait
                await().atMost(30, TimeUnit.SECONDS)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> inFlight(MonitorTest.live(server)).size() == 5);
                Map<String, Object> frame = MonitorTest.live(server);
                Set<Long> children = pids((List<Map<String, Object>>) frame.get("children"));
                List<Map<String, Object>> requests = inFlight(frame);
                assertThat(pids(requests))
                        .as("each request served by a child of its own")
                        .hasSize(5)
                        .isSubsetOf(children)
                        .doesNotContain(((Number) frame.get("pid")).longValue());
                assertThat(requests).allSatisfy(r -> {
                    assertThat((String) r.get("worker")).isEqualTo("pid " + r.get("pid") + " main");
                    assertThat(r.get("what")).isEqualTo("/echo");
                    assertThat(r.get("waitMs")).isEqualTo(9000);
                });
                assertThat((List<Map<String, Object>>) frame.get("workers"))
                        .hasSize(5)
                        .allSatisfy(w -> {
                            assertThat((String) w.get("doing"))
                                    .startsWith("request ")
                                    .contains("/echo wait 9000 ms");
                            assertThat(w.get("threadState")).isNull(); // another process's thread
                        });
                assertThat((List<Map<String, Object>>) frame.get("children"))
                        .filteredOn(c -> pids(requests).contains(((Number) c.get("pid")).longValue()))
                        .hasSize(5)
                        .allSatisfy(c -> assertThat((String) c.get("doing"))
                                .startsWith("request ")
                                .contains("wait 9000 ms"));

                for (Socket s : clients) {
                    s.setSoTimeout(20_000);
                    assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
                }
                // answered: the same five requests, now ended, still in the window (a child marks
                // its request ended in the shared ring after it has written the answer)
                await().atMost(10, TimeUnit.SECONDS)
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(pids(ended(MonitorTest.live(server))))
                                .isEqualTo(pids(requests)));
                assertThat(MonitorTest.sample(
                                MonitorTest.get(server, "/metrics"),
                                "echolab_requests_total{code=\"200\",protocol=\"http\"}"))
                        .isEqualTo(5);
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aKilledChildsRequestLeavesTheView() throws Exception {
        try (EchoServer server =
                Servers.start(Servers.config("process").monitorPort(0).maxWait(Duration.ofSeconds(60)))) {
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                client.getOutputStream()
                        .write("GET /echo?msg=k&wait=60s HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                await().atMost(30, TimeUnit.SECONDS)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> inFlight(MonitorTest.live(server)).size() == 1);
                long pid =
                        ((Number) inFlight(MonitorTest.live(server)).getFirst().get("pid")).longValue();

                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, in the middle of its wait

                await().atMost(10, TimeUnit.SECONDS)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> inFlight(MonitorTest.live(server)).isEmpty());
            }
        }
    }

    @Test
    void preforkMetricsCountEveryWorkersAnswers() throws Exception {
        try (EchoServer server = Servers.start(
                Servers.config("prefork").workers(2).workerModel("virtual").monitorPort(0))) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                            .connections(4)
                            .requests(200)
                            .build(),
                    null);
            assertThat(r.errorsByKind()).isEmpty();

            String metrics = MonitorTest.get(server, "/metrics");
            Promtool.check(metrics);
            assertThat(MonitorTest.sample(metrics, "echolab_requests_total{code=\"200\",protocol=\"http\"}"))
                    .isEqualTo(r.requests());
            assertThat(MonitorTest.sample(metrics, "echolab_request_duration_seconds_count"))
                    .isEqualTo(r.requests());
            assertThat(MonitorTest.sample(metrics, "echolab_request_duration_seconds_bucket{le=\"+Inf\"}"))
                    .isEqualTo(r.requests());

            Map<String, Object> frame = MonitorTest.live(server);
            List<Map<String, Object>> requests = (List<Map<String, Object>>) frame.get("requests");
            assertThat(requests)
                    .as("each worker's stripe holds %d", TreeRequests.PER_STRIPE)
                    .hasSize((int) r.requests());
            assertThat(pids(requests)).isSubsetOf(pids((List<Map<String, Object>>) frame.get("children")));
            assertThat((List<Map<String, Object>>) frame.get("workers"))
                    .allSatisfy(w -> assertThat((String) w.get("name")).matches("pid \\d+ vconn-\\d+"));
        }
    }

    private static List<Map<String, Object>> inFlight(Map<String, Object> frame) {
        return ((List<Map<String, Object>>) frame.get("requests"))
                .stream().filter(r -> r.get("endedMsAgo") == null).toList();
    }

    private static List<Map<String, Object>> ended(Map<String, Object> frame) {
        return ((List<Map<String, Object>>) frame.get("requests"))
                .stream().filter(r -> r.get("endedMsAgo") != null).toList();
    }

    private static Set<Long> pids(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> ((Number) r.get("pid")).longValue()).collect(Collectors.toSet());
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\r' && b != -1; b = in.read()) {
            line.append((char) b);
        }
        return line.toString();
    }
}
