package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.models.ProcessTrees.childrenOf;
import static org.echolab.models.ProcessTrees.get;
import static org.echolab.models.ProcessTrees.tree;
import static org.echolab.models.ProcessTrees.workerPid;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.echolab.config.ServerConfig;
import org.echolab.os.Libc;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only {@code prefork} promises, with real worker JVMs: the workers share the accepting, a
 * worker killed with SIGKILL is replaced and only its own connections are lost. The behaviour
 * every model shares is in {@code ModelSuiteTest}; SIGTERM of the real server is in
 * {@code ProcessModelsIT}.
 */
class PreforkModelTest {

    private static final long SELF = ProcessHandle.current().pid();

    /** A prefork server; every client here comes from 127.0.0.1, so no --max-per-client. */
    private static EchoServer start(ServerConfig.Builder b) throws IOException {
        return EchoServer.start(b.model("prefork").port(0).maxPerClient(0).build());
    }

    /** Overlapping waits until both workers have answered; the set of pids that did. */
    private static Set<Long> servingPids(EchoServer server, int wanted) throws Exception {
        Set<Long> pids = new HashSet<>();
        for (int round = 0; round < 20 && pids.size() < wanted; round++) {
            List<Future<String>> answers = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(6)) {
                for (int i = 0; i < 6; i++) {
                    answers.add(clients.submit(() -> get(server.address(), "/echo?msg=p&wait=300ms")));
                }
            }
            for (Future<String> a : answers) {
                assertThat(a.get()).startsWith("HTTP/1.1 200").endsWith("p");
                pids.add(workerPid(a.get()));
            }
        }
        return pids;
    }

    @ParameterizedTest(name = "--worker-model {0}")
    @ValueSource(strings = {"sequential", "pool", "virtual"})
    @Timeout(120)
    void workersShareTheAcceptingWhateverRunsInsideThem(String workerModel) throws Exception {
        try (EchoServer server =
                start(ServerConfig.builder().workers(2).workerModel(workerModel).threads(8))) {
            Set<Long> pids = servingPids(server, 2);
            assertThat(pids).hasSize(2).doesNotContain(SELF);
            assertThat(childrenOf(SELF).keySet()).containsExactlyInAnyOrderElementsOf(pids);
            assertThat(get(server.address(), "/stats"))
                    .contains("\"workerModel\":\"" + workerModel + "\"")
                    .contains("\"role\":\"worker\",\"parentPid\":" + SELF);
        }
    }

    @Test
    @Timeout(120)
    void aKilledWorkerIsReplacedAndOnlyItsConnectionsAreLost() throws Exception {
        // sequential workers: while A holds connection a, only B accepts, so b lands on B for sure
        try (EchoServer server = start(ServerConfig.builder().workers(2).workerModel("sequential"));
                Socket a = new Socket(server.address().getAddress(), server.port());
                Socket b = new Socket(server.address().getAddress(), server.port())) {
            long pidA = request(a, "/echo?msg=a");
            long pidB = request(b, "/echo?msg=b");
            assertThat(pidB).isNotEqualTo(pidA);
            // a request in flight on each; then the worker holding a dies
            send(a, "/echo?msg=lost&wait=2s");
            send(b, "/echo?msg=kept&wait=2s");
            assertThat(Libc.kill((int) pidA, Libc.SIGKILL)).isTrue();

            assertThat(readUntilClosed(a)).as("the killed worker's connection").isEmpty();
            String kept = readResponse(b.getInputStream());
            assertThat(kept).startsWith("HTTP/1.1 200").endsWith("kept");
            assertThat(workerPid(kept)).isEqualTo(pidB);
            b.close();

            // the parent saw the death and started a replacement (at once; 5 s allows for a loaded machine)
            await().atMost(Duration.ofSeconds(5)).until(() -> tree(server, "spawned") == 3);
            assertThat(tree(server, "reaped")).isEqualTo(1);
            assertThat(childrenOf(SELF))
                    .doesNotContainKey(pidA)
                    .containsKey(pidB)
                    .hasSize(2);
            assertThat(servingPids(server, 2)).hasSize(2).contains(pidB).doesNotContain(pidA);
        }
    }

    /** What arrives until the peer closes; a reset counts as a close. */
    private static String readUntilClosed(Socket s) {
        try {
            return ProcessTrees.readAll(s.getInputStream());
        } catch (IOException reset) {
            return "";
        }
    }

    private static long request(Socket s, String target) throws IOException {
        send(s, target);
        s.setSoTimeout(60_000);
        return workerPid(readResponse(s.getInputStream()));
    }

    private static void send(Socket s, String target) throws IOException {
        s.getOutputStream()
                .write(("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** One response on a keep-alive connection: the head, then Content-Length bytes of body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        String h = head.toString();
        int at = h.toLowerCase().indexOf("content-length: ") + 16;
        int length = Integer.parseInt(h.substring(at, h.indexOf("\r\n", at)));
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
