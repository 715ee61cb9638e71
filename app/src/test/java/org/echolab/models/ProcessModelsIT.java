package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The process models as users run them: the packaged jar in a real JVM of its own, stopped with
 * SIGTERM. Afterwards no process of its tree may be left, and a request in flight was answered.
 */
class ProcessModelsIT {

    private static final Pattern PORT = Pattern.compile("listening on [^ ]+:(\\d+) ");
    private static final String JAR = System.getProperty("echolab.jar");
    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static Process serve(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-jar", JAR, "serve", "--port", "0"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static final Pattern IN_FLIGHT = Pattern.compile("\"requestsInFlight\":(\\d+)");

    /** The tree's requests in flight, from /stats. */
    private static int inFlight(InetSocketAddress at) throws IOException {
        Matcher m = IN_FLIGHT.matcher(ProcessTrees.get(at, "/stats"));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static InetSocketAddress address(Process server) throws IOException {
        String line =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("startup line").isNotNull().contains("parent=" + server.pid());
        Matcher m = PORT.matcher(line);
        assertThat(m.find()).as("port in: " + line).isTrue();
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));
    }

    @ParameterizedTest(name = "--model {0}")
    @ValueSource(strings = {"process", "prefork"})
    @Timeout(180)
    void sigtermDrainsTheRequestInFlightAndLeavesNoProcessBehind(String model) throws Exception {
        Process server = serve("--model", model, "--workers", "2");
        try {
            InetSocketAddress at = address(server);
            assertThat(ProcessTrees.get(at, "/health")).startsWith("HTTP/1.1 200");
            // an idle keep-alive connection, and a request that is still waiting when SIGTERM comes
            Socket idle = new Socket(at.getAddress(), at.getPort());
            idle.getOutputStream().write("GET /health HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return ProcessTrees.get(at, "/echo?msg=drained&wait=2s");
                } catch (IOException e) {
                    return e.toString();
                }
            });
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> server.descendants().count() >= 2);
            // the idle connection's answer is in before the stop (under process its child starts first)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> idle.getInputStream().available() > 0);
            // the waiting request has reached its child or worker: the tree counts it in flight (a
            // /stats request does not count itself in a tree)
            await().atMost(Duration.ofSeconds(60)).until(() -> inFlight(at) >= 1);
            List<ProcessHandle> tree = server.descendants().toList();

            server.destroy(); // SIGTERM

            assertThat(inFlight.get(60, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("drained");
            assertThat(ProcessTrees.readAll(idle.getInputStream()))
                    .as("the idle connection: answered, then closed")
                    .startsWith("HTTP/1.1 200");
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("server exited").isTrue();
            for (ProcessHandle p : tree) {
                assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false))
                        .as("process %d of the tree is gone", p.pid())
                        .isFalse();
            }
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    @Timeout(60)
    void whereThePlatformCannotSpawnTheModelsRefuseAtStartWithExit4() throws Exception {
        for (String model : List.of("process", "prefork")) {
            Process server = new ProcessBuilder(
                            JAVA,
                            "-Dos.name=Plan9",
                            "--enable-native-access=ALL-UNNAMED",
                            "-jar",
                            JAR,
                            "serve",
                            "--model",
                            model,
                            "--port",
                            "0")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(out).isEqualTo(4);
            assertThat(out).contains("model '" + model + "' cannot run here").contains("Plan9");
        }
    }
}
