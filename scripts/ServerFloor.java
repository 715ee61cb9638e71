import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The least an HTTP/1.1 keep-alive server of one design does on the JDK, to tell the JDK's and the
 * design's share of a cost from EchoLab's: it reads until a blank line and writes a fixed answer
 * ({@code hello}), nothing else (no parsing, no limits, no counters). Two designs:
 * <ul>
 *   <li>by default, one virtual thread per connection, reading with blocking calls; {@code timed}
 *       makes every read a timed one ({@code setSoTimeout(600000)}), as a blocking server that
 *       keeps its read timeouts with the socket would; without it, reads wait without a timeout;
 *   <li>{@code selector}: one platform thread and one {@link Selector} serve every connection
 *       without blocking, the JDK's way to an event loop (level-triggered {@code epoll} on Linux).
 * </ul>
 * {@code --cpu-ns N} spends N ns of CPU (a spin on the clock) and {@code --garbage-bytes N}
 * allocates an array of N bytes before each answer: a stand-in for what a real server's code
 * costs per request, without its code. {@code --answer-bytes N} pads the answer with an
 * {@code X-Pad} header to N bytes in all, as long as a real server's answer with its headers.
 * Bounded: 127.0.0.1 only, and it ends by itself after SECONDS.
 *
 * <pre>
 *   java scripts/ServerFloor.java PORT SECONDS [selector | timed] [--cpu-ns N] [--garbage-bytes N] [--answer-bytes N]
 * </pre>
 * Prints {@code listening PORT} once it accepts.
 */
public class ServerFloor {

    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n";
    private static final String BODY = "\r\nhello";

    private static final String USAGE = "usage: java scripts/ServerFloor.java PORT SECONDS [selector | timed] [--cpu-ns N]"
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
        boolean selector = false;
        long cpuNanos = 0;
        int garbageBytes = 0;
        String answer = HEAD + BODY;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "timed" -> timed = true;
                case "selector" -> selector = true;
                case "--cpu-ns" -> cpuNanos = whole(i + 1 < args.length ? args[++i] : "", "--cpu-ns");
                case "--garbage-bytes" -> garbageBytes = whole(i + 1 < args.length ? args[++i] : "", "--garbage-bytes");
                case "--answer-bytes" -> answer = padded(whole(i + 1 < args.length ? args[++i] : "", "--answer-bytes"));
                default -> usage("'" + args[i] + "' is not an option");
            }
        }
        if (timed && selector) {
            usage("'timed' is the virtual-thread floor's: a selector's reads never wait, so there is nothing to time");
        }
        Costs costs = new Costs(timed, cpuNanos, garbageBytes, answer.getBytes(StandardCharsets.US_ASCII));
        Executors.newSingleThreadScheduledExecutor() // the bound: connections still open close with the process
                .schedule(() -> System.exit(0), seconds, TimeUnit.SECONDS);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        if (selector) {
            selectorLoop(address, costs);
        } else {
            virtualThreads(address, costs);
        }
    }

    /** Accepts each connection and starts a virtual thread that serves it. */
    private static void virtualThreads(InetSocketAddress address, Costs costs) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(address, 4096);
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
                        spend(costs);
                        out.write(costs.answer());
                        lineEnds = 0;
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: this connection's thread ends
        }
    }

    /** A connection of the selector loop: the line ends seen so far, and an answer not yet all written. */
    private static final class Connection {
        int lineEnds; // CR and LF bytes in a row: four end the head
        ByteBuffer unsent = ByteBuffer.allocate(0);
    }

    /**
     * One thread and one selector: accepts, reads what each ready connection has, and answers
     * every head that ends in it. An answer the socket cannot take whole waits for OP_WRITE, and the
     * connection is not read meanwhile (its client waits for that answer anyway).
     */
    private static void selectorLoop(InetSocketAddress address, Costs costs) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(address, 4096);
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        System.out.println("listening " + server.socket().getLocalPort());
        while (true) {
            selector.select(key -> {
                try {
                    if (key.isAcceptable()) {
                        for (SocketChannel c; (c = server.accept()) != null; ) {
                            c.configureBlocking(false);
                            c.socket().setTcpNoDelay(true);
                            c.register(selector, SelectionKey.OP_READ, new Connection());
                        }
                    } else {
                        ready(key, in, costs);
                    }
                } catch (IOException e) {
                    closeQuietly(key); // the client went away: closing its channel cancels its key
                }
            });
        }
    }

    private static void ready(SelectionKey key, ByteBuffer in, Costs costs) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection c = (Connection) key.attachment();
        if (key.isWritable()) {
            channel.write(c.unsent);
            if (!c.unsent.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        in.clear();
        if (channel.read(in) < 0) {
            channel.close(); // and its key with it
            return;
        }
        int answers = 0;
        for (int i = 0; i < in.position(); i++) {
            byte b = in.get(i);
            c.lineEnds = b == '\r' || b == '\n' ? c.lineEnds + 1 : 0;
            if (c.lineEnds == 4) {
                spend(costs);
                answers++;
                c.lineEnds = 0;
            }
        }
        if (answers == 0) {
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(answers == 1 ? costs.answer() : repeated(costs.answer(), answers));
        channel.write(out);
        if (out.hasRemaining()) {
            c.unsent = out;
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private static byte[] repeated(byte[] answer, int times) {
        byte[] all = new byte[answer.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(answer, 0, all, i * answer.length, answer.length);
        }
        return all;
    }

    private static void closeQuietly(SelectionKey key) {
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing a connection that already failed: nothing left to do
        }
    }

    /** What a request costs besides its read and write: {@code --cpu-ns} and {@code --garbage-bytes}. */
    private static void spend(Costs costs) {
        for (long end = System.nanoTime() + costs.cpuNanos(); System.nanoTime() - end < 0; ) {
            // the request's CPU work
        }
        garbage = new byte[costs.garbageBytes()];
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
        System.err.println("ServerFloor: " + why);
        System.err.println(USAGE);
        System.exit(2);
    }
}
