package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slow clients from many addresses against the models with a fixed number of workers: 280
 * connections from 127.0.0.1 to 127.0.0.20 (under each address's {@code --max-per-client}) that
 * send half a request head and stall, more than the 32 threads (and 32 queue places) of the test
 * configuration. {@code prefork}, {@code prefork-pass} and {@code process} wait for a whole head
 * before a worker (or a child) is given the connection; {@code pool} and {@code prethread} push
 * the slow ones out (408) while every place is taken, still accepting no more than their places.
 * Either way a normal client from 127.0.0.2 is answered meanwhile, and the slow ones are answered
 * 408 and closed, and the push-outs are counted in {@code /stats} and {@code /metrics}. Before the push-out, {@code pool} and {@code prethread} answered the first probe
 * only after the header timeout (4 s).
 */
@Timeout(90)
class SlowClientsTest {

    private static final int SLOW =
            280; // 14 per address: a probe and the last probe's closing connection still fit under 16

    @ParameterizedTest
    @ValueSource(strings = {"pool", "prethread", "prefork", "prefork-pass", "process"})
    void aNormalClientIsAnsweredWhileSlowClientsFromTwentyAddressesStall(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model)
                .headerTimeout(java.time.Duration.ofSeconds(4))
                .monitorPort(0))) {
            probe(server, 30_000); // a first answer: every worker (or a child's JVM) is up
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < SLOW; i++) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress("127.0.0." + (1 + i % 20), 0));
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()));
                    s.getOutputStream()
                            .write("GET /echo?msg=slow HTTP/1.1\r\nHost: x\r\nX-Slow: "
                                    .getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
                long worst = 0;
                for (int i = 0; i < 3; i++) {
                    worst = Math.max(worst, probe(server, 10_000));
                }
                // a process per connection starts a JVM for the probe: its start is the bound, not the slow clients
                assertThat(worst)
                        .as("slowest of 3 probes from 127.0.0.2 among %d slow clients, ms", SLOW)
                        .isLessThan(model.equals("process") ? 3_000 : 1_000);
                Socket last = slow.getLast();
                last.setSoTimeout(15_000);
                String answer = new String(last.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer)
                        .as("the last slow client, pushed out or at the header timeout")
                        .startsWith("HTTP/1.1 408");
                if (model.equals("pool") || model.equals("prethread")) {
                    long pushedOut = Servers.stat(server, "pushedOut");
                    assertThat(pushedOut).as("slow clients pushed out").isPositive();
                    String metrics = Servers.httpGet(server.monitorAddress().getPort(), "/metrics")
                            .body();
                    assertThat(metrics)
                            .as("/metrics has the push-outs as a counter")
                            .contains("# TYPE echolab_pool_pushed_out_connections_total counter\n");
                    Matcher m = Pattern.compile("(?m)^echolab_pool_pushed_out_connections_total (\\S+)$")
                            .matcher(metrics);
                    assertThat(m.find()).as(metrics).isTrue();
                    assertThat(Double.parseDouble(m.group(1)))
                            .as("pushed out, by /metrics (read after /stats)")
                            .isGreaterThanOrEqualTo(pushedOut);
                    int places = model.equals("pool") ? 32 + 32 : 32; // threads + queue; prethread: threads
                    assertThat(Servers.stat(server, "connectionsPeak"))
                            .as("connections accepted at once, the lab's bound")
                            .isLessThanOrEqualTo(places);
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    /**
     * The push-out is for pressure only: a slow client of a model with places to spare keeps its
     * place until the header timeout (the wrong input: a push-out without pressure would answer
     * within 100 ms).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pool", "prethread"})
    void aSlowClientIsNotPushedOutWhilePlacesAreFree(String model) throws Exception {
        java.time.Duration headerTimeout = java.time.Duration.ofSeconds(2);
        try (EchoServer server = Servers.start(Servers.config(model).headerTimeout(headerTimeout));
                Socket slow = new Socket("127.0.0.1", server.port())) {
            long t0 = System.nanoTime();
            slow.getOutputStream()
                    .write("GET /echo?msg=slow HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            probe(server, 10_000); // served beside it
            slow.setSoTimeout(15_000);
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .as("ms until the slow client's 408")
                    .isGreaterThanOrEqualTo(headerTimeout.toMillis() - 100);
            assertThat(Servers.stat(server, "pushedOut")).isZero();
        }
    }

    /** One echo from 127.0.0.2; the milliseconds it took. */
    private static long probe(EchoServer server, int timeoutMillis) throws IOException {
        long t0 = System.nanoTime();
        try (RawClient c = new RawClient("127.0.0.2", server.port())) {
            c.readTimeout(timeoutMillis);
            assertThat(c.send(RawClient.get("/echo?msg=normal")).readResponse().text())
                    .isEqualTo("normal");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
