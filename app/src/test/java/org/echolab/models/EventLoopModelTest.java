package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only the event loop promises, on real sockets: waits cost no threads, a client that never
 * reads cannot make the server buffer without bound, and CPU work blocks its loop unless it is
 * offloaded. The behaviour every model shares is in {@code ModelSuiteTest}.
 */
class EventLoopModelTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static EchoServer start(ServerConfig.Builder b) throws IOException {
        return EchoServer.start(b.model("eventloop").port(0).build());
    }

    private static long stat(EchoServer server, String name) {
        return ((Number) server.stats().get(name)).longValue();
    }

    // ---- thousands of waits, no threads --------------------------------------------------------

    /**
     * 5,000 connections each ask for a 1 s wait at once. The client is a selector on the test's
     * own thread, so any thread that appears in this JVM meanwhile is the server's.
     */
    @Test
    @Timeout(120)
    void fiveThousandWaitingConnectionsAreServedWithoutAddingThreads() throws IOException {
        int clients = 5_000;
        long maxDescriptors = ((com.sun.management.UnixOperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        assertThat(maxDescriptors)
                .as("ulimit -n: client and server sides of 5,000 connections live in this JVM")
                .isGreaterThanOrEqualTo(2L * clients + 500);
        try (EchoServer server = start(ServerConfig.builder().loops(2))) {
            assertThat(get(server, "/health")).startsWith("HTTP/1.1 200");
            int threadsBefore = THREADS.getThreadCount();
            THREADS.resetPeakThreadCount();

            int ok = waitingClients(
                    server.address(),
                    clients,
                    "GET /echo?msg=w&wait=1s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

            assertThat(ok).as("clients answered 200").isEqualTo(clients);
            assertThat(THREADS.getPeakThreadCount())
                    .as("peak threads in this JVM while serving 5,000 waits")
                    .isEqualTo(threadsBefore);
            // the waits really overlapped: far more requests in flight at once than the server has threads
            assertThat(stat(server, "requestsInFlightPeak")).isGreaterThan(1_000);
        }
    }

    /** Connects {@code n} clients, sends each one request, reads each to EOF; returns how many got 200. */
    private static int waitingClients(InetSocketAddress server, int n, String request) throws IOException {
        byte[] req = request.getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> channels = new ArrayList<>(n);
        int ok = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open();
                channels.add(ch);
                ch.configureBlocking(false);
                ch.connect(server);
                ch.register(selector, SelectionKey.OP_CONNECT, new ByteArrayOutputStream());
            }
            int done = 0;
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (done < n) {
                selector.select(1000);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) key.channel();
                    ByteArrayOutputStream got = (ByteArrayOutputStream) key.attachment();
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        ch.write(ByteBuffer.wrap(req)); // a few dozen bytes: always taken whole
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        buf.clear();
                        int r = ch.read(buf);
                        if (r > 0) {
                            got.write(buf.array(), 0, r);
                        } else if (r < 0) {
                            key.cancel();
                            ch.close();
                            done++;
                            if (got.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                                ok++;
                            }
                        }
                    }
                }
            }
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
        return ok;
    }

    // ---- backpressure --------------------------------------------------------------------------

    /**
     * A client pipelines 100 requests for 1 MiB each and never reads. The server writes what the
     * sockets take, then stops reading that client: what it holds stays at one response.
     */
    @Test
    @Timeout(60)
    void aClientThatNeverReadsMakesTheServerHoldAtMostOneResponse() throws Exception {
        int size = 1 << 20;
        int requests = 100;
        try (EchoServer server = start(ServerConfig.builder().loops(1));
                Socket greedy = new Socket("127.0.0.1", server.port())) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                pipeline.append("GET /echo?msg=big&size=1MiB HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            greedy.getOutputStream().write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));

            // wait until the server is stuck on this client: a response queued and no progress between two looks
            AtomicLong lastServed = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        long served = stat(server, "requestsServed");
                        boolean stuck = stat(server, "bytesQueued") > 0 && served == lastServed.get();
                        lastServed.set(served);
                        return stuck;
                    });

            long oneResponse = size + 512; // body plus headers
            assertThat(stat(server, "bytesQueued")).isBetween(1L, oneResponse);
            assertThat(stat(server, "bytesQueuedPeak")).isLessThanOrEqualTo(oneResponse);
            assertThat(stat(server, "requestsServed"))
                    .as("responses the sockets took")
                    .isLessThan(requests);
            // and the loop, though it holds that client, serves others
            assertThat(get(server, "/echo?msg=other"))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("other");
        }
    }

    /** A response that makes no progress for --write-timeout is given up: the connection closes and its bytes are freed. */
    @Test
    @Timeout(30)
    void aWriteStalledForTheWriteTimeoutIsClosedAndItsBytesFreed() throws Exception {
        try (EchoServer server = start(ServerConfig.builder().loops(1).writeTimeout(Duration.ofMillis(500)));
                Socket stalled = new Socket("127.0.0.1", server.port())) {
            send(stalled, "GET /echo?msg=big&size=32MiB HTTP/1.1\r\nHost: t\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> stat(server, "bytesQueued") > 0);

            await().atMost(Duration.ofSeconds(20)).until(() -> stat(server, "connectionsOpen") == 0);
            assertThat(stat(server, "bytesQueued")).isZero();
            assertThat(stat(server, "requestsServed")).isZero();
        }
    }

    // ---- work=cpu on the loop ------------------------------------------------------------------

    /**
     * On one loop, A asks for 1 s of CPU work and B, once A is in progress, for none. Without
     * {@code --offload} the loop is busy with A, so A's response is out before B's; with it, B is
     * answered while A's work is still running.
     */
    @ParameterizedTest(name = "offload={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void cpuWorkDelaysOtherConnectionsOfItsLoopUnlessOffloaded(boolean offload) throws Exception {
        try (EchoServer server =
                        start(ServerConfig.builder().loops(1).offload(offload).offloadThreads(1));
                Socket a = new Socket("127.0.0.1", server.port());
                Socket b = new Socket("127.0.0.1", server.port())) {
            send(b, "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"); // B is registered with the loop
            assertThat(readResponse(b.getInputStream())).startsWith("HTTP/1.1 200");

            send(a, "GET /echo?msg=A&wait=1s&work=cpu HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> stat(server, "requestsInFlight") == 1);
            send(b, "GET /echo?msg=B HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertThat(readResponse(b.getInputStream())).endsWith("B");
            boolean aAnsweredFirst = a.getInputStream().available() > 0;

            if (offload) {
                assertThat(aAnsweredFirst)
                        .as("A's response already there when B's came")
                        .isFalse();
            } else {
                assertThat(aAnsweredFirst)
                        .as("A's response already there when B's came")
                        .isTrue();
            }
            assertThat(readResponse(a.getInputStream()))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("A");
        }
    }

    // ---- pipelining, in pieces -----------------------------------------------------------------

    /**
     * Three pipelined requests, the first waiting longest, sent in 7-byte pieces and then in one
     * piece: answered in order, each once. Exercises the bytes a loop keeps for a connection
     * between reads (a partial request) and while a request is in progress (the next ones).
     */
    @Test
    @Timeout(30)
    void pipelinedRequestsInPiecesAreAnsweredInOrder() throws Exception {
        String pipeline = "GET /echo?msg=one&wait=300ms HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /echo?msg=two&wait=100ms HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /echo?msg=three HTTP/1.1\r\nHost: t\r\n\r\n";
        try (EchoServer server = start(ServerConfig.builder().loops(1));
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.setTcpNoDelay(true);
            for (int i = 0; i < pipeline.length(); i += 7) {
                send(s, pipeline.substring(i, Math.min(pipeline.length(), i + 7)));
            }
            send(s, pipeline);
            InputStream in = s.getInputStream();
            for (int round = 0; round < 2; round++) {
                assertThat(readResponse(in)).endsWith("one");
                assertThat(readResponse(in)).endsWith("two");
                assertThat(readResponse(in)).endsWith("three");
            }
        }
    }

    // ---- timeouts, limits, shutdown --------------------------------------------------------------

    @Test
    @Timeout(30)
    void timersCloseIdleConnectionsAndAnswerSlowRequestsWith408() throws Exception {
        try (EchoServer server = start(ServerConfig.builder()
                        .loops(1)
                        .idleTimeout(Duration.ofMillis(300))
                        .headerTimeout(Duration.ofMillis(300)));
                Socket idle = new Socket("127.0.0.1", server.port());
                Socket slow = new Socket("127.0.0.1", server.port())) {
            send(slow, "GET /echo?msg=never-finished HTTP/1.1\r\n");
            assertThat(idle.getInputStream().read())
                    .as("idle connection closed by the server")
                    .isEqualTo(-1);
            assertThat(new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 408");
        }
    }

    @Test
    @Timeout(30)
    void maxConnectionsStopsAcceptingUntilASlotIsFree() throws Exception {
        try (EchoServer server = start(
                        ServerConfig.builder().loops(1).maxConnections(2).maxPerClient(0)); // one address, all slots
                Socket first = new Socket("127.0.0.1", server.port());
                Socket second = new Socket("127.0.0.1", server.port());
                Socket third = new Socket("127.0.0.1", server.port())) { // connects: it waits in the backlog
            for (Socket s : List.of(first, second)) {
                send(s, "GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            }
            send(third, "GET /echo?msg=third HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            first.close();
            assertThat(readResponse(third.getInputStream())).endsWith("third");
            assertThat(stat(server, "connectionsPeak")).isEqualTo(2);
        }
    }

    @Test
    @Timeout(30)
    void stopLetsRequestsInFlightFinishClosesIdleOnesAndEndsEveryThread() throws Exception {
        EchoServer server = start(ServerConfig.builder().loops(2).offload(true).offloadThreads(2));
        try (Socket busy = new Socket("127.0.0.1", server.port());
                Socket idle = new Socket("127.0.0.1", server.port())) {
            send(idle, "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"); // accepted, answered, now idle
            assertThat(readResponse(idle.getInputStream())).startsWith("HTTP/1.1 200");
            send(busy, "GET /echo?msg=finished&wait=1s HTTP/1.1\r\nHost: t\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> stat(server, "requestsInFlight") == 1);

            server.stop(Duration.ofSeconds(10));

            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            String response = new String(busy.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response)
                    .startsWith("HTTP/1.1 200")
                    .contains("Connection: close")
                    .endsWith("finished");
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(n -> n.startsWith("loop-") || n.startsWith("offload-") || n.equals("echolab-accept"));
        assertThat(stat(server, "connectionsOpen")).isZero();
    }

    // ---- a minimal HTTP client over a plain socket ---------------------------------------------

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String get(EchoServer server, String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            send(s, "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Reads one response with a Content-Length body (all the echo server sends). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed inside the headers: " + head);
            }
            head.write(c);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
