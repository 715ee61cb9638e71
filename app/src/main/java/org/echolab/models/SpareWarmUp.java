package org.echolab.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Connection;
import org.echolab.os.Descriptors;
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
                ServerSocketChannel listener =
                        ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                Socket client = new Socket(
                        InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
                SocketChannel served = listener.accept()) {
            // served as the client will be: a SocketChannel's socket (what System.inheritedChannel()
            // gives a child), whose streams run other JDK code than a plain Socket's
            Connection c = new Connection(served.socket(), stack.connections());
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

    /**
     * The spare's own steps after the client arrives, run once before it waits, so that they run
     * warm then: a descriptor passed to itself over a socket pair of its own ({@code recvmsg} and
     * the reading of its control message), {@code dup2} and {@code close} (each native call's first
     * use links it), and the JDK's inherited-channel class initialised. Not
     * {@code System.inheritedChannel()} itself: the JDK keeps its first answer, and fd 0 is not yet
     * the client. Run cold, these steps were most of the 5 ms between the parent's {@code sendmsg}
     * and the first byte (docs/process-models.md).
     */
    static void handOver() {
        try {
            int[] pair = Descriptors.socketPair();
            Descriptors.send(pair[0], pair[0]); // as the parent does
            int got = Descriptors.receive(pair[1]); // as the spare does: a new descriptor, same socket
            Descriptors.duplicate(got, pair[0]);
            Descriptors.close(got);
            Descriptors.close(pair[0]);
            Descriptors.close(pair[1]);
            Class.forName("sun.nio.ch.InheritedChannel", true, null);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            // the first client's hand-over runs cold: slower, not wrong
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
