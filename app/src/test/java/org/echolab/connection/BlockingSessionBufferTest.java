package org.echolab.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The blocking session's read buffer starts at {@link BlockingSession#FIRST_READ_BUFFER} and grows
 * as a request needs: requests far larger than it, sent in one piece and pipelined, are answered
 * whole, over a real socket, by every model that runs the blocking session.
 */
class BlockingSessionBufferTest {

    @ParameterizedTest
    @ValueSource(strings = {"thread", "pool", "virtual"})
    void requestsLargerThanTheFirstBufferAreAnsweredWholeAndInOrder(String model) throws Exception {
        String longMessage = "m".repeat(6000); // a request line of ~6 KiB
        String bigHeader = "X-Padding: " + "p".repeat(20_000) + "\r\n"; // headers of ~20 KiB
        String requests = get("/echo?msg=" + longMessage, bigHeader)
                + get("/echo?msg=small", "")
                + get("/echo?msg=" + longMessage + "2", "");
        try (EchoServer server = Servers.start(Servers.config(model));
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII)); // all three at once: pipelined
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(body(in)).isEqualTo(longMessage);
            assertThat(body(in)).isEqualTo("small");
            assertThat(body(in)).isEqualTo(longMessage + "2");
        }
    }

    private static String get(String target, String extraHeaders) {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n";
    }

    /** One response's body, by its Content-Length. */
    private static String body(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head so far: %s", head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        int length = Integer.parseInt(head.toString().replaceAll("(?s).*[Cc]ontent-[Ll]ength: *(\\d+).*", "$1"));
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
