package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * go-httpbin's routes and CORS under every model in {@link Models}, as an HTTP client's own test
 * suite uses them: the JDK's HttpClient (and curl) against one server per model, asserting the
 * status codes, headers and JSON fields that go-httpbin answers with. The values expected are
 * go-httpbin's, read from its handlers.go, responses.go and middleware.go.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpbinSuiteTest {

    private static final Map<String, EchoServer> SHARED = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json; charset=utf-8";

    static Stream<String> models() {
        return Models.names().stream();
    }

    private static EchoServer shared(String model) {
        return SHARED.computeIfAbsent(model, m -> Servers.start(Servers.config(m)));
    }

    @AfterAll
    static void stopShared() {
        CLIENT.close();
        SHARED.values().forEach(EchoServer::close);
    }

    /**
     * One client for every case: its requests to a server share one keep-alive connection, so a
     * process model starts few children, and {@code sequential}, which serves one connection at a
     * time, is not left waiting for another client's idle one to time out.
     */
    private static final HttpClient CLIENT = client();

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    private static HttpRequest.Builder at(EchoServer s, String target) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + target))
                .timeout(Duration.ofSeconds(30));
    }

    private static HttpResponse<byte[]> send(HttpClient c, HttpRequest.Builder r)
            throws IOException, InterruptedException {
        return c.send(r.build(), BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValue(JSON_TYPE);
        return JSON.readTree(r.body());
    }

    @ParameterizedTest
    @MethodSource("models")
    void theRequestAsJsonByMethodWithBodiesFormsAndJson(String model) throws Exception {
        EchoServer s = shared(model);
        HttpClient c = CLIENT;

        HttpResponse<byte[]> r = send(c, at(s, "/get?a=1&a=2&b=two%20words").header("X-Mixed-CASE", "v"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode get = json(r);
        assertThat(get.get("args").toString()).isEqualTo("{\"a\":[\"1\",\"2\"],\"b\":[\"two words\"]}");
        assertThat(get.get("headers").get("X-Mixed-Case").toString()).isEqualTo("[\"v\"]");
        assertThat(get.get("headers").get("Host").get(0).asText()).isEqualTo("127.0.0.1:" + s.port());
        assertThat(get.get("method").asText()).isEqualTo("GET");
        assertThat(get.get("origin").asText()).isEqualTo("127.0.0.1");
        assertThat(get.get("url").asText()).isEqualTo("http://127.0.0.1:" + s.port() + "/get?a=1&a=2&b=two%20words");
        assertThat(get.has("data")).as("GET has no body fields").isFalse();

        r = send(
                c,
                at(s, "/post?x=y")
                        .header("Content-Type", "application/json")
                        .POST(BodyPublishers.ofString("{\"k\":[1,true]}")));
        JsonNode post = json(r);
        assertThat(post.get("json").toString()).isEqualTo("{\"k\":[1,true]}");
        assertThat(post.get("data").asText()).isEqualTo("{\"k\":[1,true]}");
        assertThat(post.get("form").toString()).isEqualTo("{}");
        assertThat(post.get("files").toString()).isEqualTo("{}");
        assertThat(post.get("args").toString()).isEqualTo("{\"x\":[\"y\"]}");

        r = send(
                c,
                at(s, "/put")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .PUT(BodyPublishers.ofString("f=1&g=h%20i")));
        assertThat(json(r).get("form").toString()).isEqualTo("{\"f\":[\"1\"],\"g\":[\"h i\"]}");
        r = send(
                c,
                at(s, "/patch")
                        .header("Content-Type", "image/png")
                        .method("PATCH", BodyPublishers.ofByteArray(new byte[] {1, 2, 3})));
        assertThat(json(r).get("data").asText()).isEqualTo("data:image/png;base64,AQID");
        r = send(c, at(s, "/delete").DELETE());
        JsonNode delete = json(r);
        assertThat(delete.get("method").asText()).isEqualTo("DELETE");
        assertThat(delete.get("json").isNull()).isTrue();

        r = send(
                c,
                at(s, "/post").header("Content-Type", "application/json").POST(BodyPublishers.ofString("{not json")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("Bad Request");
        r = send(c, at(s, "/post"));
        assertThat(r.statusCode()).as("GET /post").isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        r = send(c, at(s, "/get").DELETE());
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");

        r = send(
                c,
                at(s, "/anything/x?q=1")
                        .header("Content-Type", "application/json")
                        .PUT(BodyPublishers.ofString("[1]")));
        JsonNode any = json(r);
        assertThat(any.get("method").asText()).isEqualTo("PUT");
        assertThat(any.get("json").toString()).isEqualTo("[1]");
        assertThat(any.get("args").toString()).isEqualTo("{\"q\":[\"1\"]}");
        assertThat(any.get("url").asText()).endsWith("/anything/x?q=1");
        assertThat(any.get("servedBy").get("model").asText())
                .as("EchoLab's fields too")
                .isEqualTo(model);

        r = send(c, at(s, "/headers").header("X-A", "1"));
        assertThat(json(r).get("headers").get("X-A").toString()).isEqualTo("[\"1\"]");
        r = send(c, at(s, "/ip").header("X-Forwarded-For", "203.0.113.9, 10.0.0.1"));
        assertThat(json(r).get("origin").asText()).isEqualTo("203.0.113.9");
        r = send(c, at(s, "/ip?format=text"));
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("127.0.0.1\n");
        r = send(c, at(s, "/user-agent").header("User-Agent", "suite/1.0"));
        assertThat(json(r).toString()).isEqualTo("{\"user-agent\":\"suite/1.0\"}");
        r = send(c, at(s, "/uuid"));
        assertThat(json(r).get("uuid").asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        r = send(c, at(s, "/nope"));
        assertThat(r.statusCode()).as("what is neither httpbin's nor EchoLab's").isEqualTo(404);
    }

    @ParameterizedTest
    @MethodSource("models")
    void statusesRedirectsCookiesAuthAndCompressedBodies(String model) throws Exception {
        EchoServer s = shared(model);
        HttpClient c = CLIENT;

        HttpResponse<byte[]> r = send(c, at(s, "/status/418"));
        assertThat(r.statusCode()).isEqualTo(418);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("I'm a teapot!");
        assertThat(r.headers().firstValue("X-More-Info")).hasValue("http://tools.ietf.org/html/rfc2324");
        assertThat(send(c, at(s, "/status/204")).statusCode()).isEqualTo(204);
        r = send(c, at(s, "/status/401"));
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Fake Realm\"");
        r = send(c, at(s, "/status/302"));
        assertThat(r.headers().firstValue("Location")).hasValue("/redirect/1");
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            picked.add(send(c, at(s, "/status/201:1,503:1,404:0")).statusCode());
        }
        assertThat(picked).doesNotContain(404).containsOnly(201, 503);
        r = send(c, at(s, "/status/99"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = json(r);
        assertThat(error.get("status_code").asInt()).isEqualTo(400);
        assertThat(error.get("detail").asText()).contains("99");
        assertThat(send(c, at(s, "/status/abc")).statusCode()).isEqualTo(400);

        r = send(c, at(s, "/redirect/3"));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/relative-redirect/2");
        r = send(c, at(s, "/redirect/2?absolute=true"));
        assertThat(r.headers().firstValue("Location"))
                .hasValue("http://127.0.0.1:" + s.port() + "/absolute-redirect/1");
        List<String> hops = new ArrayList<>();
        for (String target = "/redirect/3"; (r = send(c, at(s, target))).statusCode() == 302; ) {
            target = r.headers().firstValue("Location").orElseThrow();
            hops.add(target);
        }
        assertThat(hops)
                .as("followed to the end")
                .containsExactly("/relative-redirect/2", "/relative-redirect/1", "/get");
        assertThat(json(r).get("url").asText()).endsWith("/get");
        assertThat(send(c, at(s, "/redirect/0")).statusCode()).isEqualTo(400);
        r = send(c, at(s, "/redirect-to?url=/get&status_code=307"));
        assertThat(r.statusCode()).isEqualTo(307);
        assertThat(r.headers().firstValue("Location")).hasValue("/get");
        r = send(c, at(s, "/redirect-to?url=https%3A%2F%2Fexample.com%2F"));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("https://example.com/");
        // a URL that would end the Location header and start another (response splitting): one line
        r = send(c, at(s, "/redirect-to?url=/a%0D%0AX-Injected:%201"));
        assertThat(r.headers().firstValue("X-Injected")).isEmpty();
        assertThat(r.headers().firstValue("Location")).hasValue("/a  X-Injected: 1");
        assertThat(send(c, at(s, "/cookies/set?k=v%0D%0AX-Injected:%201"))
                        .headers()
                        .firstValue("X-Injected"))
                .isEmpty();
        assertThat(send(c, at(s, "/redirect-to")).statusCode()).isEqualTo(400);
        assertThat(send(c, at(s, "/redirect-to?url=elsewhere")).statusCode()).isEqualTo(403);
        assertThat(send(c, at(s, "/redirect-to?url=/get&status_code=200")).statusCode())
                .isEqualTo(400);

        r = send(c, at(s, "/cookies/set?k1=v1&k2=v2"));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/cookies");
        assertThat(r.headers().allValues("Set-Cookie"))
                .containsExactly("k1=v1; Path=/; HttpOnly", "k2=v2; Path=/; HttpOnly");
        r = send(c, at(s, "/cookies/delete?k1"));
        assertThat(r.headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("k1=; Path=/; Expires=")
                .contains("; Max-Age=0; HttpOnly");
        r = send(c, at(s, "/cookies").header("Cookie", "a=1; b=\"two\""));
        assertThat(json(r).toString()).isEqualTo("{\"cookies\":{\"a\":\"1\",\"b\":\"two\"}}");

        String basic = "Basic " + Base64.getEncoder().encodeToString("me:secret".getBytes(StandardCharsets.UTF_8));
        r = send(c, at(s, "/basic-auth/me/secret").header("Authorization", basic));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).toString()).isEqualTo("{\"authenticated\":true,\"user\":\"me\",\"authorized\":true}");
        r = send(c, at(s, "/basic-auth/me/other").header("Authorization", basic));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Fake Realm\"");
        assertThat(json(r).get("authenticated").asBoolean()).isFalse();
        assertThat(send(c, at(s, "/basic-auth/me/secret")).statusCode())
                .as("no credentials")
                .isEqualTo(401);

        r = send(c, at(s, "/gzip"));
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        JsonNode gzip = JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(r.body())));
        assertThat(gzip.get("gzipped").asBoolean()).isTrue();
        assertThat(gzip.get("method").asText()).isEqualTo("GET");
        r = send(c, at(s, "/deflate"));
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("deflate");
        assertThat(JSON.readTree(new InflaterInputStream(new ByteArrayInputStream(r.body())))
                        .get("deflated")
                        .asBoolean())
                .isTrue();

        r = send(c, at(s, "/bytes/1000?seed=7"));
        assertThat(r.body()).hasSize(1000);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(send(c, at(s, "/bytes/1000?seed=7")).body())
                .as("the same seed, the same bytes")
                .isEqualTo(r.body());
        assertThat(send(c, at(s, "/bytes/1000?seed=8")).body()).isNotEqualTo(r.body());
        r = send(c, at(s, "/bytes/2000000000"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains("not in range [1, 1048576]", "--max-body");

        r = send(c, at(s, "/stream/3?x=1"));
        assertThat(r.headers().firstValue("Transfer-Encoding"))
                .as("flushed line by line")
                .hasValue("chunked");
        String[] lines = new String(r.body(), StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode line = JSON.readTree(lines[i]);
            assertThat(line.get("id").asInt()).isEqualTo(i);
            assertThat(line.get("args").toString()).isEqualTo("{\"x\":[\"1\"]}");
        }
        assertThat(send(c, at(s, "/stream/1000")).body())
                .as("at most 100 lines")
                .asString(StandardCharsets.UTF_8)
                .hasLineCount(100);
    }

    /** {@code /delay} and {@code /drip} wait as {@code /echo?wait=} does, within --max-wait; times only as lower bounds. */
    @ParameterizedTest
    @MethodSource("models")
    void delayAndDripWaitWithinMaxWait(String model) throws Exception {
        EchoServer s = shared(model);
        HttpClient c = CLIENT;
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = send(c, at(s, "/delay/0.3?x=1"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("args").toString()).isEqualTo("{\"x\":[\"1\"]}");
        assertThat(r.headers().firstValue("Server-Timing")).hasValue("initial_delay;dur=300.00;desc=\"initial delay\"");
        assertThat(send(c, at(s, "/delay/200ms")).statusCode())
                .as("a unit may be given")
                .isEqualTo(200);
        r = send(c, at(s, "/delay/11"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains("11s", "--max-wait of 10s");

        t0 = System.nanoTime();
        HttpResponse<InputStream> drip =
                c.send(at(s, "/drip?duration=0.4&delay=0.1&numbytes=5&code=201").build(), BodyHandlers.ofInputStream());
        assertThat(drip.statusCode()).isEqualTo(201);
        assertThat(drip.headers().firstValue("Content-Length"))
                .as("not chunked")
                .hasValue("5");
        assertThat(drip.headers().firstValue("Server-Timing").orElseThrow()).contains("pause_per_write;dur=100.00");
        try (InputStream in = drip.body()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("*****");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        r = send(c, at(s, "/drip?duration=6&delay=5"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains("too much time", "--max-wait");
    }

    /** CORS as go-httpbin's middleware does it: on every response, and OPTIONS on any path answered as a preflight. */
    @ParameterizedTest
    @MethodSource("models")
    void corsOnEveryResponseAndPreflightOnAnyPath(String model) throws Exception {
        EchoServer s = shared(model);
        HttpClient c = CLIENT;
        HttpResponse<byte[]> r = send(
                c,
                at(s, "/anything")
                        .method("OPTIONS", BodyPublishers.noBody())
                        .header("Origin", "https://app.example")
                        .header("Access-Control-Request-Method", "PUT")
                        .header("Access-Control-Request-Headers", "X-Token, Content-Type"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods"))
                .hasValue("GET, POST, HEAD, PUT, DELETE, PATCH, OPTIONS");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).hasValue("X-Token, Content-Type");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).hasValue("3600");
        r = send(c, at(s, "/echo").method("OPTIONS", BodyPublishers.noBody()));
        assertThat(r.statusCode()).as("on EchoLab's own paths too").isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers"))
                .as("none asked for")
                .isEmpty();
        r = send(c, at(s, "/echo?msg=hi"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        r = send(c, at(s, "/status/500").header("Origin", "http://o.example"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://o.example");
    }

    /**
     * The event loop waits out {@code /delay} with timers: four requests on one loop are all in
     * flight at once, which a loop blocked in a sleep could not parse.
     */
    @Test
    void theEventLoopWaitsOutDelaysWithTimersNotItsThread() throws Exception {
        try (EchoServer s = Servers.start(Servers.config("eventloop").loops(1));
                HttpClient c = client()) {
            List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pending.add(c.sendAsync(at(s, "/delay/5").build(), BodyHandlers.ofByteArray()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Servers.stat(s, "requestsInFlight") == 4);
            for (CompletableFuture<HttpResponse<byte[]>> p : pending) {
                assertThat(p.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
    }

    /**
     * A body is held under --memory-budget like any reply: with 64 KiB of budget, 32 KiB of random
     * bytes are served and 100 KiB are refused with a 503; a drip's pieces count too.
     */
    @Test
    void bodiesAreHeldWithinTheMemoryBudget() throws Exception {
        try (EchoServer s = Servers.start(Servers.config("virtual").memoryBudget(64 * 1024));
                HttpClient c = client()) {
            assertThat(send(c, at(s, "/bytes/32768")).body()).hasSize(32768);
            HttpResponse<byte[]> r = send(c, at(s, "/bytes/102400"));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("--memory-budget");
            r = send(c, at(s, "/drip?duration=0.1&delay=0&numbytes=102400"));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Servers.stat(s, "bytesHeld")).as("all given back").isZero();
        }
    }

    /** curl's own view: followed redirects, decompression and a multipart upload, as a client's test script would run them. */
    @Test
    void curlFollowsRedirectsAndDecompresses() throws Exception {
        EchoServer s = shared("eventloop");
        String base = "http://127.0.0.1:" + s.port();
        Tools.Result r = Tools.run(
                "curl",
                "-sS",
                "-L",
                "--compressed",
                "--max-time",
                "20",
                "-w",
                "\n%{http_code} %{num_redirects}",
                base + "/redirect/2");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("\"url\" : \"" + base + "/get\"").endsWith("\n200 2");
        r = Tools.run("curl", "-sS", "--compressed", "--max-time", "20", base + "/gzip");
        assertThat(r.stdout()).contains("\"gzipped\" : true");
        r = Tools.runWithInput(
                "file content\n",
                "curl",
                "-sS",
                "--max-time",
                "20",
                "-F",
                "a=1",
                "-F",
                "f=@-;filename=notes.txt",
                base + "/post");
        JsonNode post = JSON.readTree(r.stdout());
        assertThat(post.get("form").toString()).isEqualTo("{\"a\":[\"1\"]}");
        assertThat(post.get("files").toString()).isEqualTo("{\"f\":[\"file content\\n\"]}");
    }
}
