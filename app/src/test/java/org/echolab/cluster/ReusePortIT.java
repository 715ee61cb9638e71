package org.echolab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.os.TcpSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --reuseport}: several servers (real processes, of different models) bind one port, and
 * the kernel spreads new connections over their sockets; a prefork's workers each get a socket of
 * their own. Without the option the port stays one server's.
 */
class ReusePortIT {

    @Test
    @Timeout(180)
    void serversOfAnyModelShareAPortAndTheKernelSpreadsTheirConnections() throws Exception {
        int port = Instance.freePort("127.0.0.1");
        String p = Integer.toString(port);
        try (Instance virtual = Instance.start("--port", p, "--reuseport", "--model", "virtual");
                Instance eventloop = Instance.start("--port", p, "--reuseport", "--model", "eventloop");
                Instance prefork = Instance.start("--port", p, "--reuseport", "--model", "prefork", "--workers", "2")) {
            assertThat(prefork.startupLine())
                    .contains("a SO_REUSEPORT socket each")
                    .contains(" reuseport ");
            // prefork's two workers are up, each with a listening socket of its own beside the two servers'
            await().atMost(Duration.ofSeconds(60)).until(() -> prefork.pids().size() == 3 && listeners(port) >= 4);
            Set<Long> workers = prefork.pids();
            workers.remove(prefork.pid());
            assertThat(workers).as("prefork's two workers").hasSize(2);

            LoadResult r = LoadGenerator.run(
                    LoadSpec.builder(URI.create("http://127.0.0.1:" + port + "/echo"))
                            .connections(4)
                            .connectPerRequest(true)
                            .requests(400)
                            .build(),
                    null);

            Map<Long, Long> byPid = new HashMap<>();
            r.workers()
                    .forEach((worker, n) -> byPid.merge(
                            Long.parseLong(worker.substring("pid=".length(), worker.indexOf(' '))), n, Long::sum));
            System.out.println("400 connections to one port shared by four SO_REUSEPORT sockets: virtual "
                    + byPid.get(virtual.pid()) + ", eventloop " + byPid.get(eventloop.pid()) + ", prefork workers "
                    + workers.stream().map(byPid::get).toList());
            assertThat(r.errorsByKind()).isEmpty();
            assertThat(r.requests()).isEqualTo(400);
            for (long pid : List.of(
                    virtual.pid(),
                    eventloop.pid(),
                    workers.stream().sorted().toList().get(0),
                    workers.stream().sorted().toList().get(1))) {
                assertThat(byPid.getOrDefault(pid, 0L))
                        .as("connections served by pid %d", pid)
                        .isPositive();
            }

            assertThatThrownBy(() -> Instance.start("--port", p, "--model", "virtual"))
                    .as("a server without --reuseport cannot join them")
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
                    .hasMessageContaining("--reuseport on every server that shares it");
        }
    }

    /** Listening TCP sockets on {@code port}, as the kernel lists them. */
    private static long listeners(int port) {
        return TcpSockets.onPort(port).stream()
                .filter(TcpSockets.Socket::listening)
                .count();
    }
}
