import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The two sides of scripts/abuse.sh: the abuse (many connections from 127.0.0.1 that send one
 * request each and then never read) and the probe (a normal client from 127.0.0.2, as another
 * machine would be, that asks for a plain echo at a fixed interval and times each answer).
 * Bounded: 127.0.0.1 only, at most 5,000 connections, at most 600 s; each ends by itself.
 *
 * <pre>
 *   java scripts/AbuseClients.java hold PORT N TARGET SECONDS    # N connections, GET TARGET on each, never read
 *   java scripts/AbuseClients.java probe PORT SECONDS INTERVAL_MS # prints one summary line
 * </pre>
 */
public class AbuseClients {

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("hold")) {
            hold(port(args[1]), bounded(args[2], 1, 5_000), args[3], bounded(args[4], 1, 600));
        } else if (args.length == 4 && args[0].equals("probe")) {
            probe(port(args[1]), bounded(args[2], 1, 600), bounded(args[3], 10, 10_000));
        } else {
            System.err.println("usage: java scripts/AbuseClients.java hold PORT N TARGET SECONDS"
                    + " | probe PORT SECONDS INTERVAL_MS");
            System.exit(2);
        }
    }

    /** Opens {@code n} connections (500 at a time), sends each one GET of {@code target}, reads nothing, holds them. */
    private static void hold(int port, int n, String target, int seconds) throws Exception {
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: abuse\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        List<SocketChannel> channels = new ArrayList<>(n);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int sent = 0;
        int failed = 0;
        try (Selector selector = Selector.open()) {
            int opened = 0;
            while (sent + failed < n && System.nanoTime() < end) {
                while (opened < n && opened - sent - failed < 500) {
                    SocketChannel ch = SocketChannel.open();
                    channels.add(ch);
                    ch.configureBlocking(false);
                    ch.connect(server);
                    ch.register(selector, SelectionKey.OP_CONNECT);
                    opened++;
                }
                selector.select(200);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) key.channel();
                    try {
                        ch.finishConnect();
                        ch.write(ByteBuffer.wrap(request));    // a few dozen bytes: taken whole
                        sent++;
                    } catch (IOException e) {
                        failed++;
                    }
                    key.interestOps(0);                        // never read: the server's writes pile up
                }
            }
            System.out.println("hold: " + sent + " connections sent their request, " + failed + " failed to connect");
            System.out.flush();
            long left = end - System.nanoTime();
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
    }

    /** One fresh connection from 127.0.0.2 every {@code intervalMillis}; prints how many got their echo and how fast. */
    private static void probe(int port, int seconds, int intervalMillis) throws Exception {
        List<Long> millis = new ArrayList<>();
        int failed = 0;
        String firstFailure = null;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            long t0 = System.nanoTime();
            String msg = "probe-" + i;
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setSoTimeout(5_000);
                s.getOutputStream().write(("GET /echo?msg=" + msg + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(s.getInputStream());
                if (!answer.startsWith("HTTP/1.1 200") || !answer.endsWith("\r\n\r\n" + msg)) {
                    throw new IOException("unexpected answer: " + answer.lines().findFirst().orElse("(nothing)"));
                }
                millis.add((System.nanoTime() - t0) / 1_000_000);
            } catch (IOException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = e.toString();
                }
            }
            long next = t0 + intervalMillis * 1_000_000L - System.nanoTime();
            if (next > 0) {
                Thread.sleep(next / 1_000_000);
            }
        }
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("probes=%d answered=%d failed=%d p50=%sms worst=%sms%s%n", sorted.length + failed, sorted.length,
                failed, sorted.length == 0 ? "-" : sorted[sorted.length / 2],
                sorted.length == 0 ? "-" : sorted[sorted.length - 1],
                firstFailure == null ? "" : " first-failure=" + firstFailure.replace(' ', '_'));
        System.exit(failed == 0 && sorted.length > 0 && Arrays.stream(sorted).max().getAsLong() <= 1000 ? 0 : 1);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static int port(String s) {
        return bounded(s, 1, 65535);
    }

    private static int bounded(String s, int min, int max) {
        int v = Integer.parseInt(s);
        if (v < min || v > max) {
            throw new IllegalArgumentException(s + " is not within " + min + ".." + max);
        }
        return v;
    }
}
