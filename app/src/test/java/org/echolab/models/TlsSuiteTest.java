package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.echolab.testing.Trust;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --tls} under every model in {@link Models}, with real clients: curl (trusting the
 * server's self-signed certificate with {@code --cacert}) and {@code openssl s_client}, both child
 * processes. HTTPS and TCP lines over TLS, ALPN, the certificate's fingerprint, and what a client
 * that does not speak TLS (a readable 400 in plaintext), or stops in the middle of the handshake
 * (a closed connection) gets, while other clients are served. A new model is tested here by registering it.
 */
class TlsSuiteTest {

    private static final Map<String, EchoServer> SHARED = new ConcurrentHashMap<>();

    /** One model of each family ({@link ModelSets}): what one connection gets does not depend on how it was accepted. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    /** One TLS server per model, self-signed; a short header timeout, which the handshake must keep too. */
    private static EchoServer server(String model) {
        return SHARED.computeIfAbsent(
                model, m -> Servers.start(Servers.config(m).tls(true).headerTimeout(Duration.ofSeconds(3))));
    }

    @AfterAll
    static void stopShared() {
        SHARED.values().forEach(EchoServer::close);
    }

    private static String url(EchoServer s, String target) {
        return "https://127.0.0.1:" + s.port() + target;
    }

    @ParameterizedTest
    @MethodSource("models")
    void curlGetsAnEchoOverHttpsTrustingTheSelfSignedCertificate(String model) throws Exception {
        EchoServer s = server(model);
        Tools.Result r = Tools.run(
                "curl",
                "-sS",
                "--max-time",
                "20",
                "--cacert",
                s.config().tlsCert,
                "-w",
                "|%{http_version}|%{scheme}",
                url(s, "/echo?msg=over%20tls"));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("over tls|1.1|HTTPS");
    }

    @ParameterizedTest
    @MethodSource("models")
    void thePageAndStatsShowTheConnectionsTls(String model) throws Exception {
        EchoServer s = server(model);
        Tools.Result page = Tools.run("curl", "-sS", "--max-time", "20", "--cacert", s.config().tlsCert, url(s, "/"));
        assertThat(page.status()).as(page.stderr()).isZero();
        assertThat(page.stdout()).contains("This connection: <b>TLSv1.3</b>", "ALPN <code>http/1.1</code>");
        Tools.Result stats =
                Tools.run("curl", "-sS", "--max-time", "20", "--cacert", s.config().tlsCert, url(s, "/stats"));
        assertThat(stats.stdout()).contains("\"certificateSha256\":\"" + fingerprint(s.config().tlsCert) + "\"");
        assertThat(s.startupLine())
                .contains("sha256=" + fingerprint(s.config().tlsCert), "https://127.0.0.1:" + s.port() + "/");
    }

    @ParameterizedTest
    @MethodSource("models")
    void opensslNegotiatesAlpnHttp11AndTls13(String model) throws Exception {
        EchoServer s = server(model);
        Tools.Result r = Tools.runWithInput(
                "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + s.port(),
                "-alpn",
                "http/1.1",
                "-CAfile",
                s.config().tlsCert,
                "-verify_return_error",
                "-ign_eof");
        assertThat(r.stdout())
                .as(r.stderr())
                .contains(
                        "ALPN protocol: http/1.1",
                        "Protocol  : TLSv1.3",
                        "Verify return code: 0 (ok)",
                        "HTTP/1.1 200 OK",
                        "\r\n\r\nok\n");
    }

    @ParameterizedTest
    @MethodSource("models")
    void tls12IsServedToo(String model) throws Exception {
        EchoServer s = server(model);
        Tools.Result r = Tools.run(
                "curl",
                "-sS",
                "--max-time",
                "20",
                "--cacert",
                s.config().tlsCert,
                "--tlsv1.2",
                "--tls-max",
                "1.2",
                "-w",
                "|%{ssl_verify_result}",
                url(s, "/echo?msg=twelve"));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("twelve|0");
    }

    @ParameterizedTest
    @MethodSource("models")
    void tcpLinesComeBackOverTls(String model) throws Exception {
        EchoServer s = server(model);
        // -quiet keeps the connection after stdin ends (-ign_eof): the server's line comes back, then the test ends it
        List<String> lines = Tools.firstLines(
                2,
                "first line\n[wait=50ms] second line\n",
                "openssl",
                "s_client",
                "-quiet",
                "-connect",
                "127.0.0.1:" + s.port(),
                "-CAfile",
                s.config().tlsCert);
        assertThat(lines).containsExactly("first line", "second line");
    }

    @ParameterizedTest
    @MethodSource("models")
    void plainHttpSentToTheTlsPortGetsAReadable400AndOthersAreServed(String model) throws Exception {
        EchoServer s = server(model);
        try (Socket plain = new Socket("127.0.0.1", s.port())) {
            plain.setSoTimeout(20_000);
            plain.getOutputStream()
                    .write("GET /echo?msg=plain HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(readToEnd(plain.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(answer)
                    .as("a 400 in plaintext, then the close")
                    .startsWith("HTTP/1.1 400 Bad Request\r\n")
                    .contains("Connection: close", "the plain HTTP request was sent to an HTTPS port", "Use https://")
                    .doesNotContain("msg=plain");
        }
        Tools.Result r = Tools.run(
                "curl",
                "-sS",
                "--max-time",
                "20",
                "-w",
                "|%{http_code}",
                "http://127.0.0.1:" + s.port() + "/echo?msg=x");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("sent to an HTTPS port").endsWith("|400");
        curlStillServes(s);
    }

    // waits out the header timeout on a connection of its own: its cases run at once, beside the class's others
    @Execution(CONCURRENT)
    @ParameterizedTest
    @MethodSource("models")
    void aHandshakeLeftUnfinishedIsTimedOutAndOthersAreServed(String model) throws Exception {
        EchoServer s = server(model);
        try (Socket stalled = new Socket("127.0.0.1", s.port())) {
            stalled.setSoTimeout(30_000);
            // the start of a TLS record (handshake, TLS 1.0 record version, 80 bytes) and then nothing
            stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x50, 0x01});
            if (!Models.byName(model).traits().oneAtATime()) {
                curlStillServes(s); // meanwhile: only a model that serves one at a time makes others wait
            }
            String answer = new String(readToEnd(stalled.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(answer)
                    .as("closed by the server (at most a TLS alert sent)")
                    .doesNotContain("HTTP/1.1");
        }
        curlStillServes(s);
    }

    /**
     * Hundreds of pipelined requests, each in a TLS record of its own, more than one read of the
     * server takes: what TLS decrypts beyond a read is answered too, in order.
     */
    @ParameterizedTest
    @MethodSource("models")
    void pipelinedRequestsInManyRecordsAreAllAnswered(String model) throws Exception {
        EchoServer s = server(model);
        int n = 400;
        try (SSLSocket c =
                (SSLSocket) Trust.only(s.config().tlsCert).getSocketFactory().createSocket("127.0.0.1", s.port())) {
            c.setSoTimeout(30_000);
            OutputStream out = c.getOutputStream();
            String pad = "p".repeat(100);
            for (int i = 0; i < n; i++) { // each write is one TLS record
                out.write(("GET /echo?msg=m" + i + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + pad
                                + (i == n - 1 ? "\r\nConnection: close" : "") + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            String all = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all.split("HTTP/1.1 200 OK", -1)).hasSize(n + 1);
            assertThat(all.indexOf("\r\n\r\nm398"))
                    .isLessThan(all.indexOf("\r\n\r\nm399"))
                    .isPositive();
        }
    }

    private static void curlStillServes(EchoServer s) throws Exception {
        Tools.Result r =
                Tools.run("curl", "-sS", "--max-time", "20", "--cacert", s.config().tlsCert, url(s, "/echo?msg=still"));
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("still");
    }

    /** Reads until the server closes; a reset (the server closed with bytes unread) ends it too; a read timeout fails. */
    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    /** The certificate's SHA-256 fingerprint as openssl prints it. */
    static String fingerprint(String certFile) throws Exception {
        Tools.Result r = Tools.run("openssl", "x509", "-in", certFile, "-noout", "-fingerprint", "-sha256");
        return r.stdout().trim().replaceFirst("^(?i)sha256 Fingerprint=", "");
    }
}
