package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The monitor's port abused: a slowloris (200 connections sending half a request head) while
 * {@code /metrics} is scraped; an over-long head. One server for every case.
 */
@Timeout(60)
class MonitorAbuseTest {

    private static EchoServer server;

    @BeforeAll
    static void start() {
        server = Servers.start(Servers.config("virtual").monitorPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int port() {
        return server.monitorAddress().getPort();
    }

    /** One GET on a fresh connection; the status line, read within {@code millis}. */
    private static String get(String path, int millis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(millis);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: m\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                    .lines()
                    .findFirst()
                    .orElse("");
        }
    }

    @Test
    void aSlowlorisOnTheMonitorPortLeavesMetricsAnsweredWithinASecond() throws Exception {
        assertThat(get("/metrics", 5_000)).isEqualTo("HTTP/1.1 200 OK"); // warm: its classes are loaded
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port()));
                s.getOutputStream()
                        .write("GET /metrics HTTP/1.1\r\nHost: m\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                assertThat(get("/metrics", 1_000)).as("probe %d", i).isEqualTo("HTTP/1.1 200 OK");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .isLessThan(1_000);
            }
            // every slow connection is closed by the server: the oldest to make room, the rest at the request timeout
            Socket last = slow.getLast();
            last.setSoTimeout((int) MonitorServer.REQUEST_TIMEOUT.toMillis() + 5_000);
            String answer = new String(last.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer)
                    .as("the last slow client, answered and closed by the server")
                    .startsWith("HTTP/1.1 408");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void anOverlongHeadIsRefusedAndAnUnknownPathIs404() throws Exception {
        assertThat(get("/metrics?" + "x".repeat(10_000), 5_000)).startsWith("HTTP/1.1 414");
        assertThat(get("/nothing", 5_000)).isEqualTo("HTTP/1.1 404 Not Found");
    }

    @Test
    void theMonitorListensOnLoopbackByDefault() {
        assertThat(server.monitorAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.startupLine()).contains("(monitor on loopback only: --monitor-bind)");
    }
}
