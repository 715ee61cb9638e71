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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.ChildJvm;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What only {@code process} promises, with real child JVMs: a process per connection, every child
 * reaped, no descriptor leaked, {@code --max-children} held. The behaviour every model shares is
 * in {@code ModelSuiteTest}.
 */
class ProcessModelTest {

    private static final long SELF = ProcessHandle.current().pid();

    private static EchoServer start(ServerConfig.Builder b) throws IOException {
        return EchoServer.start(b.model("process").port(0).build());
    }

    @Test
    @Timeout(120)
    void eachConnectionIsServedByItsOwnProcessWithItsOwnHeap() throws IOException {
        try (EchoServer server = start(ServerConfig.builder())) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                String r = get(server.address(), "/echo?msg=who");
                assertThat(r).startsWith("HTTP/1.1 200").endsWith("who");
                pids.add(workerPid(r));
                // heap state lives in each child: every client is request number 1
                assertThat(r).contains("X-Echo-Request: 1\r\n");
            }
            assertThat(pids).hasSize(5).doesNotContain(SELF);
        }
    }

    /**
     * A burst of 12 connections with --max-starting 2: the children are started two at a time, so
     * the first client is answered before the last child is even spawned (started all at once,
     * 12 JVMs share the cores and the first answer comes when all are nearly up).
     */
    @Test
    @Timeout(120)
    void aBurstStartsChildrenAFewAtATimeSoTheFirstAnswerComesEarly() throws Exception {
        int burst = 12;
        try (EchoServer server = start(ServerConfig.builder().maxStarting(2));
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicInteger spawnedAtFirstAnswer = new AtomicInteger(-1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                answers.add(clients.submit(() -> {
                    String r = get(server.address(), "/echo?msg=burst");
                    spawnedAtFirstAnswer.compareAndSet(-1, (int) tree(server, "spawned"));
                    return r;
                }));
            }
            for (Future<String> a : answers) {
                assertThat(a.get()).startsWith("HTTP/1.1 200").endsWith("burst");
            }
            assertThat(spawnedAtFirstAnswer.get())
                    .as("children spawned when the first answer came")
                    .isLessThan(burst);
            assertThat(((Number) server.stats().get("startingPeak")).intValue())
                    .as("children starting at once")
                    .isBetween(1, 2);
        }
    }

    /**
     * A child whose client never sent a whole request (here: a body that stops arriving) answers
     * 408 and exits then, not after --header-timeout: its drain on exit waits for a first request
     * only while its connection is still open.
     */
    @Test
    @Timeout(120)
    void aChildWhoseClientSentNoWholeRequestExitsWithItsConnection() throws Exception {
        try (EchoServer server = start(ServerConfig.builder()
                        .spares(0)
                        .bodyTimeout(Duration.ofMillis(500))
                        .headerTimeout(Duration.ofSeconds(60)));
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream()
                    .write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"
                            .getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(30_000);
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 408");
            await("the child reaped well before the 60 s header timeout")
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> tree(server, "reaped") == 1 && tree(server, "live") == 0);
        }
    }

    @Test
    @Timeout(120)
    void keepAliveRequestsStayInTheirChildAndStatsShowTheTree() throws IOException {
        try (EchoServer server = start(ServerConfig.builder());
                Socket s = new Socket(server.address().getAddress(), server.port())) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            s.getOutputStream()
                    .write(("GET /echo?msg=a HTTP/1.1\r\nHost: t\r\n\r\n"
                                    + "GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String both = ProcessTrees.readAll(in);
            int second = both.indexOf("HTTP/1.1 200", 1);
            assertThat(second).isPositive();
            assertThat(workerPid(both.substring(second)))
                    .isEqualTo(workerPid(both))
                    .isNotEqualTo(SELF);
            // the child's /stats shows the tree its parent keeps
            assertThat(both.substring(second))
                    .contains("\"processTree\":{\"role\":\"child\",\"parentPid\":" + SELF)
                    .contains("\"live\":1");
        }
    }

    /**
     * Forty-eight connections, 4 at a time: afterwards no child of this JVM is a zombie, every
     * spawned child was reaped, and the parent holds exactly the descriptors it held before.
     */
    @Test
    @Timeout(300)
    void manyConnectionsLeaveNoZombiesAndNoDescriptors() throws Exception {
        int connections = 48;
        try (EchoServer server = start(ServerConfig.builder().maxChildren(4))) {
            assertThat(get(server.address(), "/health")).startsWith("HTTP/1.1 200"); // warm up the parent
            await().atMost(Duration.ofSeconds(10)).until(() -> tree(server, "live") == 0);
            List<String> fdsBefore = ProcessTrees.openFds();

            AtomicInteger ok = new AtomicInteger();
            try (ExecutorService clients = Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < connections; i++) {
                    clients.submit(() -> {
                        if (get(server.address(), "/echo?msg=z").startsWith("HTTP/1.1 200")) {
                            ok.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            assertThat(ok).hasValue(connections);
            await().atMost(Duration.ofSeconds(10)).until(() -> tree(server, "live") == 0);

            assertThat(tree(server, "spawned")).isEqualTo(connections + 1);
            assertThat(tree(server, "reaped")).isEqualTo(connections + 1);
            assertThat(childrenOf(SELF))
                    .as("children of the parent (pid -> state)")
                    .isEmpty();
            assertThat(ProcessTrees.openFds()).as("the parent's descriptors").isEqualTo(fdsBefore);
        }
    }

    @Test
    @Timeout(120)
    void maxChildrenHoldsUnderABurstAndTheRestWaitInTheBacklog() throws Exception {
        int max = 3, clients = 12;
        try (EchoServer server = start(ServerConfig.builder().maxChildren(max))) {
            AtomicBoolean burst = new AtomicBoolean(true);
            AtomicInteger seenPeak = new AtomicInteger();
            Thread sampler = Thread.ofPlatform()
                    .start(
                            () -> { // counts children in /proc, zombies included
                                while (burst.get()) {
                                    seenPeak.accumulateAndGet(childrenOf(SELF).size(), Math::max);
                                    Thread.onSpinWait();
                                }
                            });
            List<Future<String>> answers = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
                for (int i = 0; i < clients; i++) {
                    answers.add(pool.submit(() -> get(server.address(), "/echo?msg=b&wait=400ms")));
                }
            }
            burst.set(false);
            sampler.join();
            for (Future<String> a : answers) {
                assertThat(a.get()).startsWith("HTTP/1.1 200").endsWith("b"); // none lost: all waited, all served
            }
            assertThat(tree(server, "peak"))
                    .as("peak of live children, by the parent")
                    .isEqualTo(max);
            assertThat(seenPeak.get()).as("peak of children seen in /proc").isBetween(1, max);
        }
    }

    @Test
    @Timeout(120)
    void aChildInheritsOnlyItsConnectionAndTheParentsEcholabProperties() throws Exception {
        System.setProperty("echolab.test.marker", "passed-on");
        try (EchoServer server = start(ServerConfig.builder())) {
            try (Socket s = new Socket(server.address().getAddress(), server.port())) {
                s.getOutputStream()
                        .write("GET /echo?msg=x&wait=3s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> childrenOf(SELF).size() == 1);
                long child = childrenOf(SELF).keySet().iterator().next();
                String cmdline =
                        Files.readString(Path.of("/proc/" + child + "/cmdline")).replace('\0', ' ');
                assertThat(cmdline).contains("-Decholab.test.marker=passed-on");
                // fds 0 and 1 are the connection, and no socket of the parent (the listener!) came along
                List<String> fds = ProcessTrees.fdsOf(child);
                String connection = fds.stream()
                        .filter(f -> f.startsWith("0->socket:"))
                        .findFirst()
                        .orElseThrow();
                assertThat(fds).contains("1" + connection.substring(1));
                Set<String> parentSockets = sockets(ProcessTrees.openFds());
                assertThat(sockets(fds))
                        .as("the child's sockets, among the parent's " + parentSockets)
                        .doesNotContainAnyElementsOf(parentSockets);
                assertThat(ProcessTrees.readAll(s.getInputStream()))
                        .startsWith("HTTP/1.1 200")
                        .endsWith("x");
            }
        } finally {
            System.clearProperty("echolab.test.marker");
        }
    }

    private static Set<String> sockets(List<String> fds) {
        Set<String> inodes = new HashSet<>();
        fds.stream().filter(f -> f.contains("->socket:")).forEach(f -> inodes.add(f.substring(f.indexOf("->") + 2)));
        return inodes;
    }

    @Test
    void theChildsConfigurationMakesTheRoundTrip() {
        ServerConfig config = ServerConfig.builder()
                .model("process")
                .port(1234)
                .maxWait(Duration.ofMillis(1500))
                .limits(org.echolab.protocol.Limits.DEFAULT.withMaxBody(77))
                .overflow(ServerConfig.Overflow.REJECT)
                .workerModel("virtual")
                .state("atomic")
                .offload(true)
                .build();
        Map<String, String> fields = ChildJvm.fields(config);
        assertThat(ChildJvm.fields(ChildJvm.decode(ChildJvm.encode(config).toArray(String[]::new))))
                .isEqualTo(fields);
        assertThat(fields)
                .containsEntry("port", "1234")
                .containsEntry("maxWait", "PT1.5S")
                .containsEntry("limits", "8192,32768,100,77,8192")
                .containsEntry("offload", "true");
    }

    /**
     * A child that cannot be started leaves its client an answer: a 503 with {@code Retry-After},
     * counted as {@code server-full}. The failure is a real one: a system property longer than
     * the kernel takes as one argument (MAX_ARG_STRLEN, 128 KiB), which every child is given, so
     * {@code execve} fails with E2BIG. Without the answer the client saw its connection closed.
     */
    @Test
    @Timeout(60)
    void aClientWhoseChildCannotBeStartedIsAnswered503() throws Exception {
        String property = "echolab.test.tooLongForExec";
        System.setProperty(property, "x".repeat(200_000)); // read once, when the model starts
        EchoServer started;
        try {
            started = start(ServerConfig.builder());
        } finally {
            System.clearProperty(property);
        }
        try (EchoServer server = started;
                Socket client = new Socket("127.0.0.1", server.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream()
                    .write("GET /echo?msg=x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After:");
            assertThat(server.stats().get("refusedBy"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("server-full", 1L);
        }
    }
}
