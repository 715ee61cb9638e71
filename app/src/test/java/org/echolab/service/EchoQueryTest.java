package org.echolab.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /echo} obeys every parameter it is given or says which one it will not: none is silently ignored. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoQueryTest {

    private static EchoServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        server = EchoServer.start(
                ServerConfig.builder().model("virtual").port(0).monitorPort(-1).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String target) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + target))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBareNumberForAWaitIsA400NamingTheUnits() throws Exception {
        HttpResponse<String> r = get("/echo?msg=hi&wait=5");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("wait").contains("'5' has no unit; write 5ms or 5s");
        assertThat(get("/echo?msg=hi&wait=0").body()).as("0 stands alone").isEqualTo("hi");
        assertThat(get("/echo?msg=hi&wait=5ms").body()).isEqualTo("hi");
        HttpResponse<String> drip = get("/echo?msg=hello&drip=2&interval=10");
        assertThat(drip.statusCode()).isEqualTo(400);
        assertThat(drip.body()).contains("interval").contains("has no unit");
    }

    @Test
    void aSizeTakesUnitsAndRefusesABareNumber() throws Exception {
        assertThat(get("/echo?msg=ab&size=1KiB").body()).hasSize(1024).startsWith("ab");
        HttpResponse<String> bare = get("/echo?msg=ab&size=100");
        assertThat(bare.statusCode()).isEqualTo(400);
        assertThat(bare.body()).contains("size").contains("write 100B");
        HttpResponse<String> big = get("/echo?msg=ab&size=65MiB");
        assertThat(big.statusCode()).isEqualTo(400);
        assertThat(big.body()).contains("bad size: '65MiB' is above the limit of 64MiB");
    }

    @Test
    void anUnknownOrRepeatedParameterIsA400NamingIt() throws Exception {
        HttpResponse<String> typo = get("/echo?msg=hi&wiat=2s");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("unknown parameter 'wiat'; did you mean 'wait'?");

        HttpResponse<String> twice = get("/echo?msg=hi&wait=1ms&wait=2s");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("parameter 'wait' is given twice");

        HttpResponse<String> msgs = get("/echo?msg=a&msg=b");
        assertThat(msgs.statusCode()).isEqualTo(400);
        assertThat(msgs.body()).contains("parameter 'msg' is given twice ('a' and 'b')");

        HttpResponse<String> anything = get("/anything?colour=red&colour=blue&msg=x");
        assertThat(anything.statusCode())
                .as("/anything reflects names it does not read")
                .isEqualTo(200);
        assertThat(get("/anything?wait=1ms&wait=2ms").statusCode())
                .as("but one it obeys, only once")
                .isEqualTo(400);
    }
}
