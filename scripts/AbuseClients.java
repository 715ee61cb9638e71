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
 *   java scripts/AbuseClients.java probe PORT SECONDS INTERVAL_MS [PATH] # prints one summary line
 *   java scripts/AbuseClients.java churn PORT N                  # N connections opened, then closed at once (RST or FIN)
 *   java scripts/AbuseClients.java slowmany PORT N ADDRESSES SECONDS  # slowloris from 127.0.0.1..ADDRESSES
 *   java scripts/AbuseClients.java anything PORT N BODY_BYTES     # N POSTs to /anything at once; counts the answers
 * </pre>
 *
 * <p>Each abuse prints how many of its requests were answered and how many connections the server
 * closed without an answer ({@code unanswered}); a request still waiting when the abuse ends is
 * {@code pending}, not unanswered.
 */
public class AbuseClients {

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("hold")) {
            hold(port(args[1]), bounded(args[2], 1, 5_000), args[3], bounded(args[4], 1, 600));
        } else if ((args.length == 4 || args.length == 5) && args[0].equals("probe")) {
            probe(port(args[1]), bounded(args[2], 1, 600), bounded(args[3], 10, 10_000), args.length == 5 ? args[4] : null);
        } else if (args.length == 3 && args[0].equals("churn")) {
            churn(port(args[1]), bounded(args[2], 1, 5_000));
        } else if (args.length == 5 && args[0].equals("slowmany")) {
            slowMany(port(args[1]), bounded(args[2], 1, 5_000), bounded(args[3], 1, 250), bounded(args[4], 1, 600));
        } else if (args.length == 4 && args[0].equals("anything")) {
            anything(port(args[1]), bounded(args[2], 1, 1_000), bounded(args[3], 0, 64 << 20));
        } else {
            System.err.println("usage: java scripts/AbuseClients.java hold PORT N TARGET SECONDS"
                    + " | probe PORT SECONDS INTERVAL_MS [PATH] | churn PORT N | slowmany PORT N ADDRESSES SECONDS"
                    + " | anything PORT N BODY_BYTES");
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
            System.out.println("hold: " + tally(channels));
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
    }

    /** One fresh connection from 127.0.0.2 every {@code intervalMillis}; prints how many got their echo and how fast. */
    private static void probe(int port, int seconds, int intervalMillis, String path) throws Exception {
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
                String target = path != null ? path : "/echo?msg=" + msg;
                s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(s.getInputStream());
                if (!answer.startsWith("HTTP/1.1 200") || (path == null && !answer.endsWith("\r\n\r\n" + msg))) {
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

    /** answered (the first bytes of an answer arrived), unanswered (closed or reset with none), pending. */
    private static String tally(List<SocketChannel> channels) {
        int answered = 0, unanswered = 0, pending = 0;
        ByteBuffer first = ByteBuffer.allocate(16);
        for (SocketChannel ch : channels) {
            if (!ch.isConnected()) {
                continue;                                  // never connected: not a request the server accepted
            }
            first.clear();
            try {
                ch.configureBlocking(false);
                int n = ch.read(first);
                if (n > 0) {
                    answered++;
                } else if (n < 0) {
                    unanswered++;
                } else {
                    pending++;
                }
            } catch (IOException e) {
                unanswered++;                              // reset with nothing sent back
            }
        }
        return "answered=" + answered + " unanswered=" + unanswered + " pending=" + pending;
    }

    /** {@code n} connections from 127.0.0.1 opened, then all closed at once: a third RST before a byte, a third RST after a request, a third FIN. */
    private static void churn(int port, int n) throws Exception {
        byte[] request = "GET /echo?msg=gone HTTP/1.1\r\nHost: abuse\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> burst = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                burst.add(ch);
                if (i % 3 == 1) {
                    ch.write(ByteBuffer.wrap(request));
                }
                if (i % 3 != 2) {
                    ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);     // close with RST
                }
            }
        } finally {
            long t0 = System.nanoTime();
            for (SocketChannel ch : burst) {
                ch.close();
            }
            System.out.printf("churn: %d connections closed in %d ms%n", burst.size(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * Slowloris from many addresses: {@code n} connections spread over 127.0.0.1 to 127.0.0.{@code
     * addresses}, each sending a request line and then one header line every 2 to 4 s, never
     * finishing; a connection the server closes is opened again. Prints how many the server
     * closed and how many answers (408s) came back.
     */
    private static void slowMany(int port, int n, int addresses, int seconds) throws Exception {
        record Slow(SocketChannel ch, long[] next) {}
        byte[] line = "X-Slow: still-here\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] start = "GET /echo?msg=slow HTTP/1.1\r\nHost: abuse\r\n".getBytes(StandardCharsets.US_ASCII);
        java.util.Random random = new java.util.Random(27);
        List<Slow> slow = new ArrayList<>(n);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int closedByServer = 0, answered = 0, opened = 0;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            for (int i = 0; i < n; i++) {
                slow.add(null);
            }
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Slow c = slow.get(i);
                    try {
                        if (c == null) {
                            SocketChannel ch = SocketChannel.open();
                            ch.configureBlocking(false);
                            ch.bind(new InetSocketAddress("127.0.0." + (1 + i % addresses), 0));
                            ch.connect(new InetSocketAddress("127.0.0.1", port));
                            slow.set(i, new Slow(ch, new long[] {now, 0}));     // [next line due, began a request]
                            opened++;
                            continue;
                        }
                        if (!c.ch().isConnected()) {
                            if (c.ch().finishConnect()) {
                                c.ch().write(ByteBuffer.wrap(start));
                                c.next()[1] = 1;
                                c.next()[0] = now + (2000 + random.nextInt(2000)) * 1_000_000L;
                            }
                            continue;
                        }
                        sink.clear();
                        int got = c.ch().read(sink);
                        if (got != 0) {
                            if (got > 0) {
                                answered++;
                            }
                            closedByServer += c.next()[1] == 1 ? 1 : 0;
                            c.ch().close();
                            slow.set(i, null);
                        } else if (now >= c.next()[0]) {
                            c.ch().write(ByteBuffer.wrap(line));
                            c.next()[0] = now + (2000 + random.nextInt(2000)) * 1_000_000L;
                        }
                    } catch (IOException e) {
                        if (c != null) {
                            closedByServer += c.next()[1] == 1 ? 1 : 0;     // reset after its request began
                            c.ch().close();
                        }
                        slow.set(i, null);
                    }
                }
                Thread.sleep(50);
            }
        } finally {
            for (Slow c : slow) {
                if (c != null) {
                    c.ch().close();
                }
            }
        }
        // each had begun a request, so a close without an answer (a 408, or a 503 past a limit) is unanswered
        System.out.printf("slowmany: %d connections opened from %d addresses, %d closed by the server, %d with an answer,"
                + " unanswered=%d%n", opened, addresses, closedByServer, answered, closedByServer - answered);
    }

    /**
     * {@code n} clients at once, each POSTs {@code bodyBytes} to /anything and reads its answer;
     * counts them by status. The body is control characters, valid UTF-8 that JSON writes as a
     * six-character escape: six bytes of reply for each byte sent, the worst case.
     */
    private static void anything(int port, int n, int bodyBytes) throws Exception {
        byte[] body = new byte[bodyBytes];
        java.util.Arrays.fill(body, (byte) 1);
        java.util.Map<String, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                String outcome;
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(60_000);
                    go.await();
                    s.getOutputStream().write(("POST /anything HTTP/1.1\r\nHost: abuse\r\nConnection: close\r\n"
                            + "Content-Length: " + bodyBytes + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().write(body);
                    String answer = readAll(s.getInputStream());
                    outcome = answer.length() >= 12 ? answer.substring(9, 12) : "unanswered";
                } catch (IOException e) {
                    outcome = "unanswered";
                } catch (InterruptedException e) {
                    return;
                }
                statuses.merge(outcome, 1, Integer::sum);
            }));
        }
        go.countDown();
        for (Thread t : clients) {
            t.join();
        }
        int unanswered = statuses.getOrDefault("unanswered", 0);
        statuses.remove("unanswered");
        System.out.println("anything: " + statuses.toString().replaceAll("[{}]", "").replace(", ", " ")
                + " unanswered=" + unanswered);
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
