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
 * a real server process per cell; then its report.html in headless Chromium. The preset's
 * thundering herd runs in {@link BenchHerdIT}, so that the two halves run side by side.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BenchIT {

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
        BenchRun run = BenchRun.of(dir, 5, "--quick", "--herd", "none");
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
                // skipped, saying why; or, for a process per connection only, empty, saying so: the
                // quick cell's 0.7 s can pass before a busy machine has started the child JVM
                assertThat(c.get("status").asText())
                        .as(cell)
                        .isIn(
                                c.get("model").asText().equals("process")
                                        ? List.of("skipped", "empty")
                                        : List.of("skipped"));
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
        assertEveryPointDrawn(charts);
    }

    /** Each chart one SVG with a mark per point in its model's colour, and y labels at each decade. */
    static void assertEveryPointDrawn(List<Element> charts) {
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
