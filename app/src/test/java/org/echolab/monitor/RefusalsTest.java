package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.lab.grade.RawClient.get;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.echolab.config.ServerConfig.Overflow;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients on one machine all come from 127.0.0.1: the automatic {@code --max-per-client} spares
 * them, so the lab's five curls against a pool of 2 threads and a queue of 1 are all served (two
 * at a time), where they used to get four 503s. A bound given as a number holds for loopback too.
 * Every refusal is counted by its reason in /stats, /metrics and the live view, and logged.
 */
@Timeout(60)
class RefusalsTest {

    @Test
    void fiveClientsOnOneMachineAreAllServedByAPoolOfTwoWithTheAutomaticPerClientBound() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("pool").threads(2).queue(1))) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 1; i <= 5; i++) { // as curl does: one request each, then the client closes
                    Socket s = new Socket("127.0.0.1", server.port());
                    clients.add(s);
                    s.getOutputStream()
                            .write(("GET /echo?msg=c" + i
                                            + "&wait=300ms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                }
                for (Socket s : clients) {
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    assertThat(answer)
                            .as("every client is served, none refused")
                            .startsWith("HTTP/1.1 200");
                }
            } finally {
                Servers.close(clients);
            }
            assertThat(Servers.stat(server, "requestsInFlightPeak"))
                    .as("two threads: two at a time")
                    .isEqualTo(2);
            assertThat(Servers.stat(server, "refused")).isZero();
        }
    }

    @Test
    void aPerClientBoundGivenAsANumberHoldsForLoopbackAndIsCountedShownAndLogged() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(org.echolab.process.Refusals.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level before = log.getLevel();
        log.setLevel(Level.FINE); // what -v does for every logger
        log.addHandler(capture);
        try (EchoServer server =
                        Servers.start(Servers.config("thread").maxPerClient(1).monitorPort(0));
                RawClient holder = new RawClient(server.port())) {
            holder.send(get("/echo?msg=hold&wait=5s"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
            try (RawClient second = new RawClient(server.port())) {
                RawClient.Response r = second.readResponse();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.text()).contains("--max-per-client");
            }
            assertRefused(server, "max-per-client");
            assertThat(logged).anySatisfy(r -> assertThat(r.getMessage()).contains("refused"));
            assertThat(logged.stream().map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())))
                    .anySatisfy(line -> assertThat(line)
                            .isEqualTo("127.0.0.1: refused (max-per-client): "
                                    + "this address already has 1 connections open (--max-per-client)"));
        } finally {
            log.removeHandler(capture);
            log.setLevel(before);
        }
    }

    @Test
    void aFullPoolsRefusalsAreCountedAsServerFull() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("pool")
                        .threads(1)
                        .queue(0)
                        .overflow(Overflow.REJECT)
                        .monitorPort(0));
                RawClient holder = new RawClient(server.port())) {
            holder.send(get("/echo?msg=hold&wait=5s"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "poolBusy") == 1);
            List<RawClient> late = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    late.add(new RawClient(server.port()));
                    assertThat(late.getLast().readResponse().status()).isEqualTo(503);
                }
            } finally {
                for (RawClient c : late) {
                    c.close();
                }
            }
            assertThat(Servers.stat(server, "refused")).isEqualTo(2);
            assertThat(MonitorTest.get(server, "/metrics"))
                    .contains("echolab_refusals_total{reason=\"server-full\"} 2.0");
        }
    }

    /** One refusal for {@code reason}: in /stats, in /metrics, and drawn by the live view in text. */
    @SuppressWarnings("unchecked")
    private static void assertRefused(EchoServer server, String reason) throws Exception {
        assertThat(Servers.stat(server, "refused")).isEqualTo(1);
        assertThat((Map<String, Object>) server.stats().get("refusedBy")).containsEntry(reason, 1L);
        assertThat(MonitorTest.get(server, "/metrics"))
                .contains("echolab_refusals_total{reason=\"" + reason + "\"} 1.0")
                .contains("echolab_refusals_total{reason=\"server-full\"} 0.0");
        Map<String, Object> frame = MonitorTest.live(server);
        assertThat(frame.get("refused")).isEqualTo(1);
        assertThat(TextView.render(frame, 80, 24, 0))
                .contains("refused 1")
                .contains("1 client was turned away with a 503: 1 " + reason);
    }
}
