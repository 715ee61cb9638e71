package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.echolab.testing.Tools;

/** The packaged jar as users run it: a real child process, real signals, real curl. */
class ServeIT {

    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", System.getProperty("echolab.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) throws Exception {
        Path err = Tools.logFile("serve-");
        Process p = new ProcessBuilder(java(args)).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    @Test
    void servesUntilSigtermThenDrainsAndExitsZero() throws Exception {
        Path err = Tools.logFile("serve-");
        Process server = new ProcessBuilder(java("serve", "--port", "0", "--model", "thread", "--wait", "10ms"))
                .redirectError(err.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String startup = out.readLine();
            assertThat(startup).contains("echolab thread").contains("wait=10ms").contains("pid=" + server.pid());
            Matcher m = PORT.matcher(startup);
            assertThat(m.find()).as(startup).isTrue();
            int port = Integer.parseInt(m.group(1));

            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/echo?msg=hi&wait=100ms").start();
            assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(curl.waitFor()).isZero();

            try (RawClient inFlight = new RawClient(port)) {
                inFlight.send(RawClient.get("/echo?msg=last&wait=5s"));
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (RawClient stats = new RawClient(port)) {
                        return stats.send(RawClient.get("/stats")).readResponse().text().contains("\"requestsInFlight\":2");   // this /stats request and the echo
                    }
                });
                server.destroy();                      // SIGTERM
                RawClient.Response r = inFlight.readResponse();
                assertThat(r.text()).as("the request in flight is drained, not dropped").isEqualTo("last");
                assertThat(r.header("Connection")).isEqualTo("close");
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(err)).isZero();
            assertThat(Files.readString(err)).contains("stopping").contains("stopped");
        } finally {
            server.destroyForcibly();
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
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("--port");
        }
    }

    @Test
    void modelsVersionAndHelp() throws Exception {
        Run models = run("models");
        assertThat(models.exit()).isZero();
        assertThat(models.out()).contains("sequential").contains("thread").contains("pool").contains("virtual");
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
