package org.echolab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.models.Models;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UDP echo ({@code --udp}) through a real {@link DatagramSocket}: under every model (it runs
 * beside the model, the same for all), oversized datagrams dropped and counted, and a flood that
 * fills the queue while a TCP client is served as usual.
 */
class UdpEchoTest {

    static Stream<String> models() {
        return Models.names().stream();
    }

    private static DatagramSocket client() throws Exception {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void send(DatagramSocket s, int port, byte[] data) throws Exception {
        s.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
    }

    private static void send(DatagramSocket s, int port, String text) throws Exception {
        send(s, port, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("models")
    void eachDatagramComesBackAfterItsWaitOnTheTcpPortsNumber(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).udp(true));
                DatagramSocket s = client()) {
            assertThat(server.udpPort()).isEqualTo(server.port());
            assertThat(server.startupLine()).contains("udp=" + server.port());
            send(s, server.port(), "hello");
            assertThat(receive(s)).isEqualTo("hello");
            long t0 = System.nanoTime();
            send(s, server.port(), "[wait=200ms] later");
            assertThat(receive(s)).as("the directive is not echoed").isEqualTo("later");
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .as("not before its wait")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(200));
            send(s, server.port(), "[wait=60s] too long");
            assertThat(receive(s)).startsWith("ERR ").contains("--max-wait");
        }
    }

    @Test
    void anOversizedDatagramIsDroppedAndCounted() throws Exception {
        try (EchoServer server =
                        Servers.start(Servers.config("virtual").udp(true).udpMaxDatagram(100));
                DatagramSocket s = client()) {
            byte[] big = new byte[101];
            Arrays.fill(big, (byte) 'x');
            send(s, server.udpPort(), big);
            send(s, server.udpPort(), new String(big, 0, 100, StandardCharsets.US_ASCII));
            assertThat(receive(s))
                    .as("the first echo is the datagram at the limit")
                    .hasSize(100);
            assertThat(Servers.stat(server, "udpDroppedOversized")).isEqualTo(1);
            assertThat(Servers.stat(server, "udpEchoed")).isEqualTo(1);
        }
    }

    /** The sequential model has one thread for TCP: if the flood took it, the TCP client would wait. */
    @ParameterizedTest
    @ValueSource(strings = {"sequential", "eventloop"})
    void aFloodFillsTheQueueAndDropsWhileTcpIsServed(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model).udp(true).udpQueue(16));
                DatagramSocket s = client()) {
            for (int i = 0; i < 2000; i++) {
                send(s, server.udpPort(), "[wait=2s] flood " + i);
            }
            try (RawClient tcp = new RawClient(server.port())) {
                tcp.send(RawClient.get("/echo?msg=still+here"));
                assertThat(tcp.readResponse().text()).isEqualTo("still here");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Servers.stat(server, "udpDroppedQueueFull") > 0);
            assertThat(Servers.stat(server, "udpWaiting")).isLessThanOrEqualTo(16);
            s.setSoTimeout(1_000);
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> { // once the queue drains, echoes resume
                                send(s, server.udpPort(), "after");
                                try {
                                    while (true) {
                                        if (receive(s).equals("after")) {
                                            return true;
                                        }
                                    }
                                } catch (SocketTimeoutException e) {
                                    return false;
                                }
                            });
        }
    }
}
