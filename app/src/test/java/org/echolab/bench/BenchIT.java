package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.bench.report.Palette;
import org.echolab.models.Models;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench --quick} end to end, as CI runs it: the real jar in its own JVM, starting
 * a real server process per cell; then its report.html in headless Chromium.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BenchIT {

    /** The models of the thundering-herd scenario: UNP's preforked servers, whose workers all accept. */
    private static final List<String> HERD_MODELS =
            List.of("prefork", "prefork-flock", "prefork-mutex", "prefork-pass");

    @TempDir
    static Path dir;

    static int exit;
    static String stdout;
    static String stderr;
    static JsonNode results;

    @BeforeAll
    @Timeout(
            value = 6,
            unit = TimeUnit.MINUTES) // BenchRun.of waits 5 for the bench, which may take over the default 2 when busy
    static void runQuickBench() throws Exception {
        BenchRun run = BenchRun.of(dir, 5, "--quick");
        exit = run.exit();
        stdout = run.stdout();
        stderr = run.stderr();
        results = run.results();
    }

    @Test
    @Order(1)
    void runsEveryModelAndWritesTheResultsFolder() {
        assertThat(exit).as("exit code; stderr:%n%s", stderr).isZero();
        for (String f : List.of("results.json", "results.csv", "connections.csv", "report.md", "report.html")) {
            assertThat(dir.resolve("results").resolve(f)).isNotEmptyFile();
        }
        List<String> models = new ArrayList<>();
        results.get("cells").forEach(c -> models.add(c.get("model").asText()));
        assertThat(models).containsAll(Models.names());
        assertThat(stdout).contains("req/s").contains("report: ");
        int steps = results.get("cells").size()
                + results.get("connections").size()
                + results.get("herd").size();
        assertThat(stderr).as("the progress bar counts every step").contains("] " + steps + "/" + steps + " ");
    }

    @Test
    @Order(2)
    void everyCellRanWithFiguresFromProcOrSaysWhyNot() {
        for (JsonNode c : results.get("cells")) {
            String cell = c.get("model").asText() + " c=" + c.get("clients").asInt();
            if (c.get("status").asText().equals("ok")) {
                assertThat(c.get("requests").asLong()).as(cell + " requests").isPositive();
                assertThat(c.get("requestsPerSecond").asDouble()).as(cell).isPositive();
                assertThat(c.get("p99Millis").asDouble())
                        .as(cell)
                        .isGreaterThanOrEqualTo(10); // every request sleeps 10 ms
                assertThat(c.get("pssPeakBytes").asLong()).as(cell + " PSS").isPositive();
                assertThat(c.get("threadsPeak").asInt()).as(cell + " threads").isPositive();
                assertThat(c.get("processesPeak").asInt())
                        .as(cell + " processes")
                        .isPositive();
                assertThat(c.get("descriptorsPeak").asInt())
                        .as(cell + " descriptors")
                        .isPositive();
            } else {
                assertThat(c.get("status").asText()).as(cell).isEqualTo("skipped");
                assertThat(c.get("reason").asText()).as(cell).isNotBlank();
            }
        }
    }

    @Test
    @Order(3)
    void theConnectionsScenarioMeasuresEveryModelAgainstSequential() {
        JsonNode conns = results.get("connections");
        assertThat(conns.get(0).get("model").asText()).isEqualTo("sequential");
        assertThat(conns).hasSize(Models.names().size());
        for (JsonNode c : conns) {
            assertThat(c.get("status").asText()).as(c.get("model").asText()).isEqualTo("ok");
            assertThat(c.get("errors").asLong()).as(c.get("model").asText()).isZero();
            assertThat(c.get("cpuSeconds").asDouble())
                    .as(c.get("model").asText())
                    .isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    @Order(4)
    void leavesNoServerProcessBehind() throws Exception {
        assertThat(processesWritingTo(dir.resolve("results/logs")))
                .as("processes still writing to the bench's server logs")
                .isEmpty();
        List<Long> pids = new ArrayList<>();
        results.get("cells").forEach(c -> pids.add(c.get("serverPid").asLong()));
        results.get("connections").forEach(c -> pids.add(c.get("serverPid").asLong()));
        for (long pid : pids) {
            if (pid != 0) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("server pid %d alive", pid)
                        .isFalse();
            }
        }
    }

    /** The thundering-herd scenario of {@code --quick}: the prefork family at 2 and 4 workers, 100 short connections each. */
    @Test
    @Order(8)
    void theHerdRanEveryPreforkModelAtEveryWorkerCountAndEveryConnectionCostCpu() {
        List<String> points = new ArrayList<>();
        for (JsonNode h : results.get("herd")) {
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
        assertThat(results.at("/plan/herdWorkers").toString()).isEqualTo("[2,4]");
    }

    @Test
    @Order(9)
    void theTerminalAndBothReportsHaveTheHerdTableAndTheReportsItsChart() throws Exception {
        assertThat(stdout).containsPattern("prefork-mutex\\s+4\\s+100\\s+0\\s+\\d+\\.\\d{3}");
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

    /** Every server, and every process it started, writes its stderr to a log in the results folder: who still does. */
    static List<String> processesWritingTo(Path logsDir) throws java.io.IOException {
        Path logs = logsDir.toRealPath();
        List<String> holders = new ArrayList<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (var fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (Files.readSymbolicLink(fd).startsWith(logs)) {
                            holders.add(proc.getFileName() + " "
                                    + ProcessHandle.of(Long.parseLong(
                                                    proc.getFileName().toString()))
                                            .flatMap(h -> h.info().commandLine())
                                            .orElse(""));
                        }
                    }
                } catch (java.io.IOException gone) {
                    // not ours to read, or ended meanwhile
                }
            }
        }
        return holders;
    }

    @Test
    @Order(5)
    void theReportOpensOfflineInChromiumWithEveryChartDrawn() throws Exception {
        HeadlessChromium.require();

        HeadlessChromium.Page page = HeadlessChromium.open(dir.resolve("results/report.html"));

        assertThat(page.console()).as("console messages").isEmpty();
        assertThat(HeadlessChromium.externalReferences(page.dom()))
                .as("references outside the page")
                .isEmpty();
        List<Element> charts = page.dom().select("figure.chart");
        assertThat(charts).hasSizeGreaterThanOrEqualTo(5 + 1); // 5 metrics x 1 workload + connections
        for (Element chart : charts) {
            int points = Integer.parseInt(chart.attr("data-points"));
            assertThat(points).as(chart.id()).isPositive();
            assertThat(chart.select("svg")).as(chart.id()).hasSize(1);
            ChartSvg svg = ChartSvg.in(chart);
            int drawn = 0;
            for (String model : chart.attr("data-models").split(" ")) {
                // a mark per point (a bar per model) in the model's colour, and one in the legend of a line chart
                drawn += svg.fills(Palette.of(model).rgb()) - (chart.id().equals("connections") ? 0 : 1);
            }
            assertThat(drawn)
                    .as(chart.id() + ": every point in its model's colour")
                    .isEqualTo(points);
            assertThat(ChartSvg.evenlySpaced(svg.yLabels(), 3))
                    .as(chart.id() + ": y labels at each decade")
                    .isTrue();
        }
    }

    /** sequential serves one connection at a time, to the end: of 10 keep-alive clients, 9 get nothing. */
    @Test
    @Order(7)
    void sequentialStarvesNineOfTenClientsAndTheReportSaysSoFirst() throws Exception {
        JsonNode cell = null;
        for (JsonNode c : results.get("cells")) {
            if (c.get("model").asText().equals("sequential") && c.get("clients").asInt() == 10) {
                cell = c;
            }
        }
        assertThat(cell).as("the sequential cell with 10 clients").isNotNull();
        assertThat(cell.at("/fairness/starved").asInt())
                .as("%s", cell.get("fairness"))
                .isEqualTo(9);
        assertThat(stdout).containsPattern("sequential\\s+sleep 10ms\\s+10\\s+9 of 10 starved: 0 / 0 / \\d+ ");
        assertThat(Files.readString(dir.resolve("results/report.md")))
                .containsPattern("\\| sequential \\| sleep 10ms \\| 10 \\| 9 of 10 starved: ");
    }

    @Test
    @Order(6)
    void theChromiumCheckCatchesScriptErrorsFetchesAndMissingCharts() throws Exception {
        HeadlessChromium.require();
        Path broken = dir.resolve("broken.html");
        Files.writeString(broken, """
                <!doctype html><html><body>
                <figure class="chart" data-points="3" data-models="virtual"><svg></svg></figure>
                <img src="https://example.com/logo.png"><script>notDefined();</script>
                </body></html>""");

        HeadlessChromium.Page page = HeadlessChromium.open(broken);

        assertThat(page.console()).anySatisfy(l -> assertThat(l).contains("notDefined"));
        assertThat(HeadlessChromium.externalReferences(page.dom())).containsExactly("https://example.com/logo.png");
        assertThat(ChartSvg.in(page.dom().selectFirst("figure.chart"))
                        .fills(Palette.of("virtual").rgb()))
                .as("an empty chart has none of its model's marks")
                .isZero();
    }
}
