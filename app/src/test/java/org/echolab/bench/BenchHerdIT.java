package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thundering-herd half of {@code echolab bench --quick} ({@link BenchIT} runs the rest): the
 * prefork family at the preset's 2 and 4 workers, 100 short connections each, with one cell per
 * model (1 client) and no connections scenario; then the terminal table, both reports and the
 * chart in headless Chromium.
 */
class BenchHerdIT {

    /** The models of the thundering-herd scenario: UNP's preforked servers, whose workers all accept. */
    private static final List<String> HERD_MODELS =
            List.of("prefork", "prefork-flock", "prefork-mutex", "prefork-pass");

    @TempDir
    static Path dir;

    static BenchRun run;

    @BeforeAll
    @Timeout(
            value = 6,
            unit = TimeUnit.MINUTES) // BenchRun.of waits 5 for the bench, which may take over the default 2 when busy
    static void runTheQuickHerd() throws Exception {
        run = BenchRun.of(
                dir, 5, "--quick", "--models", String.join(",", HERD_MODELS), "--clients", "1", "--connections", "0");
    }

    @Test
    void theHerdRanEveryPreforkModelAtEveryWorkerCountAndEveryConnectionCostCpu() throws Exception {
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
            long pid = h.get("serverPid").asLong();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("%s: server pid %d alive", point, pid)
                    .isFalse();
        }
        List<String> expected = new ArrayList<>();
        for (String model : HERD_MODELS) {
            expected.addAll(List.of(model + " x2", model + " x4"));
        }
        assertThat(points).containsExactlyElementsOf(expected);
        assertThat(run.results().at("/plan/herdWorkers").toString()).isEqualTo("[2,4]");
        assertThat(BenchIT.processesWritingTo(dir.resolve("results/logs")))
                .as("processes still writing to the bench's server logs")
                .isEmpty();
    }

    @Test
    void theTerminalAndBothReportsHaveTheHerdTableAndTheReportsItsChart() throws Exception {
        assertThat(run.stdout()).containsPattern("prefork-mutex\\s+4\\s+100\\s+0\\s+\\d+\\.\\d{3}");
        String md = Files.readString(dir.resolve("results/report.md"));
        assertThat(md)
                .contains("## Thundering herd (UNP vol. 1 ch. 30.6)")
                .containsPattern("\\| prefork-flock \\| 2 \\| 100 \\| 0 \\| \\d+\\.\\d{3} \\|")
                .contains("![Thundering herd](charts/herd.png)");
        assertThat(dir.resolve("results/charts/herd.png")).isNotEmptyFile();
        assertThat(Files.readAllLines(dir.resolve("results/herd.csv"))).hasSize(1 + 2 * HERD_MODELS.size());

        Document html = Jsoup.parse(dir.resolve("results/report.html").toFile());
        Element chart = html.getElementById("herd");
        assertThat(chart).as("the herd chart in report.html").isNotNull();
        assertThat(chart.attr("data-points")).isEqualTo(String.valueOf(2 * HERD_MODELS.size()));
        assertThat(chart.attr("data-models")).isEqualTo(String.join(" ", HERD_MODELS));
        assertThat(chart.selectFirst("figcaption").text())
                .contains("UNP vol. 1, 3rd ed., ch. 30.6")
                .contains("Digital Unix");
        assertThat(html.select("h2").eachText()).contains("Thundering herd (UNP vol. 1 ch. 30.6)");
    }

    @Test
    void theHerdChartIsDrawnInChromium() throws Exception {
        HeadlessChromium.require();

        HeadlessChromium.Page page = HeadlessChromium.open(dir.resolve("results/report.html"));

        assertThat(page.console()).as("console messages").isEmpty();
        List<Element> herd = page.dom().select("figure.chart#herd");
        assertThat(herd).as("the herd chart").hasSize(1);
        BenchIT.assertEveryPointDrawn(herd);
    }
}
