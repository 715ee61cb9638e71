package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server counts its closes by cause, and among them the unanswered: a connection the server
 * closed while it held a complete request of whose answer not one byte was written. Under a
 * blocking session ({@code thread}; {@code pool}, whose acceptor reads each request head before a
 * worker takes it) and a non-blocking one ({@code eventloop}, {@code netty}),
 * a forced shutdown during a request's wait leaves exactly one unanswered; the ordinary closes
 * (answered, the client's close or reset, even in the middle of a wait, timeouts, a refusal, the
 * drain) leave none, each counted under its own cause.
 */
@Timeout(120)
class UnansweredTest {

    private static final String GET = "GET /echo?msg=hi HTTP/1.1\r\nHost: t\r\n\r\n";
    private static final String WAIT = "GET /echo?msg=hi&wait=20s HTTP/1.1\r\nHost: t\r\n\r\n";
    private static final String WAIT_1S = "GET /echo?msg=hi&wait=1s HTTP/1.1\r\nHost: t\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {"thread", "pool", "eventloop", "netty"})
    void aForcedShutdownDuringTheWaitLeavesOneRequestUnanswered(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model).maxWait(Duration.ofSeconds(30)));
        try (Socket waiting = connect(server)) {
            send(waiting, WAIT);
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
            assertThat(Servers.stat(server, "requestsUnanswered")).isZero();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    server.stop(Duration.ofMillis(300)); // the wait outlasts the grace: a forced shutdown
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(readToEnd(waiting.getInputStream()))
                    .as("the client got no answer")
                    .isEmpty();
            stopping.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            server.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> closedBy(server, "forced") == 1);
        assertThat(Servers.stat(server, "requestsUnanswered")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "pool", "eventloop", "netty"})
    void theOrdinaryClosesLeaveNoneUnanswered(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model)
                .headerTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300))
                .writeTimeout(Duration.ofMillis(300))
                .maxWait(Duration.ofSeconds(30)));
        try {
            closes(server, "client-closed", s -> {
                send(s, GET);
                assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
            });
            closes(server, "answered", s -> {
                send(s, "GET /echo?msg=hi HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 200");
            });
            closes(
                    server,
                    "timeout",
                    s -> { // the idle timeout, after an answer
                        send(s, GET);
                        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
                        assertThat(readToEnd(s.getInputStream())).isEmpty();
                    });
            closes(
                    server,
                    "timeout",
                    s -> { // the header timeout, half a head sent: a 408 is an answer
                        send(s, "GET /echo?msg=hi HTTP/1.1\r\n");
                        assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 408");
                    });
            closes(
                    server,
                    "timeout",
                    s -> { // the write timeout: the answer began, the client read none of it
                        s.setReceiveBufferSize(4096);
                        send(s, "GET /echo?msg=hi&size=64MiB HTTP/1.1\r\nHost: t\r\n\r\n");
                        await().atMost(Duration.ofSeconds(10)).until(() -> closedBy(server, "timeout") == 3);
                    });
            closes(server, "refused", s -> {
                send(s, "GET /echo HTTP/1.1\r\nno colon here\r\n\r\n");
                assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 400");
            });
            // the client leaves in the middle of a wait: a request held unanswered, but not the server's
            // doing (the cause depends on when the model hears of it: client-closed, client-reset, io-error)
            closes(server, null, s -> {
                send(s, WAIT_1S);
                await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
                s.shutdownOutput();
            });
            closes(server, null, s -> {
                send(s, WAIT_1S);
                await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
                s.setSoLinger(true, 0); // the close sends RST
            });
            assertThat(Servers.stat(server, "requestsUnanswered")).isZero();
            assertThat(closedBy(server, "forced")).isZero();
            assertThat(closedBy(server, "server-error"))
                    .as("every close says its cause")
                    .isZero();
        } finally {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "pool", "eventloop", "netty"})
    void theDrainAnswersWhatItHolds(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model));
        try (Socket idle = connect(server);
                Socket busy = connect(server)) {
            send(idle, GET);
            assertThat(readResponse(idle)).startsWith("HTTP/1.1 200");
            send(busy, WAIT_1S);
            await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    server.stop(Duration.ofSeconds(20)); // the grace outlasts the wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(readToEnd(busy.getInputStream())).startsWith("HTTP/1.1 200");
            assertThat(readToEnd(idle.getInputStream())).isEmpty();
            stopping.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            server.close();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> closedBy(server, "drained") == 1 && closedBy(server, "answered") == 1);
        assertThat(Servers.stat(server, "requestsUnanswered")).isZero();
        assertThat(closedBy(server, "forced")).isZero();
    }

    /** Under a process tree the workers count their closes on the tree's board, which the parent's {@code /stats} reads. */
    @ParameterizedTest
    @ValueSource(strings = {"prefork", "process"})
    void aProcessTreeCountsItsChildrensCloses(String model) throws Exception {
        EchoServer server = Servers.start(Servers.config(model)
                .workers(1)
                .headerTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300))
                .maxWait(Duration.ofSeconds(30))
                .grace(Duration.ofMillis(300)));
        try {
            closes(server, "timeout", s -> {
                send(s, GET);
                assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
                assertThat(readToEnd(s.getInputStream())).isEmpty();
            });
            if (model.equals("prefork")) { // a worker's head gate; under process the parent's gate admits none
                closes(server, "timeout", s -> {
                    send(s, "GET /echo?msg=hi HTTP/1.1\r\n");
                    assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 408");
                });
            }
            try (Socket waiting = connect(server)) {
                send(waiting, WAIT);
                await().atMost(Duration.ofSeconds(10)).until(() -> Servers.stat(server, "requestsInFlight") == 1);
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
                assertThat(readToEnd(waiting.getInputStream()))
                        .as("the client got no answer")
                        .isEmpty();
                stopping.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            server.close();
        }
        assertThat(Servers.stat(server, "requestsUnanswered"))
                .as("the child's forced close")
                .isEqualTo(1);
        assertThat(closedBy(server, "forced")).isEqualTo(1);
        assertThat(closedBy(server, "server-error"))
                .as("every close says its cause")
                .isZero();
    }

    private interface Client {
        void talk(Socket s) throws Exception;
    }

    /**
     * One connection that {@code client} makes and ends; once the server has closed it, it is
     * counted once, under {@code cause} (null: under any).
     */
    private static void closes(EchoServer server, String cause, Client client) throws Exception {
        long before = closedBy(server, null);
        long beforeThis = cause == null ? before : closedBy(server, cause);
        try (Socket s = connect(server)) {
            client.talk(s);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> closedBy(server, null) == before + 1);
        assertThat(cause == null ? beforeThis + 1 : closedBy(server, cause))
                .as("closed by %s: %s", cause, server.stats().get("connectionsClosedBy"))
                .isEqualTo(beforeThis + 1);
    }

    /** The {@code /stats} count of closes for {@code cause} (null: for every cause). */
    static long closedBy(EchoServer server, String cause) {
        Object by = server.stats().get("connectionsClosedBy");
        assertThat(by).as("/stats connectionsClosedBy").isInstanceOf(Map.class);
        long n = 0;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) by).entrySet()) {
            if (cause == null || cause.equals(e.getKey())) {
                n += ((Number) e.getValue()).longValue();
            }
        }
        if (cause != null) {
            assertThat(((Map<?, ?>) by).containsKey(cause))
                    .as("/stats knows the cause " + cause)
                    .isTrue();
        }
        return n;
    }

    private static Socket connect(EchoServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response to a GET /echo?msg=hi: its head, then its body of two bytes. */
    private static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        while (!got.toString().endsWith("\r\n\r\nhi")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a whole response: " + got);
            }
            got.append((char) b);
        }
        return got.toString();
    }

    /** What the server sends until it closes; a reset ends it too. */
    private static String readToEnd(InputStream in) {
        StringBuilder got = new StringBuilder();
        try {
            for (int b; (b = in.read()) >= 0; ) {
                got.append((char) b);
            }
        } catch (IOException reset) {
            // the server's close reset the connection: what came before is all there is
        }
        return got.toString();
    }
}
