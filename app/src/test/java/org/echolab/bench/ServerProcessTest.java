package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ServerProcess#awaitAnswer} against a stand-in server on a real socket that answers
 * {@code /stats} as a prefork worker does while its siblings start: it returns only once the
 * answer says every worker spawned accepts, not at the first answer; a server without workers
 * (one process, nginx's 404) is ready at its first answer. ({@code ServerProcessIT} checks the
 * same against real prefork workers, through /proc.)
 */
@Timeout(60)
class ServerProcessTest {

    /** A prefork worker's /stats: {@code started} of 3 workers accept. */
    private static String workerStats(int started) {
        String json = "{\"model\":\"prefork\",\"processTree\":{\"role\":\"worker\",\"parentPid\":1,\"live\":3,"
                + "\"peak\":3,\"spawned\":3,\"reaped\":0,\"started\":" + started + ",\"requestsServed\":0}}";
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length()
                + "\r\nConnection: close\r\n\r\n" + json;
    }

    @Test
    void waitsUntilEveryWorkerAccepts() throws Exception {
        // the first four answers say one worker of three accepts; from the fifth on, all three
        AtomicInteger asked = new AtomicInteger();
        try (Standin server = new Standin(n -> workerStats(n <= 4 ? 1 : 3), asked)) {
            server.process().awaitAnswer();
        }
        assertThat(asked.get()).as("answers read before it returned").isEqualTo(5);
    }

    @Test
    void aServerWithoutWorkersIsReadyAtItsFirstAnswer() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (Standin server =
                new Standin(n -> "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", asked)) {
            server.process().awaitAnswer();
        }
        assertThat(asked.get()).isEqualTo(1);
    }

    /** A server on 127.0.0.1 whose n-th answer is {@code answer(n)}, held as a ServerProcess (a sleep stands for its JVM). */
    private static final class Standin implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor;
        private final ServerProcess process;

        Standin(IntFunction<String> answer, AtomicInteger asked) throws IOException {
            acceptor = Thread.ofPlatform().name("standin").start(() -> {
                while (true) {
                    try (Socket c = socket.accept()) {
                        BufferedReader in = new BufferedReader(
                                new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            // the request's head
                        }
                        c.getOutputStream()
                                .write(answer.apply(asked.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            Process alive = new ProcessBuilder("sleep", "60").start();
            process = ServerProcess.of(alive, "listening on 127.0.0.1:" + socket.getLocalPort(), socket.getLocalPort());
        }

        ServerProcess process() {
            return process;
        }

        @Override
        public void close() throws Exception {
            process.close();
            socket.close();
            acceptor.join();
        }
    }
}
