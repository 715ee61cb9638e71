package org.echolab.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Connection;
import org.echolab.state.States;

/**
 * A spare's warm-up ({@code process --spares}): before it waits for a client, the spare serves
 * {@value #REQUESTS} requests of its own through the whole path (accept, parse, answer, write)
 * over a loopback connection, so that its first client's request runs through loaded, compiled
 * code instead of cold code. It runs on a stack of its own that shows nowhere: a private state,
 * no access log, no TLS, not part of the tree's figures, closed afterwards. Under
 * {@code --protocol tcp} it sends lines, else HTTP requests.
 *
 * <p>Runs on the spare's main thread, with one more thread serving the warm-up connection.
 */
final class SpareWarmUp {

    /** Enough for the JIT's first tier (C1, the children's only one) to compile the request path. */
    static final int REQUESTS = 300;

    private SpareWarmUp() {}

    /** Serves the warm-up; returns how many answers came back (0 if it could not run: the spare serves cold). */
    static int run(ServerConfig config) {
        ServerConfig quiet = config.toBuilder()
                .accessLog("")
                .tls(false)
                .defaultWait(Duration.ZERO)
                .build();
        try (EchoStack stack = EchoStack.assemble(quiet, States.byName("atomic").create(Duration.ZERO), Map::of, 1, 0);
                ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                Socket served = listener.accept()) {
            Connection c = new Connection(served, stack.connections());
            stack.connections().admit(c);
            Thread server = Thread.ofPlatform()
                    .name("echolab-warm-up")
                    .start(() -> stack.session().serve(c));
            boolean lines = config.protocol == ServerConfig.ProtocolChoice.TCP;
            Thread.ofVirtual().start(() -> send(client, lines));
            int answers = count(client.getInputStream(), lines);
            server.join();
            return answers;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Every request at once (the last one asks to close), then the end of the stream. */
    private static void send(Socket client, boolean lines) {
        try {
            OutputStream out = client.getOutputStream();
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < REQUESTS; i++) {
                all.append(
                        lines
                                ? "warm-up " + i + "\n"
                                : "GET /echo?msg=warm-up-" + i + " HTTP/1.1\r\nHost: spare\r\n"
                                        + (i == REQUESTS - 1 ? "Connection: close\r\n" : "") + "\r\n");
            }
            out.write(all.toString().getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
        } catch (IOException e) {
            // the server side ended early: count() reads what came back
        }
    }

    /** Reads to the end of the stream; the answers are counted by their first line ("HTTP/1.1 ") or line. */
    private static int count(InputStream in, boolean lines) throws IOException {
        String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        return lines ? (int) all.lines().count() : all.split("HTTP/1.1 ", -1).length - 1;
    }
}
