package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * Every place taken: the oldest connection has sent nothing yet (as a client whose whole request
     * waits unread in its socket looks to the server), the other 63 part of a head each. One more
     * arrives: the slow client that began first is closed (408) to make room, not the quiet one.
     */
    @Test
    void toMakeRoomTheSlowSenderGoesNotTheClientWhoseThreadHasNotReadYet() throws Exception {
        assertThat(get("/metrics", 5_000)).isEqualTo("HTTP/1.1 200 OK");
        await().atMost(Duration.ofSeconds(20)).until(() -> connectionsRead() == 0); // the other tests' are gone
        List<Socket> slow = new ArrayList<>();
        try (Socket quiet = new Socket("127.0.0.1", port())) {
            for (int i = 1; i < MonitorServer.MAX_CONNECTIONS; i++) {
                Socket s = new Socket("127.0.0.1", port());
                slow.add(s);
                s.getOutputStream()
                        .write("GET /metrics HTTP/1.1\r\nHost: m\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            }
            // each slow client's bytes read by its thread: nothing left in the receive queues
            await().atMost(Duration.ofSeconds(20)).until(() -> connectionsRead() == MonitorServer.MAX_CONNECTIONS);

            assertThat(get("/metrics", 5_000)).as("one more, given a place").isEqualTo("HTTP/1.1 200 OK");

            Socket first = slow.getFirst();
            first.setSoTimeout(5_000);
            assertThat(new String(first.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .as("the slow client that began first made room")
                    .startsWith("HTTP/1.1 408");
            quiet.setSoTimeout(5_000);
            quiet.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(quiet.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .as("the quiet client kept its place and is answered")
                    .startsWith("HTTP/1.1 200 OK");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * Established connections to the monitor's port whose receive queue is empty (/proc/net/tcp,
     * and tcp6: a JDK socket on 127.0.0.1 may be an IPv6 one).
     */
    private static long connectionsRead() throws IOException {
        String local = String.format(":%04X", port());
        List<String> lines = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            lines.addAll(rows.subList(1, rows.size())); // under a heading line
        }
        return lines.stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f[1].endsWith(local) && f[3].equals("01"))
                .filter(f -> f[4].endsWith(":00000000"))
                .count();
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
