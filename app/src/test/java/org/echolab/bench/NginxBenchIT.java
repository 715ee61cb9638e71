package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench} with and without the C reference, end to end: the packaged jar runs
 * {@code virtual} and, where nginx with its echo module is installed (.ci/run installs it), nginx
 * on the same cells; pointed at a missing nginx, the report says how to install it.
 */
class NginxBenchIT {

    private static final List<String> BENCH = List.of(
            "bench",
            "--quick",
            "--models",
            "virtual",
            "--clients",
            "10",
            "--workloads",
            "sleep:10ms,cpu:1ms",
            "--connections",
            "0");

    @TempDir
    Path dir;

    @Test
    void nginxRunsOnTheSameCellsAndEveryModelGetsItsRatio() throws Exception {
        assertThat(Nginx.find("nginx").nginx())
                .as("nginx with its echo module: " + Nginx.INSTALL + " (.ci/run does)")
                .isPresent();

        JsonNode results = bench(List.of());

        List<JsonNode> nginx = cells(results, "nginx");
        assertThat(nginx).hasSize(2);
        JsonNode sleep = nginx.get(0);
        assertThat(sleep.get("status").asText()).as(sleep.toString()).isEqualTo("ok");
        assertThat(sleep.get("requests").asLong()).isPositive();
        assertThat(sleep.get("errors").asLong()).as("every echo verified").isZero();
        assertThat(sleep.get("p50Millis").asDouble())
                .as("echo_sleep waited the 10 ms")
                .isGreaterThanOrEqualTo(10);
        assertThat(nginx.get(1).get("reason").asText()).contains("not compute");
        assertThat(ProcessHandle.of(sleep.get("serverPid").asLong()).map(ProcessHandle::isAlive))
                .as("nginx stopped")
                .isNotEqualTo(java.util.Optional.of(true));
        assertThat(results.at("/reference/measured").asBoolean()).isTrue();
        String report = Files.readString(dir.resolve("results/report.md"));
        assertThat(report)
                .contains("C reference: nginx/")
                .contains("× nginx")
                .containsPattern("\\| virtual \\| sleep 10ms \\| 10 \\| [^|]+ \\| [0-9.,]+ \\| [0-9]\\.[0-9]{2} \\|")
                .contains("charts/vs-nginx-sleep-10ms.png");
    }

    @Test
    void withoutNginxTheReportSaysHowToInstallIt() throws Exception {
        JsonNode results = bench(List.of("--nginx", dir.resolve("no-such-nginx").toString()));

        assertThat(cells(results, "nginx")).isEmpty();
        assertThat(cells(results, "virtual")).isNotEmpty();
        assertThat(results.at("/reference/measured").asBoolean()).isFalse();
        assertThat(Files.readString(dir.resolve("results/report.md")))
                .contains("No C reference in this run: no nginx at '" + dir.resolve("no-such-nginx") + "'")
                .contains("apt-get install nginx-light libnginx-mod-http-echo");
        assertThat(Files.readString(dir.resolve("out"))).contains("No C reference in this run");
    }

    private JsonNode bench(List<String> extra) throws Exception {
        Path jar = Path.of(System.getProperty("echolab.jar", "target/echolab.jar"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        cmd.addAll(BENCH);
        cmd.addAll(List.of("--out", dir.resolve("results").toString()));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        assertThat(p.exitValue())
                .as("exit; stderr:%n%s", Files.readString(dir.resolve("err"), StandardCharsets.UTF_8))
                .isZero();
        return new ObjectMapper().readTree(dir.resolve("results/results.json").toFile());
    }

    private static List<JsonNode> cells(JsonNode results, String model) {
        List<JsonNode> out = new ArrayList<>();
        results.get("cells").forEach(c -> {
            if (c.get("model").asText().equals(model)) {
                out.add(c);
            }
        });
        return out;
    }
}
