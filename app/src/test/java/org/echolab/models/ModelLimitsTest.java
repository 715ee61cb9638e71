package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.lab.grade.RawClient.get;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.echolab.testing.SharedServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The limits of docs/server.md ("Limits and abuse"), most on one model of each family: timeouts,
 * budgets, slow and silent clients, odd requests, the drain. Real sockets on 127.0.0.1; the
 * companion of {@link ModelSuiteTest}, which checks what every model serves.
 */
class ModelLimitsTest {

    private static final SharedServers SHARED = new SharedServers();

    /** One model of each family ({@link ModelSets}): a limit is kept by the connection's code. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    /** Every model: the cases about how connections are handed out and drained. */
    static Stream<String> everyModel() {
        return ModelSets.everyModel();
    }

    /** One server per model, default settings, shared by the tests that do not need their own. */
    private static EchoServer shared(String model) {
        return SHARED.of(model);
    }

    @AfterAll
    static void stopShared() {
        SHARED.close();
    }

    // waits out deadlines on a server of its own: its cases run at once, beside the class's others
    @Execution(CONCURRENT)
    @ParameterizedTest
    @MethodSource("models")
    void slowAndSilentClientsTimeOut(String model) throws Exception {
        try (EchoServer server = Servers.start(
                Servers.config(model).headerTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofMillis(700)))) {
            try (RawClient half = new RawClient(server.port())) {
                half.send("GET /echo?msg=x HTTP/1.1\r\nHo");
                RawClient.Response r = half.readResponse();
                assertThat(r.status()).isEqualTo(408);
                assertThat(half.closedByServer()).isTrue();
            }
            try (RawClient idle = new RawClient(server.port())) {
                assertThat(idle.send(get("/echo?msg=x")).readResponse().text()).isEqualTo("x");
                assertThat(idle.closedByServer())
                        .as("closed after --idle-timeout, without a response")
                        .isTrue();
            }
        }
    }

    // ---- abuse: timeouts, budgets, slow clients, drain (docs/server.md, "Limits and abuse") ------

    private static boolean oneProcessServesMany(String model) {
        return Models.byName(model).traits().perConnection() != Models.PerConnection.PROCESS;
    }

    // waits out a deadline on a server of its own: its cases run at once, beside the class's others
    @Execution(CONCURRENT)
    @ParameterizedTest
    @MethodSource("models")
    void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeoutNotTheIdleTimeout(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model)
                        .headerTimeout(Duration.ofMillis(500))
                        .idleTimeout(Duration.ofSeconds(60)));
                RawClient silent = new RawClient(server.port())) {
            silent.readTimeout(15_000);
            assertThat(silent.closedByServer())
                    .as("closed at --header-timeout (0.5 s), not --idle-timeout (60 s)")
                    .isTrue();
            assertThat(Servers.httpGet(server.port(), "/echo?msg=after").body()).isEqualTo("after");
        }
    }

    // waits out a deadline on a server of its own: its cases run at once, beside the class's others
    @Execution(CONCURRENT)
    @ParameterizedTest
    @MethodSource("models")
    void aBodyThatStopsArrivingGets408AtTheBodyTimeout(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model)
                        .bodyTimeout(Duration.ofMillis(500))
                        .headerTimeout(Duration.ofSeconds(60)));
                RawClient slow = new RawClient(server.port())) {
            slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
            RawClient.Response r = slow.readResponse();
            assertThat(r.status())
                    .as("--body-timeout, not --header-timeout (60 s)")
                    .isEqualTo(408);
            assertThat(slow.closedByServer()).isTrue();
        }
    }

    /** 64 MiB asked for, a 4 KiB receive buffer, nothing read: the server gives up after --write-timeout. */
    // waits out a deadline on a server of its own: its cases run at once, beside the class's others
    @Execution(CONCURRENT)
    @ParameterizedTest
    @MethodSource("models")
    void aClientThatNeverReadsIsClosedAtTheWriteTimeout(String model) throws Exception {
        try (EchoServer server = Servers.start(Servers.config(model)
                        .writeTimeout(Duration.ofMillis(500))
                        .idleTimeout(Duration.ofSeconds(60)));
                Socket greedy = new Socket()) {
            greedy.setReceiveBufferSize(4096);
            greedy.connect(new InetSocketAddress("127.0.0.1", server.port()));
            greedy.getOutputStream().write(get("/echo?msg=g&size=64MiB").getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(20)).until(() -> Servers.stat(server, "connectionsPeak") >= 1);
            await("the stalled response given up, its connection closed")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Servers.stat(server, "connectionsOpen") == 0);
            assertThat(Servers.httpGet(server.port(), "/echo?msg=after").body()).isEqualTo("after");
        }
    }

    /**
     * RFC 9112: an absolute-form target is served (3.2.2); Transfer-Encoding in HTTP/1.0 is faulty
     * framing (6.1); a chunk size has no sign. And: POST / echoes; msg comes back byte for byte;
     * every response says nosniff, since a POST's Content-Type is echoed.
     */
    @ParameterizedTest
    @MethodSource("models")
    void protocolOddsAreAnsweredAsRfc9112Says(String model) throws Exception {
        int port = shared(model).port();
        try (RawClient c = new RawClient(port)) {
            RawClient.Response r = c.send(
                            "GET http://127.0.0.1:" + port + "/echo?msg=absolute HTTP/1.1\r\nHost: x\r\n\r\n")
                    .readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("absolute");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(c.send(get("/echo?msg=%ff%00%c3%28")).readResponse().body())
                    .containsExactly(0xff, 0x00, 0xc3, 0x28);
            r = c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n<b/>")
                    .readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("<b/>");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        for (String faulty : List.of(
                "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n")) {
            try (RawClient c = new RawClient(port)) {
                RawClient.Response r = c.send(faulty).readResponse();
                assertThat(r.status()).as(faulty).isEqualTo(400);
                assertThat(c.closedByServer()).isTrue();
            }
        }
    }

    /** What the server holds for request bodies is bounded (--memory-budget); a size= reply is streamed, not held. */
    @ParameterizedTest
    @MethodSource("models")
    void aBodyOverTheMemoryBudgetGets503AndSizedRepliesAreNotHeld(String model) throws Exception {
        assumeFalse(
                Models.byName(model).traits().oneAtATime(),
                "one connection at a time: the unread replies would hold it");
        int budget = 256 * 1024;
        try (EchoServer server = Servers.start(Servers.config(model).memoryBudget(budget));
                Socket greedy = new Socket()) {
            greedy.setReceiveBufferSize(4096);
            greedy.connect(new InetSocketAddress("127.0.0.1", server.port()));
            greedy.getOutputStream().write(get("/echo?msg=g&size=64MiB").getBytes(StandardCharsets.US_ASCII));
            try (RawClient c = new RawClient(server.port())) {
                byte[] fits = new byte[100 * 1024];
                c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + fits.length + "\r\n\r\n")
                        .send(fits);
                assertThat(c.readResponse().body())
                        .as("a 64 MiB reply in progress holds none of the budget")
                        .isEqualTo(fits);
            }
            try (RawClient c = new RawClient(server.port())) {
                RawClient.Response r = c.send(
                                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (budget + 1) + "\r\n\r\n")
                        .readResponse();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
            }
        }
    }

    /**
     * --cpu-budget: the CPU work in flight is bounded (the rest 503), and while it runs, on every
     * core (every carrier of the virtual threads), others are answered.
     */
    @ParameterizedTest
    @MethodSource("models")
    void cpuWorkIsBoundedAndOthersAreAnsweredWhileItRuns(String model) throws Exception {
        assumeFalse(
                Models.byName(model).traits().oneAtATime(), "one connection at a time: nothing runs beside the work");
        assumeTrue(oneProcessServesMany(model), "a process per connection: each child has a budget of its own");
        int cores = org.echolab.config.ServerConfig.CORES;
        try (EchoServer server = Servers.start(
                        Servers.config(model).maxWait(Duration.ofSeconds(3)).cpuBudget(Duration.ofSeconds(cores)));
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> cpu = new ArrayList<>();
            for (int i = 0; i <= cores; i++) { // one more than the budget takes
                cpu.add(clients.submit(() -> {
                    try (RawClient c = new RawClient(server.port())) {
                        return c.send(get("/echo?msg=cpu&work=cpu&wait=1s"))
                                .readResponse()
                                .status();
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> Servers.stat(server, "requestsInFlight") >= cores);
            RawClient.Response plain;
            try (RawClient c = new RawClient(server.port())) {
                plain = c.send(get("/echo?msg=plain")).readResponse();
            }
            long stillComputing = cpu.stream().filter(f -> !f.isDone()).count();
            assertThat(plain.text()).isEqualTo("plain");
            assertThat(stillComputing)
                    .as("answered while CPU work was still in flight")
                    .isGreaterThanOrEqualTo(1);
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : cpu) {
                statuses.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(statuses)
                    .as("every ask answered or refused")
                    .isSubsetOf(200, 503)
                    .contains(200);
            if (Models.byName(model).traits().interleaving() != Models.Interleaving.PROCESSES) {
                assertThat(statuses)
                        .as("budget of %d x 1 s, %d asks of 1 s", cores, cores + 1)
                        .containsOnlyOnce(503);
            }
        }
    }

    /**
     * 80 connections from 127.0.0.1 send half a request and stall (slowloris); a client from
     * 127.0.0.2 is answered while they still hold their connections: one address gets
     * --max-per-client connections, not all. The bound is given as a number: the automatic one
     * spares loopback clients (on one machine every client is 127.0.0.1).
     */
    @ParameterizedTest
    @MethodSource("everyModel")
    void slowClientsFromOneAddressCannotStarveAnother(String model) throws Exception {
        assumeFalse(Models.byName(model).traits().oneAtATime(), "one connection at a time: any client holds it");
        assumeTrue(oneProcessServesMany(model), "a process per connection: its bound is --max-children");
        List<RawClient> slow = new ArrayList<>();
        try (EchoServer server = Servers.start(
                Servers.config(model).headerTimeout(Duration.ofSeconds(60)).maxPerClient(16))) {
            for (int i = 0; i < 80; i++) {
                RawClient c = new RawClient(server.port());
                slow.add(c);
                c.send("GET /echo?msg=slow HTTP/1.1\r\nHost: x\r\n");
            }
            try (RawClient other = new RawClient("127.0.0.2", server.port())) {
                assertThat(other.send(get("/echo?msg=other")).readResponse().text())
                        .isEqualTo("other");
            }
            // held by the workers, or (prefork-pass) by the parent's head gate, where they wait for a whole head
            long held = Servers.stat(server, "connectionsOpen")
                    + (server.stats().get("awaitingHead") instanceof Number n ? n.longValue() : 0);
            assertThat(held).as("the slow ones still hold theirs").isGreaterThanOrEqualTo(16);
            closeAll(slow); // before the stop, which would wait its grace for their half requests
        } finally {
            closeAll(slow);
        }
    }

    private static void closeAll(List<RawClient> clients) throws IOException {
        for (RawClient c : clients) {
            c.close();
        }
    }

    /** Idle kept-alive connections each send a request, and the server is stopped at once: each is answered. */
    @ParameterizedTest
    @MethodSource("everyModel")
    void requestsSentOnIdleConnectionsBeforeTheStopAreAnswered(String model) throws Exception {
        assumeFalse(
                Models.byName(model).traits().oneAtATime(), "one connection at a time: the others wait in the backlog");
        EchoServer server = Servers.start(Servers.config(model).grace(Duration.ofSeconds(15)));
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                RawClient c = new RawClient(server.port());
                clients.add(c);
                assertThat(c.send(get("/echo?msg=warm")).readResponse().status())
                        .isEqualTo(200);
            }
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send(get("/echo?msg=last" + i));
            }
            stopAndExpectEveryAnswer(server, clients);
        } finally {
            closeAll(server, clients);
        }
    }

    /** Stops the server while client i's request for msg=last{i}, sent before, is answered: each must be. */
    private static void stopAndExpectEveryAnswer(EchoServer server, List<RawClient> clients) throws Exception {
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        for (int i = 0; i < clients.size(); i++) {
            RawClient.Response r = clients.get(i).readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("last" + i);
        }
        stopping.get(60, TimeUnit.SECONDS);
    }

    private static void closeAll(EchoServer server, List<RawClient> clients) throws IOException {
        server.close();
        for (RawClient c : clients) {
            c.close();
        }
    }

    /**
     * A 413 is not followed by the body the client is still sending, so closing at once would
     * reset the connection under the 413 (the client, blocked in sending, never reads it). The
     * server half-closes and reads on (lingers) until the client has the answer.
     */
    @ParameterizedTest
    @MethodSource("models")
    void anErrorAnswerSurvivesTheBodyTheServerDidNotRead(String model) throws Exception {
        int port = shared(model).port();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            byte[] body = new byte[4 << 20];
            s.getOutputStream()
                    .write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body); // the whole request, then the answer: as curl and most clients do
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413");
        }
    }
}
