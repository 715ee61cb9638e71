package org.echolab.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.echolab.bench.ProcStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel's list of the TCP sockets on a port (sock_diag), read on real sockets: each socket
 * once, in its state, with its backlog and its inode, however busy the kernel's tables are.
 */
@Timeout(120)
class TcpSocketsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aPortsListenerBacklogAcceptedAndClosedConnectionsAreEachListedOnce() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            int port = listener.getLocalPort();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    clients.add(new Socket(LOOPBACK, port));
                }
                clients.getFirst().getOutputStream().write("hello".getBytes());
                try (Socket accepted = listener.accept()) {
                    listener.accept().close();
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        List<TcpSockets.Socket> sockets = TcpSockets.onPort(port);
                        assertThat(sockets.stream().filter(TcpSockets.Socket::listening))
                                .singleElement()
                                .satisfies(l ->
                                        assertThat(l.unread()).as("the backlog").isEqualTo(3))
                                .satisfies(l -> assertThat(l.inode()).isPositive());
                        Map<String, Long> kinds = sockets.stream()
                                .filter(s -> !s.listening())
                                .collect(Collectors.groupingBy(TcpSocketsTest::kind, Collectors.counting()));
                        assertThat(kinds).isEqualTo(Map.of("accepted", 1L, "backlog", 3L, "closed", 1L));
                        assertThat(sockets)
                                .filteredOn(s ->
                                        s.remotePort() == clients.getFirst().getLocalPort())
                                .singleElement()
                                .satisfies(s -> assertThat(s.unread()).isEqualTo(5))
                                .satisfies(s -> assertThat(ProcStats.descriptorsOf(SELF))
                                        .anyMatch(fd -> fd.endsWith("->socket:[" + s.inode() + "]")));
                        assertThat(TcpSockets.listeningOn(port))
                                .as("the listener alone, the kernel leaving its connections out")
                                .singleElement()
                                .satisfies(l -> assertThat(l.listening()).isTrue())
                                .satisfies(l ->
                                        assertThat(l.unread()).as("the backlog").isEqualTo(3));
                    });
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
        // to the kernel, port 0 would ask for every socket
        assertThatThrownBy(() -> TcpSockets.onPort(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpSockets.listeningOn(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * While thousands of connections open and close on another port, every reading of a port with
     * 15 sockets (its listener and 14 connections) lists 15: /proc/net/tcp, read a page at a time,
     * repeats and skips lines then (hundreds of lines for these 15 in one reading, fewer in others).
     */
    @Test
    void aBusyKernelStillListsEachSocketOnce() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
                ServerSocket churned = new ServerSocket(0, 500, LOOPBACK)) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 14; i++) {
                    held.add(new Socket(LOOPBACK, listener.getLocalPort()));
                }
                Thread churn = Thread.ofPlatform().name("churn").start(() -> {
                    List<Socket> open = new ArrayList<>();
                    try {
                        while (!stop.get()) {
                            for (int i = 0; i < 50; i++) {
                                open.add(new Socket(LOOPBACK, churned.getLocalPort()));
                                open.add(churned.accept());
                            }
                            for (Socket s : open) {
                                s.close();
                            }
                            open.clear();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                List<Integer> counts = new ArrayList<>();
                try {
                    for (int i = 0; i < 200; i++) {
                        counts.add(TcpSockets.onPort(listener.getLocalPort()).size());
                    }
                } finally {
                    stop.set(true);
                    churn.join();
                }
                assertThat(counts).containsOnly(15);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static String kind(TcpSockets.Socket s) {
        return !s.open() ? "closed" : s.inode() == 0 ? "backlog" : "accepted";
    }
}
