import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The least a virtual-thread HTTP/1.1 keep-alive server does, to tell the JDK's share of a cost
 * from EchoLab's: one virtual thread per connection reads until a blank line and writes a fixed
 * answer ({@code hello}), nothing else (no parsing, no limits, no counters). {@code timed} makes
 * every read a timed one ({@code setSoTimeout(600000)}), as a blocking server that keeps its
 * read timeouts with the socket would; without it, reads wait without a timeout.
 * {@code --cpu-ns N} spends N ns of CPU (a spin on the clock) and {@code --garbage-bytes N}
 * allocates an array of N bytes before each answer: a stand-in for what a real server's code
 * costs per request, without its code. {@code --answer-bytes N} pads the answer with an
 * {@code X-Pad} header to N bytes in all, as long as a real server's answer with its headers.
 * Bounded: 127.0.0.1 only, and it ends by itself after SECONDS.
 *
 * <pre>
 *   java scripts/VirtualThreadFloor.java PORT SECONDS [timed] [--cpu-ns N] [--garbage-bytes N] [--answer-bytes N]
 * </pre>
 * Prints {@code listening PORT} once it accepts.
 */
public class VirtualThreadFloor {

    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n";
    private static final String BODY = "\r\nhello";

    private static final String USAGE = "usage: java scripts/VirtualThreadFloor.java PORT SECONDS [timed] [--cpu-ns N]"
            + " [--garbage-bytes N] [--answer-bytes N]";

    /** What each connection does besides reading and writing, and the answer it writes. */
    private record Costs(boolean timed, long cpuNanos, int garbageBytes, byte[] answer) {}

    private static volatile byte[] garbage; // written, so the allocation is not optimized away

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage("PORT and SECONDS are needed");
        }
        int port = whole(args[0], "PORT");
        long seconds = whole(args[1], "SECONDS");
        boolean timed = false;
        long cpuNanos = 0;
        int garbageBytes = 0;
        String answer = HEAD + BODY;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "timed" -> timed = true;
                case "--cpu-ns" -> cpuNanos = whole(i + 1 < args.length ? args[++i] : "", "--cpu-ns");
                case "--garbage-bytes" -> garbageBytes = whole(i + 1 < args.length ? args[++i] : "", "--garbage-bytes");
                case "--answer-bytes" -> answer = padded(whole(i + 1 < args.length ? args[++i] : "", "--answer-bytes"));
                default -> usage("'" + args[i] + "' is not an option");
            }
        }
        Costs costs = new Costs(timed, cpuNanos, garbageBytes, answer.getBytes(StandardCharsets.US_ASCII));
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        Executors.newSingleThreadScheduledExecutor() // the bound: connections still open close with the process
                .schedule(() -> System.exit(0), seconds, TimeUnit.SECONDS);
        System.out.println("listening " + server.getLocalPort());
        while (true) {
            Socket s = server.accept();
            Thread.ofVirtual().start(() -> serve(s, costs));
        }
    }

    /** Answers each request, a head ending in a blank line (CRLF CRLF), until the client closes. */
    private static void serve(Socket s, Costs costs) {
        try (s) {
            s.setTcpNoDelay(true);
            if (costs.timed()) {
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
                        for (long end = System.nanoTime() + costs.cpuNanos(); System.nanoTime() - end < 0; ) {
                            // the request's CPU work
                        }
                        garbage = new byte[costs.garbageBytes()];
                        out.write(costs.answer());
                        lineEnds = 0;
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: this connection's thread ends
        }
    }

    /** The answer with an {@code X-Pad} header that makes it {@code bytes} long, or the usage and exit 2. */
    private static String padded(int bytes) {
        int least = (HEAD + "X-Pad: \r\n" + BODY).length();
        if (bytes < least) {
            usage("--answer-bytes " + bytes + ": at least " + least + " (the answer with an empty X-Pad header), please");
        }
        return HEAD + "X-Pad: " + "x".repeat(bytes - least) + "\r\n" + BODY;
    }

    /** {@code text} as a whole number from 0 up, or the usage and exit 2. */
    private static int whole(String text, String what) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        usage(what + " '" + text + "': a whole number from 0 up, please");
        return 0; // not reached
    }

    private static void usage(String why) {
        System.err.println("VirtualThreadFloor: " + why);
        System.err.println(USAGE);
        System.exit(2);
    }
}
