package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The generator over HTTPS and WSS against the real server's TLS (a self-signed certificate): every echo verified. */
class HttpsLoadTest {

    private static EchoServer eventloop;
    private static EchoServer virtual;

    @BeforeAll
    static void start() {
        eventloop = Servers.start(Servers.config("eventloop").tls(true));
        virtual = Servers.start(Servers.config("virtual").tls(true));
    }

    @AfterAll
    static void stop() {
        eventloop.close();
        virtual.close();
    }

    /** By name: JUnit closes an argument that is AutoCloseable after each test. */
    static Stream<String> servers() {
        return Stream.of("eventloop", "virtual");
    }

    private static EchoServer server(String model) {
        return model.equals("eventloop") ? eventloop : virtual;
    }

    private static URI https(EchoServer s) {
        return URI.create("https://127.0.0.1:" + s.port() + "/echo");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void keptAliveConnectionsTrustingTheServersCertificate(String model) throws LoadException {
        EchoServer s = server(model);
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(https(s))
                        .connections(4)
                        .requests(400)
                        .caCert(Path.of(s.config().tlsCert))
                        .build(),
                null);
        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(400);
        assertThat(r.connectionsOpened()).isEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void insecureWithAConnectionAndAHandshakePerRequestAndLargeEchoes(String model) throws LoadException {
        EchoServer s = server(model);
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(https(s))
                        .connections(3)
                        .connectPerRequest(true)
                        .requests(60)
                        .size(100_000)
                        .insecure(true)
                        .build(),
                null);
        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.connectionsOpened()).isEqualTo(60);
    }

    @Test
    void aSelfSignedServerIsNotTrustedByDefaultAndTheFailureNamesItsCauseAndFix() throws LoadException {
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(https(virtual)).connections(1).requests(3).build(), null);
        assertThat(r.errorsByKind()).containsOnlyKeys(TlsFailure.UNTRUSTED);
        assertThat(TlsFailure.advice(TlsFailure.UNTRUSTED))
                .contains("self-signed")
                .contains("-k")
                .contains("--cacert");
        LoadResult plain = LoadGenerator.run(
                LoadSpec.builder(URI.create("wss://127.0.0.1:" + virtual.port() + "/ws"))
                        .connections(1)
                        .requests(3)
                        .build(),
                null);
        assertThat(plain.errorsByKind()).as("wss:// too").containsOnlyKeys(TlsFailure.UNTRUSTED);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void wssMessagesAreVerifiedOverTls(String model) throws LoadException {
        EchoServer s = server(model);
        LoadResult r = LoadGenerator.run(
                LoadSpec.builder(URI.create("wss://127.0.0.1:" + s.port() + "/ws"))
                        .connections(2)
                        .requests(100)
                        .caCert(Path.of(s.config().tlsCert))
                        .build(),
                null);
        assertThat(r.errorsByKind()).isEmpty();
        assertThat(r.requests()).isEqualTo(100);
        assertThat(r.connectionsOpened()).as("one handshake per connection").isEqualTo(2);
    }

    @Test
    void trustOptionsAreForHttpsAndWssOnly() {
        assertThatThrownBy(() -> LoadSpec.builder(URI.create("http://127.0.0.1:1/echo"))
                        .insecure(true)
                        .build())
                .hasMessageContaining("are for https:// and wss:// targets");
        assertThat(LoadSpec.builder(URI.create("wss://127.0.0.1:1/ws"))
                        .insecure(true)
                        .build()
                        .tls())
                .isNotNull();
    }
}
