package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The process tree's figures reach the parent by one channel, each counted once: after N requests
 * served by children, the parent's {@code /stats} says exactly N were served and none is in
 * flight, and its live view and {@code /metrics}, read from the same counts, say N too.
 */
@Timeout(120)
class TreeFiguresTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource({"process, 5", "prefork, 40"})
    @SuppressWarnings("unchecked")
    void eachRequestServedIsCountedOnceInTheTree(String model, int n) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).workers(2).monitorPort(0))) {
            long[] sent = new long[n]; // when each request was sent
            for (int i = 0; i < n; i++) {
                sent[i] = System.nanoTime();
                assertThat(ProcessTrees.get(server.address(), "/echo?msg=m" + i))
                        .startsWith("HTTP/1.1 200")
                        .endsWith("m" + i);
            }
            // a child counts a request once its answer is written, just after the client has it
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Servers.stat(server, "requestsServed") >= n
                            && Servers.stat(server, "requestsInFlight") == 0);
            assertThat(Servers.stat(server, "requestsServed"))
                    .as("/stats requestsServed")
                    .isEqualTo(n);
            assertThat(Servers.stat(server, "requestsInFlightPeak"))
                    .as("one client at a time")
                    .isEqualTo(1);
            assertThat(ProcessTrees.tree(server, "requestsServed"))
                    .as("processTree.requestsServed")
                    .isEqualTo(n);

            Map<String, Object> frame = JSON.readValue(monitor(server, "/live.json"), Map.class);
            long after = System.nanoTime();
            assertThat(((Number) frame.get("requestsServed")).longValue())
                    .as("the live view's requestsServed")
                    .isEqualTo(n);
            assertThat((List<?>) frame.get("workers"))
                    .as("the live view lists busy workers only: none now")
                    .isEmpty();
            assertThat(((List<Map<String, Object>>) frame.get("requests"))
                            .stream().filter(r -> r.get("endedMsAgo") != null))
                    .as("requests ended in the live view's timeline")
                    .hasSizeBetween(inWindow(sent, after, frame), n);
            if (model.equals("prefork")) { // a process child is gone once it has served; workers stay
                assertThat(served((List<Map<String, Object>>) frame.get("children")))
                        .as("served, summed over the workers' processes")
                        .isEqualTo(n);
            }
            assertThat(sample(monitor(server, "/metrics"), "echolab_requests_total{code=\"200\",protocol=\"http\"}"))
                    .as("/metrics' answers")
                    .isEqualTo(n);
        }
    }

    /**
     * How many requests ended within the live view's window ({@code windowMs}, counted back from
     * when the frame was made, before {@code after}) for certain: those sent within it, since each
     * ended after it was sent. On a slow machine the first of five process children may have
     * served more than the window ago; on any other, every request is certain to be in it.
     */
    private static int inWindow(long[] sent, long after, Map<String, Object> frame) {
        long window =
                Duration.ofMillis(((Number) frame.get("windowMs")).longValue()).toNanos();
        int in = 0;
        for (long at : sent) {
            if (after - at <= window) {
                in++;
            }
        }
        return in;
    }

    private static long served(List<Map<String, Object>> rows) {
        return rows.stream()
                .mapToLong(r -> ((Number) r.get("served")).longValue())
                .sum();
    }

    private static String monitor(EchoServer server, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.monitorAddress().getPort() + path);
        HttpResponse<String> r = CLIENT.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static long sample(String metrics, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series + " in\n" + metrics).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
