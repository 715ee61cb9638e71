package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.load.FaultyEchoServer.Fault;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab load} as users run it: the packaged jar in a child process. Exit codes are the
 * named ones, errors are one clear line on stderr, never a stack trace.
 */
class LoadCommandIT {

    private static EchoServer server;
    private static String http;

    @BeforeAll
    static void start() throws IOException {
        server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build());
        http = "http://127.0.0.1:" + server.port() + "/echo";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void jsonSummaryAndHgrmFile(@TempDir Path dir) throws Exception {
        Path hgrm = dir.resolve("latency.hgrm");
        Run r = echolab("load", http, "-c", "2", "-n", "100", "--size", "300B", "--json", "--hgrm", hgrm.toString());

        assertThat(r.exit).as(r.err).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out);
        assertThat(json.get("requests").asLong()).isEqualTo(100);
        assertThat(json.get("errors").asLong()).isZero();
        assertThat(json.get("latencyMillis").get("p99").asDouble()).isPositive();
        assertThat(r.err).contains("requests   100 ok");
        assertThat(json.get("fairness").get("connections").asInt()).isEqualTo(2);
        assertThat(json.get("fairness").get("starved").asInt()).isZero();
        assertThat(Files.readString(hgrm)).contains("Percentile").contains("#[Max");
    }

    @Test
    void starvedConnectionsAreNamedInTheSummaryAndTheJsonButAreNoFailure() throws Exception {
        try (EchoServer sequential = EchoServer.start(
                ServerConfig.builder().model("sequential").port(0).build())) {
            Run r = echolab(
                    "load",
                    "http://127.0.0.1:" + sequential.port() + "/echo",
                    "-c",
                    "5",
                    "--wait",
                    "100ms",
                    "-d",
                    "1s",
                    "--json",
                    "-q");

            assertThat(r.exit)
                    .as("a warning, not a failure: every echo was right; stderr:%n%s", r.err)
                    .isZero();
            assertThat(r.err)
                    .contains("errors     0")
                    .containsPattern(
                            "per conn   0 / 0 / \\d+ answers \\(min / median / max\\) in the measured period, 5 connections")
                    .contains(
                            "WARNING: 4 of 5 connections were starved: no answer in the measured period while 1 other was served (a server that serves one connection at a time");
            JsonNode fairness = new ObjectMapper().readTree(r.out).get("fairness");
            assertThat(fairness.get("connections").asInt()).isEqualTo(5);
            assertThat(fairness.get("starved").asInt()).isEqualTo(4);
            assertThat(fairness.get("min").asLong()).isZero();
            assertThat(fairness.get("max").asLong()).isPositive();
        }
    }

    @Test
    void wrongEchoesExitWithFailedAndAreNamed() throws Exception {
        try (FaultyEchoServer faulty = new FaultyEchoServer(Fault.WRONG_BODY)) {
            Run r = echolab("load", faulty.uri().toString(), "-c", "1", "-n", "50", "-q");

            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).contains("errors     5: wrong-body 5");
        }
    }

    @Test
    void anyTargetOfAHealthyServerHasNoErrorAndTheSummaryCountsStatuses() throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        for (String target : List.of(base + "/echo?msg=hi", base + "/health", base + "/")) {
            Run r = echolab("load", target, "-c", "2", "-n", "50", "-q");
            assertThat(r.exit).as(target + ": " + r.err).isZero();
            assertThat(r.out).as(target).contains("errors     0").contains("statuses   200 50");
        }
    }

    @Test
    void seededFailuresAreCountedAndNothingSucceededReadsNa() throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        long expected = 0;
        for (long n = 1; n <= 200; n++) {
            expected += org.echolab.service.Faults.picked(42, n, 0.1) ? 1 : 0;
        }
        Run seeded = echolab("load", base + "/echo?msg=hi&fail=0.1&seed=42", "-c", "1", "-n", "200", "-q");
        assertThat(seeded.exit).isEqualTo(1);
        assertThat(seeded.out)
                .contains("errors     " + expected + ": status-500 " + expected)
                .contains("statuses   200 " + (200 - expected) + ", 500 " + expected);

        Run none = echolab("load", base + "/echo?msg=x&status=503", "-c", "1", "-n", "5", "-q");
        assertThat(none.out).contains("latency    n/a (no request succeeded)").doesNotContain("0.00 ms");
    }

    @Test
    void anOpenWorkloadThatFellBehindFailsOnlyWhenAskedTo() throws Exception {
        String slow = "http://127.0.0.1:" + server.port() + "/echo";
        Run warned = echolab("load", slow, "-c", "1", "--rate", "200", "--wait", "50ms", "-d", "1s", "-q");
        assertThat(warned.exit).as(warned.err).isZero();
        assertThat(warned.out).contains("WARNING: the run fell behind its schedule");
        Run failed = echolab(
                "load", slow, "-c", "1", "--rate", "200", "--wait", "50ms", "-d", "1s", "-q", "--fail-on-behind");
        assertThat(failed.exit).isEqualTo(6);
    }

    @Test
    void refusedConnectionCannotStart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = echolab("load", "http://127.0.0.1:" + port + "/echo", "-n", "1");

        assertThat(r.exit).isEqualTo(3);
        assertThat(r.err)
                .isEqualTo("echolab load: cannot connect to 127.0.0.1:" + port
                        + ": connection refused; is the server running on that port?\n");
    }

    @Test
    void unknownHostCannotStart() throws Exception {
        Run r = echolab("load", "http://no-such-host.invalid/echo", "-n", "1");

        assertThat(r.exit).isEqualTo(3);
        assertThat(r.err)
                .startsWith("echolab load: unknown host 'no-such-host.invalid'")
                .doesNotContain("Exception");
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        Run zero = echolab("load", http, "-c", "0");
        Run scheme = echolab("load", "ftp://127.0.0.1/x");
        Run notANumber = echolab("load", http, "--rate", "fast");
        Run bare = echolab("load", http, "-d", "2");
        Run verify = echolab("load", http, "--verify", "maybe");

        assertThat(zero.exit).isEqualTo(2);
        assertThat(zero.err).isEqualTo("echolab load: connections must be from 1 to 50000 (got 0)\n");
        assertThat(scheme.exit).isEqualTo(2);
        assertThat(scheme.err).contains("must start with http://, https://, ws://, wss:// or tcp://");
        assertThat(notANumber.exit).isEqualTo(2);
        assertThat(bare.exit).as("-d 2 is not 2 ms: a duration needs its unit").isEqualTo(2);
        assertThat(bare.err).contains("'--duration': '2' has no unit; write 2ms or 2s");
        assertThat(verify.exit).isEqualTo(2);
        assertThat(verify.err).isEqualTo("echolab load: --verify must be echo, status or none (got 'maybe')\n");
        assertThat(List.of(zero.err, scheme.err, notANumber.err, bare.err, verify.err))
                .noneMatch(e -> e.contains("\tat "));
    }

    private record Run(int exit, String out, String err) {}

    private static Run echolab(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("echolab.jar", "target/echolab.jar")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        String[] errBox = new String[1];
        Thread errText = Thread.ofVirtual()
                .start(
                        () -> { // both pipes at once, so neither fills up
                            try {
                                errBox[0] = new String(err.readAllBytes(), StandardCharsets.UTF_8);
                            } catch (IOException e) {
                                errBox[0] = "";
                            }
                        });
        String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("echolab " + String.join(" ", args) + " did not finish in 60 s");
        }
        errText.join();
        return new Run(p.exitValue(), outText, errBox[0]);
    }
}
