package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.echolab.config.ServerConfig.Overflow;
import org.echolab.config.ServerConfig.ProtocolChoice;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one refusal, under one model of each family: a client turned away as it connects (its
 * address already holds {@code --max-per-client} connections) is told so in the server's protocol,
 * an HTTP 503 with {@code Retry-After} or, under {@code --protocol tcp}, an {@code ERR busy} line
 * (never an HTTP answer to a client of lines); the refusal is written to the access log and counted
 * by its reason in {@code /stats}; and the registry counts each connection open once and closed
 * once, the refused one not at all.
 */
@Timeout(180)
class TurnedAwayTest {

    private static final String TIME = "\\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}]";
    private static final String WHY = "this address already has 1 connections open (--max-per-client)";

    /** Every family that can hold two connections at once, under each way of speaking. */
    static Stream<Arguments> families() {
        return ModelSets.families()
                .filter(m -> !Models.byName(m).traits().oneAtATime()) // the second client waits in the backlog
                .filter(m -> Models.byName(m).traits().perConnection()
                        != Models.PerConnection.PROCESS) // bound: --max-children
                .flatMap(m -> Stream.of(Arguments.of(m, ProtocolChoice.TCP), Arguments.of(m, ProtocolChoice.AUTO)));
    }

    @ParameterizedTest(name = "{0} --protocol {1}")
    @MethodSource("families")
    void aClientOverMaxPerClientIsToldInTheServersProtocolLoggedAndCounted(
            String model, ProtocolChoice protocol, @TempDir Path dir) throws Exception {
        boolean lines = protocol == ProtocolChoice.TCP;
        Path log = dir.resolve("access.log");
        try (EchoServer server = Servers.start(Servers.config(model)
                .protocol(protocol)
                .maxPerClient(1)
                .workers(1)
                .accessLog(log.toString()))) {
            try (RawClient holder = new RawClient(server.port())) {
                if (lines) { // answered: so it surely holds its place
                    assertThat(holder.send("hold\n").readLine()).isEqualTo("hold");
                } else {
                    assertThat(holder.send(RawClient.get("/echo?msg=hold"))
                                    .readResponse()
                                    .text())
                            .isEqualTo("hold");
                }
                try (RawClient late = new RawClient(server.port())) {
                    if (lines) {
                        assertThat(late.readLine()).isEqualTo("ERR busy: " + WHY + "; closing");
                    } else {
                        RawClient.Response r = late.readResponse();
                        assertThat(r.status()).isEqualTo(503);
                        assertThat(r.header("Retry-After")).isEqualTo("1");
                        assertThat(r.text()).contains(WHY);
                    }
                    assertThat(late.closedByServer()).isTrue();
                }
                if (lines) { // and is still served
                    assertThat(holder.send("again\n").readLine()).isEqualTo("again");
                } else {
                    assertThat(holder.send(RawClient.get("/echo?msg=again"))
                                    .readResponse()
                                    .text())
                            .isEqualTo("again");
                }
            }
            String refused = "127\\.0\\.0\\.1 - - " + TIME + " \"-\" " + (lines ? "-" : "503") + " -";
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                            .anyMatch(l -> l.matches(refused)));
            if (Models.byName(model).traits().interleaving()
                    != Models.Interleaving.PROCESSES) { // a tree's /stats is its parent's
                await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "connectionsOpen") == 0);
                assertThat(refusedBy(server)).containsEntry("max-per-client", 1L);
                assertThat(Servers.stat(server, "connectionsPeak"))
                        .as("the refused one was never open")
                        .isEqualTo(1);
            }
        }
    }

    /** Where --max-connections or a pool's places refuse rather than wait: under --protocol tcp an ERR line too. */
    @Test
    void aFullPoolTurnsALineClientAwayWithAnErrLine(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (EchoServer server = Servers.start(Servers.config("pool")
                        .protocol(ProtocolChoice.TCP)
                        .threads(1)
                        .queue(0)
                        .overflow(Overflow.REJECT)
                        .maxPerClient(0)
                        .accessLog(log.toString()));
                RawClient holder = new RawClient(server.port())) {
            assertThat(holder.send("hold\n").readLine()).isEqualTo("hold"); // its session holds the one thread
            try (RawClient late = new RawClient(server.port())) {
                assertThat(late.readLine())
                        .isEqualTo("ERR busy: all 1 threads are busy and the queue of 0 is full; closing");
                assertThat(late.closedByServer()).isTrue();
            }
            assertThat(refusedBy(server)).containsEntry("server-full", 1L);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                            .anyMatch(l -> l.matches("127\\.0\\.0\\.1 - - " + TIME + " \"-\" - -")));
        }
    }

    /**
     * Under eventloop each connection is counted open once and closed once, however it ends (the
     * client closes after its answer, resets in the middle of its wait, or is turned away): once
     * they have all gone the gauge is back at 0, and it never counted more than were open.
     */
    @Test
    void eventLoopConnectionsAreCountedOnceAndTheGaugeEndsAtZero() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("eventloop").maxPerClient(4))) {
            List<RawClient> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    waiting.add(new RawClient(server.port()).send(RawClient.get("/echo?msg=w&wait=2s")));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 4);
                try (RawClient late = new RawClient(server.port())) {
                    assertThat(late.readResponse().status()).isEqualTo(503);
                }
                assertThat(Servers.stat(server, "connectionsOpen")).isEqualTo(4);
            } finally {
                for (RawClient c : waiting) {
                    c.abort(); // a reset in the middle of the wait: seen when its answer is written
                }
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> Servers.stat(server, "connectionsOpen") == 0);
            for (int i = 0; i < 10; i++) {
                try (RawClient c = new RawClient(server.port())) {
                    assertThat(c.send(RawClient.get("/echo?msg=c" + i))
                                    .readResponse()
                                    .text())
                            .isEqualTo("c" + i);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "connectionsOpen") == 0);
            assertThat(Servers.stat(server, "connectionsPeak")).isEqualTo(4);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> refusedBy(EchoServer server) {
        return (Map<String, Object>) server.stats().get("refusedBy");
    }
}
