package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.lab.grade.RawClient.get;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How every model in {@link Models} hands out connections, over real sockets on 127.0.0.1:
 * requests overlap (under {@code sequential} they never do), and a stop drains the requests in
 * flight, closes idle connections at once and leaves no process, thread or descriptor behind.
 * Each case starts a server of its own. Concurrency is asserted by overlap (peak requests in
 * flight), never by a stopwatch. What one connection gets is {@link ModelSuiteTest}'s.
 */
class OverlapAndDrainTest {

    /** Every model: how connections are handed out, overlapped and drained. */
    static Stream<String> everyModel() {
        return ModelSets.everyModel();
    }

    @ParameterizedTest
    @MethodSource("everyModel")
    void concurrentModelsOverlapRequestsAndSequentialDoesNot(String model) throws Exception {
        int clients = 6;
        // Long enough that every client is in before the first is answered: under a process per
        // connection each waits for a JVM to start, a few at a time (--max-starting). Sequential
        // answers one at a time whatever the wait, so its six need not take 1.5 s each.
        String wait = Models.byName(model).traits().perConnection() == Models.PerConnection.PROCESS
                ? "6s"
                : model.equals("sequential") ? "200ms" : "1500ms";
        try (EchoServer server = Servers.start(Servers.config(model));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String msg = "c" + i;
                answers.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(server.port())) {
                        return c.send(get("/echo?msg=" + msg + "&wait=" + wait))
                                .readResponse()
                                .text();
                    }
                }));
            }
            Set<String> bodies = new HashSet<>();
            for (Future<String> f : answers) {
                bodies.add(f.get());
            }
            assertThat(bodies).hasSize(clients);
            long peak = Servers.stat(server, "requestsInFlightPeak");
            if (model.equals("sequential")) {
                assertThat(peak).as("sequential: never two requests at once").isEqualTo(1);
            } else {
                assertThat(peak)
                        .as(model + ": all clients waited at the same time")
                        .isEqualTo(clients);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("everyModel")
    void shutdownDrainsRequestsInFlightAndLeaksNothing(String model) throws Exception {
        long descriptorsBefore = Servers.openDescriptors();
        EchoServer server = Servers.start(Servers.config(model));
        int port = server.port();
        // finished connections, to catch a leak per connection (more than the 5 descriptors allowed below);
        // fewer where each one starts a JVM
        int finished = Models.byName(model).traits().perConnection() == Models.PerConnection.PROCESS ? 10 : 30;
        for (int i = 0; i < finished; i++) {
            try (RawClient c = new RawClient(port)) {
                c.send(get("/echo?msg=warm")).readResponse();
            }
        }
        try (RawClient inFlight = new RawClient(port)) {
            inFlight.send(get("/echo?msg=drained&wait=1s"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") >= 1);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
            RawClient.Response r = inFlight.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("drained");
            assertThat(r.header("Connection"))
                    .as("the last response on a draining server")
                    .isEqualTo("close");
            stopping.get();
        }
        Servers.assertNotListening(port, "the listener after stop");
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(ProcessHandle::isAlive)
                        .toList())
                .as("no child process left behind")
                .isEmpty();
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .as("no server thread left behind")
                .noneMatch(n -> n.startsWith("conn-") || n.startsWith("pool-") || n.startsWith("echolab-"));
        assertThat(Servers.openDescriptors()).as("descriptors").isLessThanOrEqualTo(descriptorsBefore + 5);
    }

    @ParameterizedTest
    @MethodSource("everyModel")
    void shutdownClosesIdleKeepAliveConnectionsAtOnce(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model).grace(Duration.ofSeconds(30)));
        try (RawClient idle = new RawClient(server.port())) {
            assertThat(idle.send(get("/echo?msg=x")).readResponse().text()).isEqualTo("x");
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
            assertThat(idle.closedByServer()).isTrue();
            stopping.get(20, java.util.concurrent.TimeUnit.SECONDS); // well before the 30 s grace
        }
    }
}
