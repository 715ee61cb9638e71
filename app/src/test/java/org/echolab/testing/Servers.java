package org.echolab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.models.UnsupportedPlatformException;
import org.echolab.server.EchoServer;
import org.opentest4j.TestAbortedException;

/** Starting servers for tests: small pools, port 0, short grace. */
public final class Servers {

    private Servers() {}

    /** A test configuration for {@code model}: port 0 and knobs sized for a 2-core test machine. */
    public static ServerConfig.Builder config(String model) {
        return ServerConfig.builder()
                .model(model)
                .port(0)
                .threads(32)
                .queue(32)
                .maxChildren(64)
                .workers(2)
                .loops(2)
                .grace(Duration.ofSeconds(5));
    }

    /** Starts a server; a model this machine cannot run (io_uring disabled, say) skips the test, saying why. */
    public static EchoServer start(ServerConfig.Builder config) {
        try {
            return EchoServer.start(config.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedPlatformException e) {
            throw new TestAbortedException(e.getMessage(), e);
        }
    }

    /**
     * Sends with a JDK HttpClient (HTTP/1.1) of its own, closed afterwards: a client keeps idle
     * connections open, and one idle connection holds the sequential model for its idle timeout.
     */
    public static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws Exception {
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            return client.send(request, body);
        }
    }

    /** A GET of {@code target} on 127.0.0.1:{@code port}, answered within 30 s. */
    public static HttpResponse<String> httpGet(int port, String target) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A /stats figure as a long (the model's stats or the service's). */
    public static long stat(EchoServer server, String name) {
        Map<String, Object> stats = server.stats();
        Object v = stats.get(name);
        if (!(v instanceof Number n)) {
            throw new AssertionError("/stats has no number '" + name + "': " + stats);
        }
        return n.longValue();
    }

    /**
     * Fails unless nothing listens on 127.0.0.1:{@code port}, proved by binding it: a bind fails
     * while any socket listens there. Sturdier than expecting a refused connect, which a busy test
     * run can defeat: a client may be given {@code port} as its own local port and connect to itself.
     */
    public static void assertNotListening(int port, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // a closed server's connections in TIME_WAIT do not count
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new AssertionError(what + ": port " + port + " is still taken (" + e.getMessage() + ")", e);
        }
    }

    /** Open file descriptors of this JVM (Linux). */
    public static long openDescriptors() {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} clients that each send one request asking for {@code wait}, and read nothing yet. */
    public static List<Socket> waitingClients(EchoServer server, int n, String wait) throws IOException {
        List<Socket> clients = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            s.getOutputStream()
                    .write(("GET /echo?msg=c" + i + "&wait=" + wait + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            clients.add(s);
        }
        return clients;
    }

    /** Closes each of {@code clients}. */
    public static void close(List<Socket> clients) throws IOException {
        for (Socket s : clients) {
            s.close();
        }
    }
}
