package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.echolab.protocol.Payload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client-side response reader without sockets: whole, byte by byte and in fragments, as a
 * connection would see it arrive. Message 7 of connection 0 of run "t" is "t-0-7".
 */
class HttpExchangeTest {

    private static final String MSG = "t-0-7";

    private static HttpExchange exchange(int size) {
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:9/echo"))
                .size(size)
                .build();
        HttpExchange ex = new HttpExchange(
                spec.target(), spec, new Message("t-0-", size > 0 ? Payload.of(new byte[0], size) : null, size), false);
        ex.encode(7, ByteBuffer.allocate(ex.requestCapacity()));
        return ex;
    }

    /** Feeds {@code response} in pieces of {@code piece} bytes; returns whether the exchange completed. */
    private static boolean feed(HttpExchange ex, byte[] response, int piece) {
        ByteBuffer in = ByteBuffer.allocate(Slot.READ_BUFFER_MAX);
        for (int at = 0; at < response.length; at += piece) {
            in.put(response, at, Math.min(piece, response.length - at));
            in.flip();
            if (ex.read(in)) {
                assertThat(in.hasRemaining())
                        .as("bytes left after the response")
                        .isFalse();
                return true;
            }
            in.compact();
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 2, 3, 7, 64, 100_000})
    void contentLengthEchoIsVerified(int piece) {
        HttpExchange ex = exchange(0);
        boolean done = feed(
                ex,
                bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nx-echo-request: 42\r\n"
                        + "X-Echo-Worker: pid=1 thread=w\r\n\r\n" + MSG),
                piece);

        assertThat(done).isTrue();
        assertThat(ex.failure()).isNull();
        assertThat(ex.requestNumber()).isEqualTo(42);
        assertThat(ex.worker()).isEqualTo("pid=1 thread=w");
        assertThat(ex.closeAfter()).isFalse();
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 3, 100_000})
    void chunkedEchoIsVerified(int piece) {
        HttpExchange ex = exchange(0);
        boolean done = feed(
                ex,
                bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "2\r\nt-\r\n3;ext=1\r\n0-7\r\n0\r\nTrailer: x\r\n\r\n"),
                piece);

        assertThat(done).isTrue();
        assertThat(ex.failure()).isNull();
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 1000, 100_000})
    void sizedEchoIsVerifiedAgainstPayload(int piece) {
        HttpExchange ex = exchange(3000);
        byte[] body = Payload.of(bytes(MSG), 3000);
        byte[] head = bytes("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n");
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);

        assertThat(feed(ex, all, piece)).isTrue();
        assertThat(ex.failure()).isNull();

        HttpExchange wrong = exchange(3000);
        all[all.length - 1] ^= 1;
        assertThat(feed(wrong, all, piece)).isTrue();
        assertThat(wrong.failure()).isEqualTo("wrong-body");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nt-0-8", // another message
                "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nt-0-", // too short
                "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nt-0-77", // too long
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nT-0-7\r\n0\r\n\r\n",
            })
    void aWrongEchoIsAWrongBody(String response) {
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 1)).isTrue();
        assertThat(ex.failure()).isEqualTo("wrong-body");
    }

    @Test
    void aStatusOtherThan200IsCountedByStatus() {
        String response = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 5)).isTrue();
        assertThat(ex.failure()).isEqualTo("status-503");
        assertThat(ex.closeAfter()).isTrue();
    }

    @Test
    void anInterimResponseIsSkipped() {
        String response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nt-0-7";
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 4)).isTrue();
        assertThat(ex.failure()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SSH-2.0-OpenSSH\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n"})
    void garbageIsABadResponse(String response) {
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 1)).isTrue();
        assertThat(ex.failure()).isEqualTo("bad-response");
        assertThat(ex.closeAfter()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nt-0"})
    void anEndOfStreamBeforeTheEndIsTruncatedOrClosed(String response) {
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 1)).isFalse();
        ex.eof();
        assertThat(ex.failure()).isEqualTo(response.isEmpty() ? "closed" : "truncated");
    }

    @Test
    void aBodyWithoutLengthEndsAtTheClose() {
        String response = "HTTP/1.0 200 OK\r\n\r\nt-0-7";
        HttpExchange ex = exchange(0);

        assertThat(feed(ex, bytes(response), 2)).isFalse();
        ex.eof();
        assertThat(ex.failure()).isNull();
        assertThat(ex.closeAfter()).isTrue();
    }

    /** What goes on the wire for a target with its own query, msg, headers and body. */
    private static String request(LoadSpec spec) {
        HttpExchange ex = new HttpExchange(spec.target(), spec, HttpExchange.message(spec, "t-0-", null), false);
        ByteBuffer out = ByteBuffer.allocate(ex.requestCapacity());
        ex.encode(7, out);
        return StandardCharsets.ISO_8859_1.decode(out).toString();
    }

    @Test
    void theTargetsMsgGetsTheUniquePartAndTheEchoMustBeBoth() {
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:9/echo?a=1&msg=h%C3%A9&b=2"))
                .build();
        assertThat(request(spec)).startsWith("GET /echo?a=1&msg=h%C3%A9t-0-7&b=2 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n");
        HttpExchange ex = new HttpExchange(spec.target(), spec, HttpExchange.message(spec, "t-0-", null), false);
        ex.encode(7, ByteBuffer.allocate(ex.requestCapacity()));
        byte[] echo = bytes("h\u00c3\u00a9t-0-7"); // the decoded bytes of msg, then the unique part
        assertThat(feed(
                        ex,
                        bytes("HTTP/1.1 200 OK\r\nContent-Length: " + echo.length + "\r\n\r\n"
                                + new String(echo, StandardCharsets.ISO_8859_1)),
                        3))
                .isTrue();
        assertThat(ex.failure()).isNull();

        LoadSpec wait = LoadSpec.builder(URI.create("http://127.0.0.1:9/echo"))
                .serverWait(java.time.Duration.ofMillis(5))
                .build();
        assertThat(request(wait)).startsWith("GET /echo?msg=t-0-7&wait=5ms HTTP/1.1\r\n");
    }

    @Test
    void otherTargetsGoAsGivenWithTheirMethodHeadersAndBody() {
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:9/anything/x?y=1"))
                .method("PUT")
                .header("X-A: 1")
                .header("Host: other")
                .body(bytes("hi"))
                .build();
        assertThat(spec.verify()).isEqualTo(LoadSpec.Verify.STATUS);
        assertThat(request(spec))
                .isEqualTo("PUT /anything/x?y=1 HTTP/1.1\r\nX-A: 1\r\nHost: other\r\nContent-Length: 2\r\n\r\nhi");
        HttpExchange ex = new HttpExchange(spec.target(), spec, HttpExchange.message(spec, "t-0-", null), false);
        ex.encode(7, ByteBuffer.allocate(ex.requestCapacity()));
        assertThat(feed(ex, bytes("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\n{ }"), 2))
                .isTrue();
        assertThat(ex.failure()).as("any 2xx, any body").isNull();
        assertThat(ex.status()).isEqualTo(201);
    }
}
