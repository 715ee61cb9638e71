package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The grader's readings of the kernel's table of connections, made on real connections to a
 * listening socket of this test: where each client stands (accepted, in the backlog, closed) and
 * which of them a process still holds, counted by the clients' own ports, so that no other
 * socket of the process and no other client of the port changes the figure.
 */
@Timeout(60)
class ServerProcfsTest {

    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void eachClientIsAcceptedInTheBacklogOrClosedAndTheThreeAddUp() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Clients clients = new Clients(listener.getLocalPort(), 5);
                Socket other = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
            Socket kept1 = listener.accept();
            Socket kept2 = listener.accept();
            listener.accept().close();
            try (kept1;
                    kept2) {
                // the other client (not asked about) is in the backlog too: it is not counted
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(ServerProcfs.stand(listener.getLocalPort(), clients.ports()))
                                .isEqualTo(new ServerProcfs.Stand(2, 2, 1)));
            }
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(ServerProcfs.stand(listener.getLocalPort(), clients.ports()))
                            .isEqualTo(new ServerProcfs.Stand(0, 2, 3)));
        }
    }

    @Test
    void aProcessHoldsOnlyTheConnectionsItHasNotClosed() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            List<Socket> accepted = new ArrayList<>();
            Set<Integer> ports;
            try (Clients clients = new Clients(port, 4)) {
                ports = clients.ports();
                for (int i = 0; i < 4; i++) {
                    accepted.add(listener.accept());
                }
                assertThat(ServerProcfs.heldBy(SELF, port, ports)).isEqualTo(4);
                accepted.get(0).close();
                accepted.get(1).close();
            } // the clients close: the two ends still open here wait in CLOSE_WAIT, held by this process
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(ServerProcfs.heldBy(SELF, port, ports)).isEqualTo(2));
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            assertThat(ServerProcfs.heldBy(parent, port, ports))
                    .as("another process")
                    .isZero();
            for (Socket s : accepted) {
                s.close();
            }
            assertThat(ServerProcfs.heldBy(SELF, port, ports)).isZero();
        }
    }

    @Test
    void aClientNoOneAcceptedIsNotHeldAndAProcessThatIsGoneHoldsNothing() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Clients clients = new Clients(listener.getLocalPort(), 2)) {
            assertThat(ServerProcfs.heldBy(SELF, listener.getLocalPort(), clients.ports()))
                    .isZero();
            assertThat(ServerProcfs.heldBy(Long.MAX_VALUE, listener.getLocalPort(), clients.ports()))
                    .isZero();
        }
    }

    /** {@code n} clients connected to {@code port}, closed together. */
    private static final class Clients implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();

        Clients(int port, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
        }

        Set<Integer> ports() {
            Set<Integer> ports = new HashSet<>();
            sockets.forEach(s -> ports.add(s.getLocalPort()));
            return ports;
        }

        @Override
        public void close() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
