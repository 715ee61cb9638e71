package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.echolab.service.Faults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator against any path of the real EchoServer: a msg in the target is the client's
 * message, every endpoint gets the verification it can have, and a server's seeded failures are
 * counted exactly.
 */
class AnyTargetTest {

    private static EchoServer server;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build());
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static LoadResult run(LoadSpec.Builder b) throws LoadException {
        return LoadGenerator.run(b.build(), null);
    }

    private static LoadSpec.Builder to(String target) {
        return LoadSpec.builder(URI.create(target)).connections(2).requests(100);
    }

    @Test
    void aHealthyServerAnswersEveryTargetWithoutError() throws LoadException {
        for (String target : new String[] {
            base + "/echo?msg=hi",
            base + "/echo?msg=h%C3%A9llo%20there&wait=0",
            base + "/health",
            base + "/",
            base,
            base + "/anything?x=1"
        }) {
            LoadResult r = run(to(target));
            assertThat(r.errorsByKind()).as(target).isEmpty();
            assertThat(r.requests()).as(target).isEqualTo(100);
            assertThat(r.statuses()).as(target).isEqualTo(Map.of(200, 100L));
        }
        assertThat(to(base + "/echo?msg=hi").build().verify()).isEqualTo(LoadSpec.Verify.ECHO);
        assertThat(to(base + "/health").build().verify()).isEqualTo(LoadSpec.Verify.STATUS);
        assertThat(to(base).build().verify()).as("no path: /echo").isEqualTo(LoadSpec.Verify.ECHO);
    }

    /** One connection, so the n-th request of the run is the n-th on its connection, which the server's seed decides by. */
    @Test
    void seededFailuresAreCountedExactly() throws LoadException {
        long expected = 0;
        for (long n = 1; n <= 500; n++) {
            expected += Faults.picked(42, n, 0.1) ? 1 : 0;
        }
        LoadResult r = run(LoadSpec.builder(URI.create(base + "/echo?msg=hi&fail=0.1&seed=42"))
                .connections(1)
                .requests(500));

        assertThat(r.errorsByKind()).isEqualTo(Map.of("status-500", expected));
        assertThat(r.requests()).isEqualTo(500 - expected);
        assertThat(r.statuses()).isEqualTo(Map.of(200, 500 - expected, 500, expected));
        assertThat(r.connectionsOpened())
                .as("a 500 does not cost the connection")
                .isEqualTo(1);
        assertThat(expected).as("about a tenth").isBetween(30L, 70L);
    }

    @Test
    void methodHeadersAndBodyAreSentAndTheBodyIsTheEcho() throws LoadException {
        LoadResult posted = run(to(base + "/echo")
                .body("a body ü".getBytes(StandardCharsets.UTF_8))
                .header("X-Test: 1"));
        assertThat(posted.errorsByKind()).isEmpty();
        assertThat(posted.spec().method()).isEqualTo("POST");

        LoadResult put = run(to(base + "/anything")
                .method("PUT")
                .header("X-Echo-Status: 201")
                .body(new byte[] {1, 2}));
        assertThat(put.errorsByKind()).isEmpty();
        assertThat(put.statuses()).as("the header reached the server").isEqualTo(Map.of(201, 100L));

        LoadResult head = run(to(base + "/health").method("HEAD"));
        assertThat(head.errorsByKind()).as("HEAD: a head, no body").isEmpty();
    }

    @Test
    void verifyModesDecideWhatCounts() throws LoadException {
        String teapot = base + "/echo?msg=x&status=418";
        assertThat(run(to(teapot)).errorsByKind()).isEqualTo(Map.of("status-418", 100L));
        assertThat(run(to(teapot).verify(LoadSpec.Verify.STATUS)).errorsByKind())
                .isEqualTo(Map.of("status-418", 100L));
        assertThat(run(to(teapot).verify(LoadSpec.Verify.NONE)).errorsByKind()).isEmpty();
        assertThat(run(to(base + "/health").verify(LoadSpec.Verify.ECHO)).errorsByKind())
                .as("ok is not the message")
                .containsOnlyKeys("wrong-body");
    }

    @Test
    void nothingSucceededMeansNoLatency() throws LoadException {
        LoadResult r = run(to(base + "/echo?msg=x&status=503"));
        assertThat(r.requests()).isZero();
        assertThat(r.anyLatency()).isFalse();
        assertThat(r.toJson()).contains("\"p50\" : null");
    }

    @Test
    void schemesItDoesNotSpeakAndBadRequestPartsAreRefusedByName() {
        assertThatThrownBy(() -> to("ftp://127.0.0.1:1/").build())
                .hasMessageContaining("must start with http://, https://, ws://, wss:// or tcp://");
        assertThatThrownBy(() -> to(base).header("no colon").build()).hasMessageContaining("must read Name: value");
        assertThatThrownBy(() -> to(base).method("G T").build()).hasMessageContaining("is not an HTTP method name");
        assertThatThrownBy(() -> to("tcp://127.0.0.1:1").method("PUT").build())
                .hasMessageContaining("go with http:// targets");
        assertThatThrownBy(() ->
                        to(base).method("HEAD").verify(LoadSpec.Verify.ECHO).build())
                .hasMessageContaining("HEAD responses have no body");
    }
}
