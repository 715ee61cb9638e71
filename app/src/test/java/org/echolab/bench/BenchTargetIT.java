package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench --target URL}: the packaged jar measures a server it did not start, here a
 * prefork server in a process of its own; with {@code --pids} it reads that server's whole tree
 * from /proc, without it only what the load generator sees.
 */
class BenchTargetIT {

    private static final Pattern PORT = Pattern.compile("listening on [^ ]+:(\\d+) ");

    @TempDir
    Path dir;

    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final String JAR = System.getProperty("echolab.jar", "target/echolab.jar");

    private record Run(int exit, String stderr, JsonNode results) {}

    private Run bench(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                JAVA,
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                JAR,
                "bench",
                "--quick",
                "--out",
                dir.resolve(name).toString()));
        cmd.addAll(List.of(args));
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("bench ended").isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Path json = dir.resolve(name).resolve("results.json");
        return new Run(p.exitValue(), stderr, Files.exists(json) ? new ObjectMapper().readTree(json.toFile()) : null);
    }

    @Test
    @Timeout(400)
    void measuresARunningServerAndItsProcessTreeOnlyWhenGivenItsPids() throws Exception {
        Process server = new ProcessBuilder(
                        JAVA,
                        "--enable-native-access=ALL-UNNAMED",
                        "-jar",
                        JAR,
                        "serve",
                        "--port",
                        "0",
                        "--model",
                        "prefork",
                        "--workers",
                        "2")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String startup = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            Matcher m = PORT.matcher(startup);
            assertThat(m.find()).as(startup).isTrue();
            String url = "http://127.0.0.1:" + m.group(1) + "/echo";

            Run sampled = bench(
                    "sampled", "--target", url, "--pids", Long.toString(server.pid()), "--label", "prefork-by-hand");
            assertThat(sampled.exit()).as(sampled.stderr()).isZero();
            assertThat(sampled.results().get("cells")).hasSize(2);
            for (JsonNode c : sampled.results().get("cells")) {
                assertThat(c.get("model").asText()).isEqualTo("prefork-by-hand");
                assertThat(c.get("status").asText()).isEqualTo("ok");
                assertThat(c.get("errors").asLong()).isZero();
                assertThat(c.get("requestsPerSecond").asDouble()).isPositive();
                assertThat(c.get("processesPeak").asInt())
                        .as("the parent and its two workers")
                        .isEqualTo(3);
                assertThat(c.get("pssPeakBytes").asLong()).isPositive();
            }
            JsonNode conns = sampled.results().get("connections").get(0);
            assertThat(conns.get("status").asText()).isEqualTo("ok");
            assertThat(conns.get("cpuMillisPerConnection").asDouble()).isPositive();

            Run unsampled = bench("unsampled", "--target", url);
            assertThat(unsampled.exit()).as(unsampled.stderr()).isZero();
            for (JsonNode c : unsampled.results().get("cells")) {
                assertThat(c.get("model").asText()).isEqualTo("127.0.0.1:" + m.group(1));
                assertThat(c.get("requestsPerSecond").asDouble()).isPositive();
                assertThat(c.get("processesPeak").asInt()).as("nothing sampled").isZero();
                assertThat(c.get("startupLine").asText()).contains("not sampled");
            }
            assertThat(unsampled
                            .results()
                            .get("connections")
                            .get(0)
                            .get("status")
                            .asText())
                    .isEqualTo("skipped");
            assertThat(server.isAlive())
                    .as("the bench leaves a server it did not start running")
                    .isTrue();

            Run misuse = bench("misuse", "--target", url, "--models", "virtual");
            assertThat(misuse.exit()).isEqualTo(2);
            assertThat(misuse.stderr()).contains("--target measures a running server");
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
