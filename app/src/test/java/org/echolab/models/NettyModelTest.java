package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.echolab.lab.grade.RawClient.get;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only the Netty models promise, on real sockets: each runs on the kernel interface its name
 * says (the listening channel is Netty's native class for it, and an io_uring server holds
 * io_uring rings in this process while an epoll one holds none), and {@code --max-connections}
 * leaves the rest in the backlog as every model does. Everything else they share with every model
 * is in {@link ModelSuiteTest} and {@link ModelLimitsTest}.
 */
@Timeout(60)
class NettyModelTest {

    @ParameterizedTest
    @CsvSource({"netty, EpollServerSocketChannel, netty-", "netty-uring, IoUringServerSocketChannel, uring-"})
    void eachModelRunsOnItsOwnTransport(String model, String listener, String loopThread) throws Exception {
        Map<String, Long> before = anonymousFiles();
        try (EchoServer server = Servers.start(Servers.config(model).loops(2))) {
            try (RawClient c = new RawClient(server.port())) {
                RawClient.Response r = c.send(get("/echo?msg=hi")).readResponse();
                assertThat(r.text()).isEqualTo("hi");
                assertThat(r.header("X-Echo-Worker"))
                        .as("served on one of the model's loops")
                        .contains("thread=" + loopThread);
            }
            assertThat(server.stats()).containsEntry("listener", listener);
            Map<String, Long> during = anonymousFiles();
            long rings = during.getOrDefault("io_uring", 0L) - before.getOrDefault("io_uring", 0L);
            if (model.equals("netty-uring")) {
                assertThat(rings)
                        .as("an io_uring ring per loop, held by this process: " + during)
                        .isGreaterThanOrEqualTo(2);
            } else {
                assertThat(rings).as("epoll: no io_uring ring: " + during).isZero();
            }
        }
        assertThat(anonymousFiles().getOrDefault("io_uring", 0L))
                .as("the rings closed with the server")
                .isEqualTo(before.getOrDefault("io_uring", 0L));
    }

    /** Two slots, three clients: the third waits in the backlog (it connects, nothing answers) until a slot is free. */
    @ParameterizedTest
    @ValueSource(strings = {"netty", "netty-uring"})
    void maxConnectionsStopsAcceptingUntilASlotIsFree(String model) throws Exception {
        try (EchoServer server = Servers.start(
                        Servers.config(model).loops(1).maxConnections(2).maxPerClient(0));
                RawClient first = new RawClient(server.port());
                RawClient second = new RawClient(server.port());
                RawClient third = new RawClient(server.port())) {
            for (RawClient c : List.of(first, second)) {
                assertThat(c.send(get("/health")).readResponse().status()).isEqualTo(200);
            }
            third.send(get("/echo?msg=third"));
            assertThat(Servers.stat(server, "connectionsOpen"))
                    .as("the third is not accepted yet")
                    .isEqualTo(2);
            first.close();
            assertThat(third.readResponse().text()).isEqualTo("third");
            assertThat(Servers.stat(server, "connectionsPeak")).isEqualTo(2);
        }
    }

    /**
     * The client ends its input while its request waits: the answer still comes, then the last
     * line it sent without a newline, then the close (reading resumes on a socket whose input the
     * transport has stopped watching).
     */
    @ParameterizedTest
    @ValueSource(strings = {"netty", "netty-uring"})
    void aClientThatEndsItsInputDuringAWaitGetsEveryAnswer(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model));
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("[wait=200ms] first\nlast".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all).isEqualTo("first\nlast");
        }
    }

    /** This process's anonymous files by kind ({@code io_uring}, {@code eventpoll}, {@code eventfd}, ...). */
    private static Map<String, Long> anonymousFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(NettyModelTest::target)
                    .filter(t -> t.startsWith("anon_inode:"))
                    .map(t -> t.substring("anon_inode:".length()).replaceAll("[\\[\\]]", ""))
                    .collect(Collectors.groupingBy(k -> k, Collectors.counting()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed meanwhile
        }
    }
}
