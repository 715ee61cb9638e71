package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.models.ProcessTrees.childrenOf;
import static org.echolab.models.ProcessTrees.get;
import static org.echolab.models.ProcessTrees.tree;
import static org.echolab.models.ProcessTrees.workerPid;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.echolab.config.ServerConfig;
import org.echolab.os.TcpSockets;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Descriptor passing (SCM_RIGHTS over a Unix-domain socket): {@code process --spares}, where the
 * parent passes each accepted connection to a single-use child that was already running and keeps
 * the spares topped up, and {@code prefork-pass}, where it passes them to long-lived workers.
 * Checked in /proc: where the connection's socket is open after the hand-off.
 */
class DescriptorPassingTest {

    private static final long SELF = ProcessHandle.current().pid();

    private static EchoServer start(int spares) throws IOException {
        return EchoServer.start(
                ServerConfig.builder().model("process").port(0).spares(spares).build());
    }

    @Test
    @Timeout(120)
    void aLiveConnectionMovesToAWaitingSpareAndTheParentKeepsNoCopy() throws Exception {
        try (EchoServer server = start(2)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> childrenOf(SELF).size() == 2);
            Set<Long> spares = Set.copyOf(childrenOf(SELF).keySet());
            for (long spare : spares) { // a waiting spare's fd 0 is its end of a Unix-domain socket pair
                assertThat(fd(spare, 0)).startsWith("socket:[");
            }
            try (Socket client = new Socket(server.address().getAddress(), server.port())) {
                String first = request(client, "/echo?msg=a");
                assertThat(first).startsWith("HTTP/1.1 200").endsWith("a");
                long child = workerPid(first);
                assertThat(spares).as("served by a spare that was waiting").contains(child);

                // the server's end of this TCP connection: open as the child's fd 0 and 1, nowhere in the parent
                String socket = "socket:[" + serverSideInode(server.port(), client.getLocalPort()) + "]";
                assertThat(fd(child, 0)).isEqualTo(socket);
                assertThat(fd(child, 1)).isEqualTo(socket);
                assertThat(ProcessTrees.openFds()).noneMatch(target -> target.endsWith("->" + socket));

                // still the same child on the same connection (keep-alive), and a new spare stands behind it
                assertThat(workerPid(request(client, "/echo?msg=b"))).isEqualTo(child);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> childrenOf(SELF).size() == 3);
                assertThat(tree(server, "spawned")).isEqualTo(3);
                assertThat(server.stats()).containsEntry("sparesWaiting", 2);
            }
            // the client left: its child exits and is reaped, the two spares wait on
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tree(server, "reaped") == 1 && childrenOf(SELF).size() == 2);
        }
        assertThat(childrenOf(SELF)).as("no spare, child or zombie after stop").isEmpty();
    }

    @Test
    @Timeout(180)
    void everyConnectionGetsAFreshSpareAndNoneIsLeftAfterStop() throws Exception {
        // what this JVM opens once, on first use, and keeps (a socket of the process machinery) is
        // not a leak: one server's life before the count opens it
        try (EchoServer warm = start(1)) {
            assertThat(get(warm.address(), "/echo?msg=warm")).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> childrenOf(SELF).isEmpty());
        List<String> fdsBefore = ProcessTrees.openFds();
        Set<Long> pids = new HashSet<>();
        long spawned;
        long reaped;
        try (EchoServer server = start(3)) {
            for (int i = 0; i < 12; i++) {
                String answer = get(server.address(), "/echo?msg=c" + i);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("c" + i);
                pids.add(workerPid(answer));
            }
            assertThat(pids).as("one process per connection, used once").hasSize(12);
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            tree(server, "reaped") == 12 && childrenOf(SELF).size() == 3);
            spawned = tree(server, "spawned");
        }
        assertThat(spawned).isEqualTo(15); // 3 spares, then one behind each of the 12 used
        assertThat(childrenOf(SELF)).as("no spare, child or zombie after stop").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessTrees.openFds().size() <= fdsBefore.size());
        try (var shm = Files.list(Path.of("/dev/shm"))) {
            assertThat(shm.map(Path::toString)).noneMatch(f -> f.contains("echolab-tree-" + SELF + "-"));
        }
    }

    @Test
    @Timeout(120)
    void preforkPassTheParentAcceptsAndAWorkerHoldsTheOnlyCopy() throws Exception {
        try (EchoServer server = EchoServer.start(ServerConfig.builder()
                        .model("prefork-pass")
                        .port(0)
                        .workers(2)
                        .build());
                Socket client = new Socket(server.address().getAddress(), server.port())) {
            String first = request(client, "/echo?msg=a");
            assertThat(first).startsWith("HTTP/1.1 200").endsWith("a");
            long worker = workerPid(first);
            assertThat(childrenOf(SELF)).containsKey(worker);
            String socket = "socket:[" + serverSideInode(server.port(), client.getLocalPort()) + "]";
            assertThat(ProcessTrees.fdsOf(worker)).anyMatch(target -> target.endsWith("->" + socket));
            assertThat(ProcessTrees.openFds())
                    .as("the parent accepted it, passed it and closed its copy")
                    .noneMatch(target -> target.endsWith("->" + socket));
            assertThat(workerPid(request(client, "/echo?msg=b"))).isEqualTo(worker);
        }
        assertThat(childrenOf(SELF)).as("no worker or zombie after stop").isEmpty();
    }

    /**
     * A spare runs its first requests through the whole path on a connection of its own before it
     * waits (so its client's first request meets warm code), and none of them shows: the client's
     * request is number 1, the access log has the client's lines only, the spare's /stats says how
     * many warm-up answers it had.
     */
    @Test
    @Timeout(120)
    void aSpareWarmsUpOnRequestsOfItsOwnThatShowNowhere() throws Exception {
        Path log = Files.createTempFile("echolab-access-", ".log");
        try (EchoServer server = EchoServer.start(ServerConfig.builder()
                .model("process")
                .port(0)
                .spares(1)
                .accessLog(log.toString())
                .build())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Integer.valueOf(1).equals(server.stats().get("sparesWaiting")));
            try (Socket client = new Socket(server.address().getAddress(), server.port())) {
                String echo = request(client, "/echo?msg=a");
                assertThat(echo)
                        .startsWith("HTTP/1.1 200")
                        .contains("\r\nX-Echo-Request: 1\r\n")
                        .endsWith("a");
                String stats = request(client, "/stats");
                assertThat(stats)
                        .as("the spare's own figures")
                        .containsPattern("\"spareWarmUp\":\\{[^}]*\"answers\":" + SpareWarmUp.REQUESTS + "[,}]");
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readAllLines(log).size() >= 2);
            assertThat(Files.readAllLines(log))
                    .as("the client's two requests only")
                    .hasSize(2)
                    .noneMatch(l -> l.contains("warm-up"));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String fd(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd)))
                .toString();
    }

    /**
     * The inode of the server's end of a loopback TCP connection, once the server has accepted it.
     */
    private static String serverSideInode(int serverPort, int clientPort) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> TcpSockets.onPort(serverPort).stream()
                                .filter(s -> s.remotePort() == clientPort && s.inode() != 0)
                                .map(s -> Long.toString(s.inode()))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static String request(Socket s, String target) throws IOException {
        s.setSoTimeout(60_000);
        s.getOutputStream()
                .write(("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return readResponse(s.getInputStream());
    }

    /** One response on a keep-alive connection: the head, then Content-Length bytes of body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        String h = head.toString();
        int at = h.toLowerCase().indexOf("content-length: ") + 16;
        int length = Integer.parseInt(h.substring(at, h.indexOf("\r\n", at)));
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
