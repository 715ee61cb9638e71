package org.echolab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.echolab.models.Models;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.echolab.testing.Trust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --tls-port}: plain HTTP on {@code --port} and HTTPS on the TLS port from one server, with
 * real clients (curl, the JDK's HttpClient, {@code openssl s_client}): one model, one state and
 * one set of counts, and one drain that answers a request in flight on each port. A model that
 * serves one connection at a time is refused.
 */
// each case runs a server of its own, and waits out a drain: the cases run at once
@Execution(CONCURRENT)
@Timeout(180)
class TlsPortTest {

    /** One model of each family that can serve two ports: all but those that serve one connection at a time. */
    static Stream<String> models() {
        return ModelSets.families().filter(m -> !Models.byName(m).traits().oneAtATime());
    }

    private static EchoServer start(String model) {
        return Servers.start(Servers.config(model).tlsPort(0));
    }

    @ParameterizedTest
    @MethodSource("models")
    void servesHttpOnThePortAndHttpsOnTheTlsPortWithOneCount(String model) throws Exception {
        try (EchoServer server = start(model)) {
            assertThat(server.tlsPort()).isPositive().isNotEqualTo(server.port());
            assertThat(server.startupLine())
                    .contains(
                            "listening on 127.0.0.1:" + server.port() + " and 127.0.0.1:" + server.tlsPort() + " (TLS)")
                    .contains(" http://127.0.0.1:" + server.port() + "/ https://127.0.0.1:" + server.tlsPort() + "/");
            String cert = server.config().tlsCert;

            Tools.Result plain =
                    Tools.run("curl", "-sS", "--max-time", "30", "http://127.0.0.1:" + server.port() + "/echo?msg=a");
            assertThat(plain.stdout()).as(plain.stderr()).isEqualTo("a");
            Tools.Result secure = Tools.run(
                    "curl",
                    "-sS",
                    "--max-time",
                    "30",
                    "--cacert",
                    cert,
                    "https://127.0.0.1:" + server.tlsPort() + "/echo?msg=b");
            assertThat(secure.stdout()).as(secure.stderr()).isEqualTo("b");
            try (HttpClient client = HttpClient.newBuilder()
                    .sslContext(Trust.only(cert))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.tlsPort() + "/anything"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("TLSv1.3");
            }
            Tools.Result viaOpenssl = Tools.runWithInput(
                    "GET /echo?msg=via-openssl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + server.tlsPort(),
                    "-CAfile",
                    cert,
                    "-verify_return_error",
                    "-ign_eof");
            assertThat(viaOpenssl.stdout())
                    .as(viaOpenssl.stderr())
                    .contains("Verify return code: 0 (ok)", "HTTP/1.1 200 OK", "via-openssl");
            // one state, one count: both ports' four requests, whichever instance (or process) served them
            await().atMost(30, TimeUnit.SECONDS)
                    .untilAsserted(() ->
                            assertThat(Servers.stat(server, "requestsServed")).isEqualTo(4));

            // plain HTTP to the TLS port is told so
            Tools.Result wrongWay = Tools.run(
                    "curl", "-sS", "--max-time", "30", "http://127.0.0.1:" + server.tlsPort() + "/echo?msg=c");
            assertThat(wrongWay.stdout()).contains("400 Bad Request: this port speaks TLS");
            assertThat(server.stats()).containsKey("tls");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void oneDrainAnswersTheRequestInFlightOnEachPortThenBothPortsAreClosed(String model) throws Exception {
        EchoServer server = start(model);
        int port = server.port();
        int tlsPort = server.tlsPort();
        SSLContext trust = Trust.only(server.config().tlsCert);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<String> onPlain = CompletableFuture.supplyAsync(
                    () -> exchange(() -> new Socket("127.0.0.1", port), "plain"), clients);
            CompletableFuture<String> onTls = CompletableFuture.supplyAsync(
                    () -> exchange(() -> trust.getSocketFactory().createSocket("127.0.0.1", tlsPort), "tls"), clients);
            await().atMost(60, TimeUnit.SECONDS).until(() -> Servers.stat(server, "requestsInFlight") == 2);

            server.close(); // the drain: both requests in flight finish, then both ports are closed

            assertThat(onPlain.get(30, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("plain");
            assertThat(onTls.get(30, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("tls");
            Servers.assertNotListening(port, "the plain port after close");
            Servers.assertNotListening(tlsPort, "the TLS port after close");
        } finally {
            server.close();
        }
    }

    /**
     * Sends a request that waits 5 s and reads its answer to the end (the drain closes the
     * connection). 5 s: the two requests must be in flight together, and the second may wait for a
     * TLS handshake in a worker JVM that has not run one yet, on a busy machine.
     */
    private static String exchange(SocketMaker connect, String msg) {
        try (Socket s = connect.make()) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET /echo?msg=" + msg + "&wait=5s HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Opens a connection (a plain or a TLS socket). */
    private interface SocketMaker {
        Socket make() throws IOException;
    }

    @Test
    void theTwoInstancesFiguresAreAddedUpButNotTheirPids() {
        Map<String, Object> plain = Map.of(
                "requestsServed",
                3L,
                "workers",
                2,
                "workerModel",
                "pool",
                "processTree",
                Map.of("role", "parent", "parentPid", 42L, "live", 2L));
        Map<String, Object> tls = Map.of(
                "requestsServed",
                5L,
                "workers",
                2,
                "workerModel",
                "pool",
                "processTree",
                Map.of("role", "parent", "parentPid", 42L, "live", 1L));

        assertThat(EchoServer.added(plain, tls))
                .containsEntry("requestsServed", 8L)
                .containsEntry("workers", 4L)
                .containsEntry("workerModel", "pool")
                .containsEntry("processTree", Map.of("role", "parent", "parentPid", 42L, "live", 3L));
    }

    @Test
    void aModelThatServesOneConnectionAtATimeIsRefused() {
        assertThatThrownBy(() ->
                        EchoServer.start(Servers.config("sequential").tlsPort(0).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-port: --model sequential serves one connection at a time")
                .hasMessageContaining("use --tls");
    }
}
