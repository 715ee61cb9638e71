package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The grader's client reads whatever a server sends: an HTTP response is parsed, and anything else
 * is an IOException that quotes what came instead, which a check reports as that client's failure.
 * Never another exception, which would end the whole grade. Each case is a real server on
 * 127.0.0.1 that writes exact bytes, then closes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawClientTest {

    /** What {@link RawClient#readResponse()} makes of {@code answer}, sent in reply to a GET. */
    private static RawClient.Response read(String answer) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes(); // until the client closes: no reset of unread bytes
                } catch (IOException e) {
                    // the client closed first
                }
            });
            try (RawClient c = new RawClient(server.getLocalPort())) {
                c.readTimeout(10_000);
                return c.send(RawClient.get("/echo")).readResponse();
            } finally {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** {@code answer} is refused with an IOException whose message is {@code message}. */
    private static void refused(String answer, String message) {
        assertThatThrownBy(() -> read(answer)).isInstanceOf(IOException.class).hasMessage(message);
    }

    @Test
    void anHttpResponseIsParsed() throws IOException {
        RawClient.Response r = read("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nX-A: b:c\r\n\r\nfull");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.reason()).isEqualTo("Service Unavailable");
        assertThat(r.header("x-a")).isEqualTo("b:c");
        assertThat(r.text()).isEqualTo("full");
        assertThat(read("HTTP/1.0 200\r\n\r\n").reason()).isEmpty();
    }

    @Test
    void whatIsNotAResponseIsAnIoExceptionThatQuotesIt() {
        refused("hello\r\n\r\n", "not an HTTP status line: 'hello'");
        refused("HTTP/1.1 abc OK\r\n\r\n", "not an HTTP status line: 'HTTP/1.1 abc OK'");
        refused("HTTP/1.1\r\n\r\n", "not an HTTP status line: 'HTTP/1.1'");
        refused("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "not a header line: 'no colon here'");
        refused("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", "not a header line: ': empty name'");
        refused("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\none", "not a Content-Length: '3x'");
        refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "not a Content-Length: '99999999999'");
    }

    @Test
    void aResponseCutShortSaysWhere() {
        refused("", "connection closed before a response");
        refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", "connection closed inside the response's headers");
        refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", "body truncated: 2 of 5 bytes");
    }

    @Test
    void aQuoteShowsControlCharactersAndCutsALongLine() {
        refused(
                "\u0000HTTP/1.1 200 OK" + "y".repeat(80) + "\r\n\r\n",
                "not an HTTP status line: '\\x00HTTP/1.1 200 OK" + "y".repeat(44) + "...'");
    }
}
