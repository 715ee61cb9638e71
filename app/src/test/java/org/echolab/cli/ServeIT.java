package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.lab.grade.RawClient;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;

/** The packaged jar as users run it: a real child process, real signals, real curl. */
class ServeIT {

    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                System.getProperty("echolab.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) throws Exception {
        Path err = Tools.logFile("serve-");
        Process p = new ProcessBuilder(java(args)).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String said = Files.readString(err);
        Files.deleteIfExists(err); // nothing left behind in /tmp
        return new Run(p.exitValue(), out, said);
    }

    @Test
    void servesUntilSigtermThenDrainsAndExitsZero() throws Exception {
        Path err = Tools.logFile("serve-");
        Process server = new ProcessBuilder(java("serve", "--port", "0", "--model", "thread", "--wait", "10ms"))
                .redirectError(err.toFile())
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String startup = out.readLine();
            assertThat(startup).contains("echolab thread").contains("wait=10ms").contains("pid=" + server.pid());
            Matcher m = PORT.matcher(startup);
            assertThat(m.find()).as(startup).isTrue();
            int port = Integer.parseInt(m.group(1));

            Process curl = new ProcessBuilder(
                            "curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/echo?msg=hi&wait=100ms")
                    .start();
            assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hi");
            assertThat(curl.waitFor()).isZero();

            try (RawClient inFlight = new RawClient(port)) {
                inFlight.send(RawClient.get("/echo?msg=last&wait=5s"));
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (RawClient stats = new RawClient(port)) {
                        return stats.send(RawClient.get("/stats"))
                                .readResponse()
                                .text()
                                .contains("\"requestsInFlight\":2"); // this /stats request and the echo
                    }
                });
                server.destroy(); // SIGTERM
                RawClient.Response r = inFlight.readResponse();
                assertThat(r.text())
                        .as("the request in flight is drained, not dropped")
                        .isEqualTo("last");
                assertThat(r.header("Connection")).isEqualTo("close");
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(err)).isZero();
            assertThat(Files.readString(err)).contains("stopping").contains("stopped");
        } finally {
            server.destroyForcibly();
        }
    }

    /**
     * With {@code --access-log -} stdout is the access log's alone, so {@code jq .} parses every
     * line; every stderr line, -v's included, is in the one log format, with no JDK debug lines and
     * no Runtime.exit trace on a clean stop.
     */
    @Test
    void stdoutIsTheJsonAccessLogAloneAndStderrIsOneFormat() throws Exception {
        Path out = Files.createTempFile("echolab", ".out");
        Path err = Files.createTempFile("echolab", ".err");
        Process server = new ProcessBuilder(java(
                        "serve",
                        "--port",
                        "0",
                        "--model",
                        "thread",
                        "-v",
                        "--access-log",
                        "-",
                        "--access-log-format",
                        "json"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            Pattern port = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> port.matcher(Files.readString(err)).find());
            Matcher m = port.matcher(Files.readString(err));
            assertThat(m.find()).isTrue();
            for (String target : List.of("/echo?msg=one", "/echo?msg=two", "/nowhere")) {
                Process curl = new ProcessBuilder(
                                "curl",
                                "-sS",
                                "-o",
                                "/dev/null",
                                "--max-time",
                                "10",
                                "http://127.0.0.1:" + m.group(1) + target)
                        .start();
                assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readAllLines(out).size() == 3);
            server.destroy(); // SIGTERM: a clean stop
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isZero();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String line : Files.readAllLines(out)) {
                assertThat(json.readTree(line).isObject())
                        .as("stdout line %s", line)
                        .isTrue();
            }
            String stderr = Files.readString(err);
            assertThat(stderr)
                    .contains("cli.ServeCommand: echolab thread")
                    .contains("cli.ServeCommand: stopped")
                    .doesNotContain("Runtime.exit")
                    .as("-v says why each connection closed")
                    .contains("connection closed: client closed");
            assertThat(stderr.lines())
                    .as(stderr)
                    .allMatch(
                            l -> l.matches(
                                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|WARN |INFO |DEBUG|TRACE) \\[[a-z-]+ \\d+\\] [\\w.-]+: .*"));
        } finally {
            server.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void badOptionsSayWhatToFixAndExitWithUsage() throws Exception {
        Run r = run("serve", "--threads", "0");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("--threads must be from 1 to 100000 (got 0)");

        r = run("serve", "--wait", "soon");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("'soon' is not a duration; use e.g. 250ms").contains("--help");

        r = run("serve", "--model", "forking");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("unknown model 'forking'; choose one of");

        r = run("serve", "--wait", "20s");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("must not exceed --max-wait");

        r = run("serve", "--no-such-option");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("Unknown option");
    }

    @Test
    void aTakenPortIsAClearStartupError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Run r = run("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(ExitCode.CANNOT_START.code);
            assertThat(r.err())
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("--port");
        }
    }

    @Test
    void modelsVersionAndHelp() throws Exception {
        Run models = run("models");
        assertThat(models.exit()).isZero();
        assertThat(models.out())
                .contains("sequential")
                .contains("thread")
                .contains("pool")
                .contains("virtual");
        assertThat(run("--version").out()).startsWith("echolab ");
        Run help = run("serve", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--model").contains("--max-wait").contains("--threads");
    }

    static {
        if (System.getProperty("echolab.jar") == null) {
            throw new IllegalStateException("run through Maven failsafe: it sets echolab.jar");
        }
    }
}
