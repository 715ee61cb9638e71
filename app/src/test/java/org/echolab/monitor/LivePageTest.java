package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.echolab.bench.HeadlessChromium;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /live} in real headless Chromium, against a real {@code sequential} server with five
 * clients: the page renders, updates itself from {@code /live.json}, and shows the four clients
 * queued in the kernel and the one being served; under {@code process}, what each child does;
 * under a {@code pool} of 64 threads that all served, the ten serving now and a timeline of ten
 * rows. The screenshots are left in {@code target/live/} for a person to look at.
 */
@Timeout(180)
class LivePageTest {

    @Test
    void showsTheQueueBuildingUnderSequential() throws Exception {
        HeadlessChromium.require();
        try (EchoServer server = MonitorTest.startWithMonitor("sequential")) {
            // long waits, so that the four stay queued while the browser starts
            List<Socket> clients = MonitorTest.fiveWaitingClients(server, "8s");
            try {
                await().atMost(4, TimeUnit.SECONDS)
                        .until(() -> Integer.valueOf(4)
                                .equals(MonitorTest.live(server).get("acceptQueue")));
                URI live =
                        URI.create("http://127.0.0.1:" + server.monitorAddress().getPort() + "/live");

                HeadlessChromium.Page page = HeadlessChromium.open(live, 1280, Duration.ofSeconds(3));

                Document dom = page.dom();
                assertThat(page.console()).as("script errors").isEmpty();
                assertThat(Integer.parseInt(dom.getElementById("frames").text()))
                        .as("updates drawn")
                        .isGreaterThan(1);
                assertThat(dom.getElementById("model").text()).isEqualTo("sequential");
                assertThat(dom.getElementById("accept-queue").text()).isEqualTo("4");
                assertThat(dom.getElementById("queue-tile").hasClass("alert")).isTrue();
                assertThat(dom.getElementById("in-flight").text()).isEqualTo("1");
                assertThat(dom.select("#workers tr").text())
                        .contains("echolab-accept")
                        .contains("request ")
                        .contains("wait 8000 ms");
                assertThat(dom.select("#timeline rect"))
                        .as("a bar for the request being served")
                        .isNotEmpty();
                assertThat(dom.select("#timeline polyline"))
                        .as("the accept queue's line")
                        .isNotEmpty();
                assertThat(dom.getElementById("children-part").hasAttr("hidden"))
                        .as("no child process serves (the browser, a child of this JVM, is none of the server's)")
                        .isTrue();
                assertThat(HeadlessChromium.externalReferences(dom))
                        .as("everything inline")
                        .isEmpty();

                screenshot(live, "sequential");
            } finally {
                Servers.close(clients);
            }
        }
    }

    @Test
    void showsWhatEachChildDoesUnderProcess() throws Exception {
        HeadlessChromium.require();
        // waits longer than the JVMs' starts and the browser's together, even on a loaded machine
        try (EchoServer server =
                Servers.start(Servers.config("process").monitorPort(0).maxWait(Duration.ofSeconds(30)))) {
            List<Socket> clients = MonitorTest.fiveWaitingClients(server, "20s");
            try {
                // five JVMs started, one per client, each in its wait
                await().atMost(30, TimeUnit.SECONDS)
                        .until(() -> ((List<?>) MonitorTest.live(server).get("workers")).size() == 5);
                URI live =
                        URI.create("http://127.0.0.1:" + server.monitorAddress().getPort() + "/live");

                HeadlessChromium.Page page = HeadlessChromium.open(live, 1280, Duration.ofSeconds(3));

                Document dom = page.dom();
                assertThat(page.console()).as("script errors").isEmpty();
                assertThat(dom.select("#workers tr"))
                        .hasSize(5)
                        .allSatisfy(
                                tr -> assertThat(tr.text())
                                        .matches(
                                                "pid \\d+ main request \\d+ /echo wait 20000 ms, \\d+ ms so far \\(in pid \\d+\\) 0"));
                assertThat(dom.getElementById("children-part").hasAttr("hidden"))
                        .isFalse();
                // the five serving, and no other child of this JVM (the browser is one)
                assertThat(dom.select("#children tr"))
                        .hasSize(5)
                        .allSatisfy(tr -> assertThat(tr.text()).contains("/echo wait 20000 ms"));
                assertThat(dom.select("#timeline rect.life"))
                        .as("each child's life, under its row")
                        .hasSize(5);

                screenshot(live, "process");
            } finally {
                Servers.close(clients);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsTheBusyWorkersOfABigPoolAndARowPerOverlap() throws Exception {
        HeadlessChromium.require();
        try (EchoServer server = Servers.start(Servers.config("pool")
                .threads(64)
                .monitorPort(0)
                .maxWait(Duration.ofSeconds(30))
                .grace(Duration.ofSeconds(1)))) { // the waits left at the end need no draining
            // each connection goes to an idle thread: requests one after another pass through most of the
            // 64 (how many each takes depends on which thread reaches the queue first: on a busy machine,
            // a worker just done may take the next connection before the one waiting longest wakes)
            int sent = 0;
            while (sent < 640 && (int) MonitorTest.live(server).get("workersIdle") < 50) {
                oneRequest(server);
                sent++;
            }
            List<Socket> clients = Servers.waitingClients(server, 10, "20s");
            try {
                await().atMost(10, TimeUnit.SECONDS)
                        .until(() -> ((List<?>) MonitorTest.live(server).get("workers")).size() == 10);
                Map<String, Object> frame = MonitorTest.live(server);
                assertThat((int) frame.get("workersIdle"))
                        .as("threads that served, idle now")
                        .isGreaterThanOrEqualTo(40);
                assertThat((List<String>) frame.get("lanes"))
                        .as("a row per request in flight at once")
                        .hasSize(10);
                URI live =
                        URI.create("http://127.0.0.1:" + server.monitorAddress().getPort() + "/live");

                HeadlessChromium.Page page = HeadlessChromium.open(live, 1280, Duration.ofSeconds(3));

                Document dom = page.dom();
                assertThat(page.console()).as("script errors").isEmpty();
                assertThat(dom.select("#workers tr"))
                        .as("the ten serving, no idle one")
                        .hasSize(10)
                        .allSatisfy(
                                tr -> assertThat(tr.text()).matches("pool-\\d+ request \\d+ /echo wait 20000 ms, .*"));
                assertThat(dom.getElementById("workers-idle").text())
                        .as("counted, not listed")
                        .matches("\\d+ idle .*");
                // the bars' rows: those sent back to back on one, the ten that overlap on ten
                assertThat(dom.select("#timeline rect:not(.life)").stream()
                                .map(r -> r.attr("y"))
                                .collect(Collectors.toSet()))
                        .hasSize(10);
                assertThat(dom.select("#timeline rect:not(.life)"))
                        .as("a bar per request still in the window")
                        .hasSizeBetween(10, sent + 10);

                screenshot(live, "pool");
            } finally {
                Servers.close(clients);
            }
        }
    }

    /** One request on a connection of its own, read to its end. */
    private static void oneRequest(EchoServer server) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /echo?msg=q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
    }

    /** The page as a person sees it, left in {@code target/live/NAME.png}. */
    private static void screenshot(URI live, String name) throws Exception {
        Path png = Path.of("target", "live", name + ".png");
        HeadlessChromium.screenshot(live, png, 1280, 900, Duration.ofSeconds(2));
        assertThat(Files.size(png)).isPositive();
    }
}
