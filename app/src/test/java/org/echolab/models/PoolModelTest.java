package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.lab.grade.RawClient.get;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.echolab.config.ServerConfig.Overflow;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;

/** The pool's bounds and its documented overflow choices, and the --max-connections gate. */
class PoolModelTest {

    private static final String ONE_SHOT =
            "GET /echo?msg=%s&wait=300ms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    /** {@code clients} one-request connections at once; returns each response's status. */
    private static List<Integer> burst(EchoServer server, int clients) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String msg = "b" + i;
                statuses.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(server.port())) {
                        return c.send(ONE_SHOT.formatted(msg)).readResponse().status();
                    }
                }));
            }
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : statuses) {
                out.add(f.get());
            }
            return out;
        }
    }

    // Every client here comes from 127.0.0.1: --max-per-client 0, so that the pool's own bounds are what is seen.

    @Test
    void backlogOverflowServesEveryoneButNeverMoreThanThePoolAtOnce() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("pool")
                .threads(2)
                .queue(1)
                .overflow(Overflow.BACKLOG)
                .maxPerClient(0))) {
            assertThat(burst(server, 8)).containsOnly(200).hasSize(8);
            assertThat(Servers.stat(server, "requestsInFlightPeak"))
                    .as("two threads: two requests at once")
                    .isEqualTo(2);
            assertThat(Servers.stat(server, "connectionsPeak"))
                    .as("threads + queue admitted, the rest in the backlog")
                    .isLessThanOrEqualTo(3);
            assertThat(Servers.stat(server, "rejected")).isZero();
        }
    }

    @Test
    void rejectOverflowAnswers503WhileThreadsAndQueueAreFull() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("pool")
                        .threads(1)
                        .queue(0)
                        .overflow(Overflow.REJECT)
                        .maxPerClient(0));
                RawClient holder = new RawClient(server.port())) {
            holder.send(get("/echo?msg=hold&wait=3s"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "poolBusy") == 1);
            try (RawClient late = new RawClient(server.port())) {
                RawClient.Response r = late.readResponse(); // answered without sending anything
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(r.text()).contains("1 threads are busy");
            }
            assertThat(holder.readResponse().text()).isEqualTo("hold");
            assertThat(Servers.stat(server, "rejected")).isEqualTo(1);
        }
    }

    @Test
    void maxConnectionsHoldsTheRestInTheBacklog() throws Exception {
        try (EchoServer server =
                Servers.start(Servers.config("thread").maxConnections(3).maxPerClient(0))) {
            assertThat(burst(server, 10)).containsOnly(200).hasSize(10);
            assertThat(Servers.stat(server, "connectionsPeak")).isBetween(1L, 3L);
        }
    }
}
