package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.monitor.MonitorTest.get;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} says what {@code /stats} and the kernel say: each {@code /stats} figure is a
 * metric of its own with its type and unit, the accept queue's limit is the one {@code ss -ltn}
 * shows, the Prometheus client's {@code jvm_*} and {@code process_*} are there, and promtool finds
 * nothing to complain of.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void metricsAgreeWithStatsAndTheKernel() throws Exception {
        try (EchoServer server =
                Servers.start(Servers.config("pool").backlog(100).monitorPort(0))) {
            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                            .connections(3)
                            .requests(120)
                            .build(),
                    null);
            assertThat(r.errorsByKind()).isEmpty();
            await().atMost(Duration.ofSeconds(10)) // the server closes its side once it reads their close
                    .until(
                            () -> ((Map<?, ?>) server.stats().get("connectionsClosedBy")).get("client-closed"),
                            n -> ((Number) n).longValue() >= 3);
            String metrics = get(server, "/metrics");
            @SuppressWarnings("unchecked")
            Map<String, Object> stats = JSON.readValue(get(server, "/stats"), Map.class);
            Promtool.check(metrics);

            // the kernel: ss -ltn shows a listening socket's backlog limit as Send-Q, its queue as Recv-Q
            long[] ss = ssListening(server.port());
            assertThat(value(metrics, "echolab_accept_queue_limit"))
                    .as("ss says %s", ss[1])
                    .isEqualTo(ss[1]);
            assertThat(ss[1]).as("--backlog 100, under somaxconn").isEqualTo(100);
            assertThat(value(metrics, "echolab_accept_queue")).isEqualTo(ss[0]);

            // /stats, figure by figure, each under its own name, type and unit
            assertThat(value(metrics, "echolab_requests_served_total"))
                    .isEqualTo(((Number) stats.get("requestsServed")).doubleValue());
            assertThat(type(metrics, "echolab_requests_served_total")).isEqualTo("counter");
            assertThat(value(metrics, "echolab_connections_peak"))
                    .isEqualTo(((Number) stats.get("connectionsPeak")).doubleValue());
            assertThat(value(metrics, "echolab_memory_budget_bytes"))
                    .isEqualTo(((Number) stats.get("memoryBudget")).doubleValue());
            assertThat(type(metrics, "echolab_memory_budget_bytes")).isEqualTo("gauge");
            assertThat(value(metrics, "echolab_cpu_budget_seconds"))
                    .isEqualTo(((Number) stats.get("cpuBudgetMillis")).doubleValue() / 1000);
            assertThat(value(metrics, "echolab_pool_threads"))
                    .isEqualTo(((Number) stats.get("poolThreads")).doubleValue());
            assertThat(value(metrics, "echolab_pool_rejected_connections_total"))
                    .isEqualTo(((Number) stats.get("rejected")).doubleValue());
            assertThat(value(metrics, "echolab_pool_pushed_out_connections_total"))
                    .isEqualTo(((Number) stats.get("pushedOut")).doubleValue());
            assertThat(type(metrics, "echolab_pool_pushed_out_connections_total"))
                    .isEqualTo("counter");
            assertThat(value(metrics, "echolab_requests_unanswered_total"))
                    .isEqualTo(((Number) stats.get("requestsUnanswered")).doubleValue());
            assertThat(type(metrics, "echolab_requests_unanswered_total")).isEqualTo("counter");
            @SuppressWarnings("unchecked")
            Map<String, Object> closedBy = (Map<String, Object>) stats.get("connectionsClosedBy");
            assertThat(closedBy).containsKeys("client-closed", "forced", "timeout");
            assertThat(((Number) closedBy.get("client-closed")).longValue())
                    .as("the load generator's three connections, and any the start's readiness check made")
                    .isGreaterThanOrEqualTo(3);
            for (Map.Entry<String, Object> e : closedBy.entrySet()) {
                assertThat(value(metrics, "echolab_connections_closed_total{reason=\"" + e.getKey() + "\"}"))
                        .as(e.getKey())
                        .isEqualTo(((Number) e.getValue()).doubleValue());
            }
            assertThat(type(metrics, "echolab_connections_closed_total")).isEqualTo("counter");
            assertThat(metrics)
                    .as("one labelled counter, not a gauge per cause")
                    .doesNotContain("closed_by");
            assertThat(metrics).as("one gauge for unrelated figures is gone").doesNotContain("echolab_stats{");

            // the client's own: JVM and process
            assertThat(metrics)
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_threads_current ")
                    .contains("process_cpu_seconds_total ")
                    .contains("process_open_fds ");
        }
    }

    @Test
    void theDefaultBacklogIsCappedBySomaxconnAsTheKernelCapsIt() throws Exception {
        try (EchoServer server =
                Servers.start(Servers.config("virtual").backlog(1_000_000).monitorPort(0))) {
            long[] ss = ssListening(server.port());
            assertThat(value(get(server, "/metrics"), "echolab_accept_queue_limit"))
                    .as("ss says %s", ss[1])
                    .isEqualTo(ss[1]);
            assertThat(ss[1]).as("somaxconn, not its first digit").isGreaterThan(9);
        }
    }

    /** {Recv-Q, Send-Q} of the socket listening on {@code port}, from {@code ss -ltnH}. */
    private static long[] ssListening(int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ss", "-ltnH", "sport = :" + port)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Matcher m = Pattern.compile("LISTEN\\s+(\\d+)\\s+(\\d+)\\s+\\S+:" + port + "\\b")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static double value(String metrics, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series + " in\n" + metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String type(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^# TYPE " + Pattern.quote(name) + " (\\S+)$")
                .matcher(metrics);
        assertThat(m.find()).as(name + " in\n" + metrics).isTrue();
        return m.group(1);
    }
}
