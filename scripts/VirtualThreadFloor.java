import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The least a virtual-thread HTTP/1.1 keep-alive server does, to tell the JDK's share of a cost
 * from EchoLab's: one virtual thread per connection reads until a blank line and writes a fixed
 * answer ({@code hello}), nothing else (no parsing, no limits, no counters). {@code timed} makes
 * every read a timed one ({@code setSoTimeout(600000)}), as a blocking server that keeps its
 * read timeouts with the socket would; without it, reads wait without a timeout.
 * Bounded: 127.0.0.1 only, and it ends by itself after SECONDS.
 *
 * <pre>
 *   java scripts/VirtualThreadFloor.java PORT SECONDS [timed]
 * </pre>
 * Prints {@code listening PORT} once it accepts.
 */
public class VirtualThreadFloor {

    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
            .getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("timed"))) {
            System.err.println("usage: java scripts/VirtualThreadFloor.java PORT SECONDS [timed]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        boolean timed = args.length == 3;
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(0); // the bound: connections still open are closed with the process
        });
        System.out.println("listening " + server.getLocalPort());
        while (true) {
            Socket s = server.accept();
            Thread.ofVirtual().start(() -> serve(s, timed));
        }
    }

    /** Answers each request, a head ending in a blank line (CRLF CRLF), until the client closes. */
    private static void serve(Socket s, boolean timed) {
        try (s) {
            s.setTcpNoDelay(true);
            if (timed) {
                s.setSoTimeout(600_000);
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buffer = new byte[4096];
            int lineEnds = 0; // CR and LF bytes in a row: four end the head
            for (int n; (n = in.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    lineEnds = buffer[i] == '\r' || buffer[i] == '\n' ? lineEnds + 1 : 0;
                    if (lineEnds == 4) {
                        out.write(ANSWER);
                        lineEnds = 0;
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: this connection's thread ends
        }
    }
}
