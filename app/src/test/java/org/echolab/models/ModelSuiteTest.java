package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.echolab.lab.grade.RawClient.get;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.echolab.lab.grade.RawClient;
import org.echolab.server.EchoServer;
import org.echolab.testing.ModelSets;
import org.echolab.testing.Servers;
import org.echolab.testing.SharedServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One suite for every model in {@link Models}: real sockets on 127.0.0.1, real clients (raw
 * sockets, the JDK HttpClient, curl). A new model is tested by registering it. How requests
 * overlap and a stop drains them is {@link OverlapAndDrainTest}'s.
 */
class ModelSuiteTest {

    private static final SharedServers SHARED = new SharedServers();

    /** One model of each family ({@link ModelSets}): what one connection gets. */
    static Stream<String> models() {
        return ModelSets.families();
    }

    /** Every model: how connections are handed out, overlapped and drained. */
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

    // ---- echo --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("everyModel")
    void echoesAndSaysWhoServed(String model) throws Exception {
        EchoServer server = shared(model);
        HttpResponse<String> r = Servers.httpGet(server.port(), "/echo?msg=hello%20there");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello there");
        assertThat(r.headers().firstValue("X-Echo-Model")).hasValue(model);
        assertThat(r.headers().firstValue("X-Echo-Worker").orElseThrow()).matches("pid=\\d+ thread=.+");
        assertThat(r.headers().firstValue("X-Echo-Request").orElseThrow()).matches("\\d+");
    }

    @ParameterizedTest
    @MethodSource("models")
    void honoursTheWaitFromQueryOrHeader(String model) throws Exception {
        EchoServer server = shared(model);
        long t0 = System.nanoTime();
        assertThat(Servers.httpGet(server.port(), "/echo?msg=w&wait=300ms").body())
                .isEqualTo("w");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .as("not answered before the wait")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        t0 = System.nanoTime();
        HttpResponse<String> r = Servers.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo?msg=h"))
                        .header("X-Echo-Wait", "200ms")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("h");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @ParameterizedTest
    @MethodSource("models")
    void sizedBodiesAndPostBodiesComeBackByteForByte(String model) throws Exception {
        EchoServer server = shared(model);
        HttpResponse<byte[]> sized = Servers.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo?msg=abc&size=100000B"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(sized.body())
                .isEqualTo(org.echolab.protocol.Payload.of("abc".getBytes(StandardCharsets.US_ASCII), 100_000));
        byte[] binary = new byte[70_000];
        new java.util.Random(7).nextBytes(binary);
        HttpResponse<byte[]> posted = Servers.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                        .header("Content-Type", "application/x-test")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(binary))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(posted.body()).isEqualTo(binary);
        assertThat(posted.headers().firstValue("Content-Type")).hasValue("application/x-test");
    }

    @ParameterizedTest
    @MethodSource("models")
    void chunkedBodyAndExpectContinue(String model) throws Exception {
        EchoServer server = shared(model);
        try (RawClient c = new RawClient(server.port())) {
            c.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
            assertThat(c.readResponse().text()).isEqualTo("abcdefg");
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(c.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(c.readLine()).isEmpty();
            c.send("later");
            assertThat(c.readResponse().text()).isEqualTo("later");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void pagesHealthStatsAndUnknownPaths(String model) throws Exception {
        int port = shared(model).port();
        assertThat(Servers.httpGet(port, "/").body()).contains("EchoLab").contains(model);
        assertThat(Servers.httpGet(port, "/health").body()).isEqualTo("ok\n");
        HttpResponse<String> stats = Servers.httpGet(port, "/stats");
        assertThat(stats.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Object> json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(stats.body(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        assertThat(json)
                .containsEntry("model", model)
                .containsKeys("uptimeSeconds", "requestsServed", "connectionsOpen", "connectionsPeak", "threads");
        assertThat(Servers.httpGet(port, "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> put = Servers.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                        .PUT(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
    }

    // ---- connections -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("everyModel")
    void keepAliveServesManyRequestsOnOneConnection(String model) throws Exception {
        try (RawClient c = new RawClient(shared(model).port())) {
            Set<String> workers = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                RawClient.Response r = c.send(get("/echo?msg=k" + i)).readResponse();
                assertThat(r.text()).isEqualTo("k" + i);
                assertThat(r.header("Connection")).isNull();
                workers.add(r.header("X-Echo-Worker"));
            }
            assertThat(workers)
                    .as("a connection is served by one worker (thread, loop or process) for life")
                    .hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void http10ClosesUnlessAskedToKeepAlive(String model) throws Exception {
        int port = shared(model).port();
        try (RawClient c = new RawClient(port)) {
            RawClient.Response r = c.send("GET /echo?msg=old HTTP/1.0\r\n\r\n").readResponse();
            assertThat(r.text()).isEqualTo("old");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(port)) {
            RawClient.Response r = c.send("GET /echo?msg=a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .readResponse();
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
            assertThat(c.send("GET /echo?msg=b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                            .readResponse()
                            .text())
                    .isEqualTo("b");
        }
        try (RawClient c = new RawClient(port)) {
            RawClient.Response r = c.send("GET /echo?msg=c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .readResponse();
            assertThat(r.text()).isEqualTo("c");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void pipelinedRequestsAreAnsweredInOrder(String model) throws Exception {
        try (RawClient c = new RawClient(shared(model).port())) {
            c.send(get("/echo?msg=one&wait=300ms") + get("/echo?msg=two")
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nthree"
                    + get("/echo?msg=four&wait=50ms"));
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(c.readResponse().text());
            }
            assertThat(bodies).containsExactly("one", "two", "three", "four");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void curlGetsEchoesOverOneKeptAliveConnection(String model) throws Exception {
        int port = shared(model).port();
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--max-time",
                        "20",
                        "-w",
                        "|%{num_connects}\\n",
                        "http://127.0.0.1:" + port + "/echo?msg=first&wait=10ms",
                        "http://127.0.0.1:" + port + "/echo?msg=second")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("first|1\nsecond|0\n"); // the second transfer reused the connection
    }

    @ParameterizedTest
    @MethodSource("models")
    void tcpLinesComeBackAfterTheirWait(String model) throws Exception {
        try (RawClient c = new RawClient(shared(model).port())) {
            c.send("hello\r\n[wait=100ms] with a wait\n[work=cpu wait=5ms] cpu\n[wait=forever] x\nbye\n");
            assertThat(c.readLine()).isEqualTo("hello");
            assertThat(c.readLine()).isEqualTo("with a wait");
            assertThat(c.readLine()).isEqualTo("cpu");
            assertThat(c.readLine()).startsWith("ERR bad wait");
            assertThat(c.readLine()).isEqualTo("bye");
            c.send("x".repeat(9000) + "\n");
            assertThat(c.readLine()).startsWith("ERR line longer than 8192 bytes");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    // ---- bad input ---------------------------------------------------------------------------

    static Stream<Arguments> badInputs() {
        List<Arguments> cases = List.of(
                Arguments.of("request line over 8 KiB", get("/echo?msg=" + "a".repeat(9000)), 414),
                Arguments.of(
                        "headers over 32 KiB",
                        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "v".repeat(33_000) + "\r\n\r\n",
                        431),
                Arguments.of(
                        "over 100 header fields",
                        "GET / HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(101) + "\r\n",
                        431),
                Arguments.of(
                        "body over 1 MiB", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
                Arguments.of("wait above --max-wait", get("/echo?msg=x&wait=11s"), 400),
                Arguments.of("malformed wait", get("/echo?msg=x&wait=soon"), 400),
                Arguments.of("malformed request", "GET /echo\r\n\r\n", 400),
                Arguments.of(
                        "unsupported transfer coding",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                        501),
                Arguments.of("unknown HTTP version", "GET /echo HTTP/3.0\r\nHost: x\r\n\r\n", 505),
                Arguments.of(
                        "Content-Length with Transfer-Encoding",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400),
                Arguments.of(
                        "repeated Content-Length",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
                        400),
                Arguments.of(
                        "bad Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: two\r\n\r\n", 400),
                Arguments.of("missing Host on HTTP/1.1", "GET /echo?msg=x HTTP/1.1\r\n\r\n", 400),
                Arguments.of("repeated Host", "GET /echo?msg=x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400));
        return models().flatMap(m -> cases.stream().map(c -> Arguments.of(m, c.get()[0], c.get()[1], c.get()[2])));
    }

    @ParameterizedTest(name = "{0}: {1} -> {3}")
    @MethodSource("badInputs")
    void badInputGetsItsStatusAndOthersAreStillServed(String model, String what, String request, int status)
            throws Exception {
        EchoServer server = shared(model);
        try (RawClient c = new RawClient(server.port())) {
            RawClient.Response r = c.send(request).readResponse();
            assertThat(r.status()).as(what).isEqualTo(status);
            assertThat(r.text()).as("says why").startsWith(status + " ").contains(": ");
            if (status != 400 || !what.contains("wait")) {
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(c.closedByServer())
                        .as("closes after a malformed request")
                        .isTrue();
            } else {
                assertThat(c.send(get("/echo?msg=after")).readResponse().text())
                        .as("a refused wait keeps the connection")
                        .isEqualTo("after");
            }
        }
        assertThat(Servers.httpGet(server.port(), "/echo?msg=still").body()).isEqualTo("still");
    }

    @ParameterizedTest
    @MethodSource("everyModel")
    void aStalledClientDoesNotHoldUpOthers(String model) throws Exception {
        assumeFalse(
                model.equals("sequential"),
                "one connection at a time is sequential's point: a stalled client does hold it up");
        EchoServer server = shared(model);
        try (RawClient stalled = new RawClient(server.port())) {
            stalled.send("GET /echo?msg=never HTTP/1.1\r\nHost: x\r\n"); // headers never finish
            for (int i = 0; i < 3; i++) {
                assertThat(Servers.httpGet(server.port(), "/echo?msg=other" + i).body())
                        .isEqualTo("other" + i);
            }
        }
    }
}
