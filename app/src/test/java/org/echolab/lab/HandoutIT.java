package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handout (docs/lab.md) as a student runs it: its commands, through a workspace's own
 * launcher from the packaged jar, with real curl clients, and the outcome each step states. The
 * servers listen on port 0 (the handout's 8080 and 8081 may be taken here); everything else is
 * the handout's command as written.
 */
@Timeout(300)
class HandoutIT {

    private static final Path JAR = Path.of(System.getProperty("echolab.jar"));
    private static final Path HOME =
            JAR.toAbsolutePath().getParent().getParent().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern LISTENING =
            Pattern.compile("listening on \\S+:(\\d+).* live: http://127\\.0\\.0\\.1:(\\d+)/live");

    @TempDir
    static Path dir;

    static Path ws;

    /** A server started with the workspace's {@code ./echolab serve ...}, its ports, its log. */
    private record Server(Process process, int port, int monitor, Path log) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.destroy(); // SIGTERM: the server drains and stops
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> json(String path, int onPort) throws Exception {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + onPort + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readValue(r.body(), Map.class);
        }

        Map<String, Object> live() throws Exception {
            return json("/live.json", monitor);
        }

        long stat(String figure) throws Exception {
            return ((Number) json("/stats", monitor).get(figure))
                    .longValue(); // the monitor answers while the model is busy
        }
    }

    @BeforeAll
    static void aWorkspaceWithAWorkingPool() throws Exception {
        ws = dir.resolve("echolab-lab");
        assertThat(run(
                        dir,
                        List.of(
                                java(),
                                "--enable-native-access=ALL-UNNAMED",
                                "-jar",
                                JAR.toString(),
                                "lab",
                                "init",
                                ws.toString())))
                .contains("A lab workspace is ready");
        Files.copy(
                Path.of("src/test/resources/lab-solutions/lab/ThreadPool.java"),
                ws.resolve("src/lab/ThreadPool.java"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(run(ws, List.of(ws.resolve("echolab").toString(), "models")))
                .as("step 0")
                .contains("student-process")
                .contains("student-pool");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code cmd} in {@code where} to its end; its stdout and stderr together. */
    private static String run(Path where, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(where.toFile()).redirectErrorStream(true);
        pb.environment().put("ECHOLAB_HOME", HOME.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static Server serve(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ws.resolve("echolab").toString(), "serve"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--port", "0", "--monitor-port", "0"));
        Path log = Files.createTempFile(dir, "serve", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ws.toFile()).redirectError(log.toFile());
        pb.environment().put("ECHOLAB_HOME", HOME.toString());
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofPlatform().daemon().start(() -> drain(out));
                return new Server(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), log);
            }
        }
        throw new AssertionError("the server did not start: " + Files.readString(log));
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the access log, if any: not read here
            }
        } catch (IOException ignored) {
            // the server ended
        }
    }

    /** The handout's five curl clients (its loop as written, on this server's port), started now; their output when done. */
    private static CompletableFuture<String> fiveClients(Server s, String format) {
        String loop = "for i in 1 2 3 4 5; do\n  curl -s -o /dev/null -w \"" + format + "\" \"http://127.0.0.1:"
                + s.port() + "/echo?msg=c$i&wait=2s\" &\ndone; wait";
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(ws, List.of("bash", "-c", loop));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static final String ANSWERED = "client $i answered after %{time_total}s\\n";

    /** Step 1: one after another; four wait in the kernel's accept queue; the load generator sees no error and 4 of 5 starved. */
    @Test
    void step1SequentialServesOneClientAtATime() throws Exception {
        try (Server s = serve("--model", "sequential")) {
            CompletableFuture<String> clients = fiveClients(s, ANSWERED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Integer.valueOf(4).equals(s.live().get("acceptQueue")));
            assertThat(s.live().get("requestsInFlight")).isEqualTo(1);
            assertThat(run(ws, List.of("ss", "-ltn", "sport = :" + s.port())))
                    .as("ss: Recv-Q of the listening socket")
                    .containsPattern("LISTEN\\s+[1-4]\\s");
            String answers = clients.get(120, TimeUnit.SECONDS);
            assertThat(answers.lines()).hasSize(5).allMatch(l -> l.matches("client \\d answered after [\\d.]+s"));
            double last = answers.lines()
                    .mapToDouble(l -> Double.parseDouble(l.replaceAll(".* after ([\\d.]+)s", "$1")))
                    .max()
                    .orElseThrow();
            assertThat(last).as("the fifth waited for the four before it").isGreaterThan(9.5);
            assertThat(s.stat("requestsInFlightPeak")).as("never two at once").isEqualTo(1);
            String load = run(
                    ws,
                    List.of(
                            ws.resolve("echolab").toString(),
                            "load",
                            "http://127.0.0.1:" + s.port() + "/echo",
                            "-c",
                            "5",
                            "--wait",
                            "100ms",
                            "-d",
                            "5s"));
            assertThat(load).contains("errors     0").contains("4 of 5 connections were starved");
        }
    }

    /** Step 2: all five at once, a thread each. */
    @Test
    void step2AThreadPerClientServesAllFiveAtOnce() throws Exception {
        try (Server s = serve("--model", "thread")) {
            CompletableFuture<String> clients = fiveClients(s, ANSWERED);
            await().atMost(Duration.ofSeconds(20)).until(() -> s.stat("requestsInFlight") == 5);
            assertThat(run(
                            ws,
                            List.of(
                                    "ps",
                                    "-L",
                                    "-o",
                                    "tid,comm",
                                    "-p",
                                    Long.toString(s.process().pid()))))
                    .as("one thread per connection")
                    .contains("conn-");
            assertThat(clients.get(60, TimeUnit.SECONDS).lines()).hasSize(5);
        }
    }

    /** Step 3: two answer after 2 s, then the others; none refused. With --overflow reject, two get 503 and are counted. */
    @Test
    void step3APoolOfTwoServesTwoAtATimeAndRefusalsAreCounted() throws Exception {
        try (Server s = serve("--model", "pool", "--threads", "2", "--queue", "1")) {
            String codes = fiveClients(s, "%{http_code}\\n").get(60, TimeUnit.SECONDS);
            assertThat(codes.lines())
                    .as("every client answered, none refused")
                    .containsExactly("200", "200", "200", "200", "200");
            assertThat(s.stat("requestsInFlightPeak")).isEqualTo(2);
            assertThat(s.stat("refused")).isZero();
        }
        try (Server s = serve("--model", "pool", "--threads", "2", "--queue", "1", "--overflow", "reject", "-v")) {
            String codes = fiveClients(s, "%{http_code}\\n").get(60, TimeUnit.SECONDS);
            assertThat(codes.lines().filter("503"::equals).count()).as(codes).isEqualTo(2);
            assertThat(s.stat("refused")).isEqualTo(2);
            assertThat(s.live().get("refused")).isEqualTo(2);
            assertThat(Files.readString(s.log())).contains("127.0.0.1: refused (server-full): all 2 threads are busy");
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.monitor() + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("echolab_refusals_total{reason=\"server-full\"} 2.0");
        }
    }

    /** Step 4: a new process for every connection, its pid in X-Echo-Worker. */
    @Test
    void step4AProcessPerClientServesEachConnectionFromANewProcess() throws Exception {
        try (Server s = serve("--model", "process")) {
            String a = run(ws, List.of("curl", "-si", "http://127.0.0.1:" + s.port() + "/echo?msg=a"));
            String b = run(ws, List.of("curl", "-si", "http://127.0.0.1:" + s.port() + "/echo?msg=b"));
            String pidA = a.replaceAll("(?s).*X-Echo-Worker: pid=(\\d+).*", "$1");
            String pidB = b.replaceAll("(?s).*X-Echo-Worker: pid=(\\d+).*", "$1");
            assertThat(pidA)
                    .matches("\\d+")
                    .isNotEqualTo(pidB)
                    .isNotEqualTo(Long.toString(s.process().pid()));
        }
    }

    /** Step 6: the student's pool with 4 threads serves four of the five clients at once, as the live view shows. */
    @Test
    void step6TheStudentsPoolOfFourServesFourAtOnce() throws Exception {
        try (Server s = serve("--model", "student-pool", "--threads", "4", "--queue", "2")) {
            CompletableFuture<String> clients = fiveClients(s, ANSWERED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Integer.valueOf(4).equals(s.live().get("requestsInFlight")));
            assertThat(clients.get(60, TimeUnit.SECONDS).lines()).hasSize(5);
            assertThat(s.stat("refused")).isZero();
        }
    }
}
