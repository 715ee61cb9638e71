package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.service.Faults;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a client's own tests ask of the server, under every model in {@link Models}: {@code /anything}
 * (the request as JSON), faults on request (a status, seeded failures, jitter, a dripped body, a
 * close or reset before or in the middle of the response) and TCP lines echoed with the ending
 * they came with. Real sockets on 127.0.0.1 with raw sockets and curl; outcomes, never timings.
 */
class ClientTestingSuiteTest {

    private static final Map<String, EchoServer> SHARED = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One model of each family ({@link ModelSets}): what one connection gets does not depend on how it was accepted. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    private static EchoServer shared(String model) {
        return SHARED.computeIfAbsent(model, m -> Servers.start(Servers.config(m)));
    }

    @AfterAll
    static void stopShared() {
        SHARED.values().forEach(EchoServer::close);
    }

    @ParameterizedTest
    @MethodSource("models")
    void anythingAnswersTheRequestAsJsonWithHeadersInTheirOrderAndCase(String model) throws Exception {
        EchoServer server = shared(model);
        byte[] binary = {(byte) 0xff, 0, 'a', (byte) 0x80};
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(("PUT /anything/x?a=1&b=two%20words&a=2 HTTP/1.1\r\nhost: here\r\nX-Mixed-CASE: one\r\n"
                                    + "x-mixed-case: two\r\nContent-Length: 4\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(binary);
            JsonNode json = JSON.readTree(body(s.getInputStream()));

            assertThat(json.get("method").asText()).isEqualTo("PUT");
            assertThat(json.get("target").asText()).isEqualTo("/anything/x?a=1&b=two%20words&a=2");
            assertThat(json.get("path").asText()).isEqualTo("/anything/x");
            assertThat(json.get("query").toString()).isEqualTo("{\"a\":[\"1\",\"2\"],\"b\":[\"two words\"]}");
            assertThat(json.get("headerLines").toString())
                    .isEqualTo("[{\"name\":\"host\",\"value\":\"here\"},"
                            + "{\"name\":\"X-Mixed-CASE\",\"value\":\"one\"},{\"name\":\"x-mixed-case\",\"value\":\"two\"},"
                            + "{\"name\":\"Content-Length\",\"value\":\"4\"}]");
            assertThat(json.get("bodyEncoding").asText()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(json.get("body").asText())).isEqualTo(binary);
            assertThat(json.get("peer").get("address").asText()).isEqualTo("127.0.0.1");
            assertThat(json.get("peer").get("port").asInt()).isEqualTo(s.getLocalPort());
            assertThat(json.get("protocol").asText()).isEqualTo("HTTP/1.1");
            assertThat(json.get("tls").isNull()).isTrue();
            assertThat(json.get("servedBy").get("model").asText()).isEqualTo(model);
            assertThat(json.get("servedBy").get("worker").asText()).matches("pid=\\d+ thread=.+");
            assertThat(json.get("servedBy").get("request").asLong()).isPositive();
            assertThat(json.get("servedBy").get("onConnection").asLong()).isEqualTo(1);
        }
    }

    /** The n-th request on a connection with seed 42 fails or not as {@link Faults#picked} says, under every model. */
    @ParameterizedTest
    @MethodSource("models")
    void seededFailuresFallOnTheSameRequestsUnderEveryModel(String model) throws Exception {
        EchoServer server = shared(model);
        List<Integer> expected = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        try (RawClient c = new RawClient(server.port())) {
            for (int n = 1; n <= 30; n++) {
                expected.add(Faults.picked(42, n, 0.3) ? 503 : 200);
                RawClient.Response r = c.send(RawClient.get("/echo?msg=m" + n + "&fail=0.3&seed=42&status=503"))
                        .readResponse();
                got.add(r.status());
                assertThat(r.text())
                        .as("the same answer, with the status asked for")
                        .isEqualTo("m" + n);
                assertThat(r.header("X-Echo-Seed")).isEqualTo("42");
                assertThat(r.header("X-Echo-On-Connection")).isEqualTo(Integer.toString(n));
            }
        }
        assertThat(got).isEqualTo(expected).contains(200, 503);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aChosenStatusJitterAndBadValues(String model) throws Exception {
        EchoServer server = shared(model);
        try (RawClient c = new RawClient(server.port())) {
            RawClient.Response r = c.send(RawClient.get("/echo?msg=x&status=418&jitter=0ms*1,30ms*1&seed=5"))
                    .readResponse();
            assertThat(r.status()).isEqualTo(418);
            assertThat(r.reason()).isEqualTo("I'm a teapot");
            assertThat(r.header("X-Echo-Seed")).isEqualTo("5");
            r = c.send("GET /echo?msg=x HTTP/1.1\r\nHost: h\r\nX-Echo-Status: 204\r\n\r\n")
                    .readResponse();
            assertThat(r.status()).as("a fault may come in a header").isEqualTo(204);
            assertThat(r.header("Content-Length")).as("204 has no body").isNull();
            r = c.send(RawClient.get("/echo?msg=x&status=99")).readResponse();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text())
                    .isEqualTo("400 Bad Request: status must be a whole number from 200 to 599 (got '99')\n");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aDrippedBodyComesInChunksThenCurlHasItWhole(String model) throws Exception {
        EchoServer server = shared(model);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(RawClient.get("/echo?msg=hello-world&drip=3&interval=20ms")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(readUntil(s.getInputStream(), "0\r\n\r\n"), StandardCharsets.ISO_8859_1);
            assertThat(all)
                    .startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Transfer-Encoding: chunked\r\n")
                    .doesNotContain("Content-Length")
                    .endsWith("\r\n\r\n3\r\nhel\r\n4\r\nlo-w\r\n4\r\norld\r\n0\r\n\r\n");
        }
        Curl curl = curl("http://127.0.0.1:" + server.port() + "/echo?msg=dripped&drip=7&interval=10ms");
        assertThat(curl.exit).isZero();
        assertThat(curl.out).isEqualTo("dripped");
    }

    /** curl's own exit codes name what it saw: 52 nothing, 18 a body cut short, 56 a reset. */
    @ParameterizedTest
    @MethodSource("models")
    void closesAndResetsBeforeAndInTheMiddleAsCurlSeesThem(String model) throws Exception {
        EchoServer server = shared(model);
        String base = "http://127.0.0.1:" + server.port() + "/echo?msg=0123456789&";
        assertThat(curl(base + "close=before").exit).as("empty reply").isEqualTo(52);
        Curl middle = curl(base + "close=middle");
        assertThat(middle.exit).as("partial file").isEqualTo(18);
        assertThat(middle.out).isEqualTo("01234");
        assertThat(curl(base + "reset=before").exit).as("connection reset").isEqualTo(56);
        assertThat(curl(base + "reset=middle&drip=4&interval=10ms").exit)
                .as("connection reset")
                .isEqualTo(56);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(RawClient.get("/echo?msg=x&reset=before").getBytes(StandardCharsets.ISO_8859_1));
            assertThatThrownBy(() -> s.getInputStream().read())
                    .as("a reset, not an orderly end")
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void tcpLinesKeepTheirEndingAndALastLineWithoutOneComesBack(String model) throws Exception {
        EchoServer server = shared(model);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("one\r\ntwo\nthree".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("one\r\ntwo\nthree");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** The body of one Content-Length response. */
    private static byte[] body(InputStream in) throws IOException {
        String head = new String(readUntil(in, "\r\n\r\n"), StandardCharsets.ISO_8859_1);
        int at = head.toLowerCase().indexOf("content-length:");
        int length = Integer.parseInt(
                head.substring(at + 15, head.indexOf("\r\n", at)).strip());
        return in.readNBytes(length);
    }

    private static byte[] readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] e = end.getBytes(StandardCharsets.ISO_8859_1);
        for (int b; (b = in.read()) >= 0; ) {
            out.write(b);
            byte[] sofar = out.toByteArray();
            if (sofar.length >= e.length
                    && java.util.Arrays.equals(sofar, sofar.length - e.length, sofar.length, e, 0, e.length)) {
                return sofar;
            }
        }
        throw new IOException("ended before '" + end.strip() + "': " + out.toString(StandardCharsets.ISO_8859_1));
    }

    private record Curl(int exit, String out) {}

    private static Curl curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "30", url)
                .redirectErrorStream(false)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(40, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl " + url + " did not finish");
        }
        return new Curl(p.exitValue(), out);
    }
}
