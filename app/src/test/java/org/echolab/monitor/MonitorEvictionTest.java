package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.echolab.monitor.MonitorServer.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Which connection the monitor closes to make room: on a loaded machine a request can sit whole in
 * the kernel while its virtual thread has not run yet, and {@link MonitorServer#MAX_CONNECTIONS}
 * newer connections must not make it "the oldest still sending". The load is made by occupying
 * every carrier of the virtual-thread scheduler; the accept thread, a platform thread, still
 * accepts and makes room.
 */
// it stops every virtual thread in the JVM for a moment: nothing else may run beside it
@Isolated
@Timeout(30)
class MonitorEvictionTest {

    private static final byte[] REQUEST =
            "GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aWholeRequestNotReadYetIsNotClosedToMakeRoom() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Socket> silent = new ArrayList<>();
        try (MonitorServer server = MonitorServer.start(
                        new InetSocketAddress("127.0.0.1", 0),
                        req -> new Answer(200, "text/plain", "ok\n".getBytes(StandardCharsets.US_ASCII)));
                Socket probe = new Socket()) {
            occupyEveryCarrier(release);
            for (int i = 0; i < MonitorServer.MAX_CONNECTIONS - 1; i++) {
                silent.add(connect(server, new Socket()));
            }
            connect(server, probe).getOutputStream().write(REQUEST);
            // the first 63 of these close the 63 older silent ones; the 64th closes the first of
            // these (the probe, with its request unread, is passed over), the 65th the second
            List<Socket> newer = new ArrayList<>();
            for (int i = 0; i < MonitorServer.MAX_CONNECTIONS + 1; i++) {
                newer.add(connect(server, new Socket()));
            }
            silent.addAll(newer);
            // the first newer one closed: the accept thread has made room for the 64th (and with
            // no virtual thread run yet, the probe's request is still unread)
            assertThat(statusLine(newer.getFirst(), 10_000)).startsWith("HTTP/1.1 408");
            release.countDown();
            assertThat(statusLine(probe, 10_000)).isEqualTo("HTTP/1.1 200 OK");
        } finally {
            release.countDown();
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    /**
     * Starts one spinning virtual thread per carrier and returns once each is running: until
     * {@code release}, no other virtual thread runs.
     */
    private static void occupyEveryCarrier(CountDownLatch release) throws InterruptedException {
        int carriers = Integer.getInteger(
                "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        CountDownLatch running = new CountDownLatch(carriers);
        for (int i = 0; i < carriers; i++) {
            Thread.ofVirtual().name("spinner").start(() -> {
                running.countDown();
                while (release.getCount() > 0) {
                    Thread.onSpinWait(); // never parks, so it never gives its carrier up
                }
            });
        }
        running.await();
    }

    private static Socket connect(MonitorServer server, Socket socket) throws IOException {
        socket.connect(server.address());
        return socket;
    }

    private static String statusLine(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)
                .lines()
                .findFirst()
                .orElse("");
    }
}
