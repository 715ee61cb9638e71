package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench --herd 2,4}, the thundering-herd scenario, end to end and small: the real
 * jar in its own JVM starting a prefork server per model and worker count (every worker a JVM),
 * 100 short connections each. The matrix is one short cell per model.
 */
class BenchHerdIT {

    private static final List<String> MODELS = List.of("prefork", "prefork-flock", "prefork-mutex");

    @TempDir
    static Path dir;

    static BenchRun run;

    @BeforeAll
    static void runTheHerdSmall() throws Exception {
        run = BenchRun.of(
                dir,
                3,
                "--models",
                String.join(",", MODELS),
                "--clients",
                "1",
                "--workloads",
                "none",
                "--warmup",
                "0s",
                "--duration",
                "200ms",
                "--connections",
                "0",
                "--herd",
                "2,4",
                "--herd-connections",
                "100",
                "--nginx",
                "/nowhere/nginx");
    }

    @Test
    void everyModelAtEveryWorkerCountServedEveryConnectionAndCostCpu() {
        assertThat(run.exit()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        List<String> points = new ArrayList<>();
        for (JsonNode h : run.results().get("herd")) {
            String point = h.get("model").asText() + " x" + h.get("workers").asInt();
            points.add(point);
            assertThat(h.get("status").asText())
                    .as(point + ": " + h.get("reason").asText())
                    .isEqualTo("ok");
            assertThat(h.get("connections").asInt()).as(point).isEqualTo(100);
            assertThat(h.get("errors").asLong()).as(point).isZero();
            assertThat(h.get("cpuMillisPerConnection").asDouble()).as(point).isPositive();
        }
        assertThat(points)
                .containsExactly(
                        "prefork x2",
                        "prefork x4",
                        "prefork-flock x2",
                        "prefork-flock x4",
                        "prefork-mutex x2",
                        "prefork-mutex x4");
        assertThat(run.results().at("/plan/herdWorkers").toString()).isEqualTo("[2,4]");
    }

    @Test
    void theTerminalAndBothReportsHaveTheTableAndTheReportsTheChart() throws Exception {
        assertThat(run.stdout()).containsPattern("prefork-mutex\\s+4\\s+100\\s+0\\s+\\d+\\.\\d{3}");
        String md = Files.readString(dir.resolve("results/report.md"));
        assertThat(md)
                .contains("## Thundering herd (UNP vol. 1 ch. 30.6)")
                .containsPattern("\\| prefork-flock \\| 2 \\| 100 \\| 0 \\| \\d+\\.\\d{3} \\|")
                .contains("![Thundering herd](charts/herd.png)");
        assertThat(dir.resolve("results/charts/herd.png")).isNotEmptyFile();
        assertThat(Files.readAllLines(dir.resolve("results/herd.csv"))).hasSize(1 + 6);

        Document html = Jsoup.parse(dir.resolve("results/report.html").toFile());
        Element chart = html.getElementById("herd");
        assertThat(chart).as("the herd chart in report.html").isNotNull();
        assertThat(chart.attr("data-points")).isEqualTo("6");
        assertThat(chart.attr("data-models")).isEqualTo(String.join(" ", MODELS));
        assertThat(chart.selectFirst("figcaption").text())
                .contains("UNP vol. 1, 3rd ed., ch. 30.6")
                .contains("Digital Unix");
        assertThat(html.select("h2").eachText()).contains("Thundering herd (UNP vol. 1 ch. 30.6)");
    }

    @Test
    void leavesNoServerOrWorkerBehind() throws Exception {
        // a worker writes its stderr to its server's log: none is left that still does
        assertThat(BenchIT.processesWritingTo(dir.resolve("results/logs"))).isEmpty();
        for (JsonNode h : run.results().get("herd")) {
            long pid = h.get("serverPid").asLong();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("server pid %d alive", pid)
                    .isFalse();
        }
    }
}
