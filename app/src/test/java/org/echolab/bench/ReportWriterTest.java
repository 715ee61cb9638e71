package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.bench.report.Palette;
import org.echolab.bench.report.ReportWriter;
import org.echolab.load.Fairness;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results folder, from known results: every file; every chart with its points in each
 * model's fixed colour, its axes labelled at each decade, the throughput bound, the cells with
 * trouble and those with no result marked; and the page in headless Chromium, which is also
 * saved as screenshots in target/report-screenshots/ for a person to look at.
 */
class ReportWriterTest {

    /** Each model's colour, the same in every chart of every run (the Okabe-Ito palette). */
    private static final Map<String, String> COLOURS = Map.of(
            "sequential",
            "rgb(213,94,0)",
            "pool",
            "rgb(204,121,167)",
            "virtual",
            "rgb(0,158,115)",
            "process",
            "rgb(240,228,66)");

    private static final String BOUND = "rgb(90,90,90)";
    private static final String TROUBLE = "rgb(200,0,0)";
    private static final String NO_RESULT = "rgb(150,150,150)";
    private static final Path SCREENSHOTS = Path.of("target", "report-screenshots");

    @TempDir
    Path dir;

    /**
     * Four models, 1 to 100 clients, a 100 ms sleep. Marked on the charts: sequential starved 9
     * of its 10 connections, pool had timeouts at 100; no result: sequential skipped 100, process
     * failed at 10 and skipped 100.
     */
    static BenchResults sample() {
        Workload sleep = Workload.parse("sleep:100ms");
        BenchPlan plan = new BenchPlan(
                "test",
                List.of("sequential", "pool", "virtual", "process"),
                List.of(1, 10, 100),
                List.of(sleep),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(3),
                100,
                20,
                List.of(),
                0,
                Duration.ofMillis(250),
                List.of(),
                false);
        List<CellResult> cells = List.of(
                cell("sequential", 1, 9.8, 0, new Fairness(1, 29, 29, 29, 0)),
                cell("sequential", 10, 7.4, 0, new Fairness(10, 0, 0, 22, 9)),
                CellResult.notRun(
                        "sequential", 100, sleep, "skipped", "one connection at a time: 99 clients would only wait"),
                cell("pool", 1, 9.8, 0, even(1)),
                cell("pool", 10, 98, 0, even(10)),
                cell("pool", 100, 400, 35, even(100)),
                cell("virtual", 1, 9.9, 0, even(1)),
                cell("virtual", 10, 99, 0, even(10)),
                cell("virtual", 100, 990, 0, even(100)),
                cell("process", 1, 9.5, 0, even(1)),
                CellResult.notRun("process", 10, sleep, "failed", "the server did not start"),
                CellResult.notRun("process", 100, sleep, "skipped", "a JVM per connection: 100 processes (cap 50)"));
        List<ConnectionsResult> conns = List.of(
                new ConnectionsResult("sequential", "ok", "", 100, 0, 1000, 0.03, 0.3, 0, 0, 1, 10),
                new ConnectionsResult("pool", "ok", "", 100, 0, 900, 0.05, 0.5, 0.2, 1.0, 1, 11),
                new ConnectionsResult("virtual", "ok", "", 100, 0, 950, 0.04, 0.4, 0.1, 0.5, 1, 12),
                new ConnectionsResult("process", "failed", "the server did not start", 20, 0, 0, 0, 0, 0, 0, 0, 0));
        return new BenchResults(
                "2026-01-01T00:00Z",
                "2026-01-01T00:10Z",
                "test",
                "echolab bench --test",
                new Machine(2, 20000, 32768, 300, 20L << 30, "6.1"),
                "25",
                "echolab.jar",
                plan,
                cells,
                conns,
                new Reference(Nginx.SERIES, false, "no nginx at 'nginx'; install it with " + Nginx.INSTALL),
                List.of(),
                new Pinning(true, 0, 1, "every server on core 0, the load generator on core 1"),
                List.of());
    }

    private static Fairness even(int clients) {
        return new Fairness(clients, 28, 29, 30, 0);
    }

    private static CellResult cell(String model, int clients, double rps, long errors, Fairness fairness) {
        return new CellResult(
                model,
                clients,
                "sleep 100ms",
                "sleep",
                100,
                "ok",
                "",
                (long) (rps * 3),
                errors,
                errors > 0 ? Map.of("timeout", errors) : Map.of(),
                fairness,
                rps,
                101,
                105,
                110,
                120,
                130,
                0.1,
                250,
                0.2,
                0.05,
                60L << 20,
                70L << 20,
                90L << 20,
                20_000,
                30,
                1,
                20,
                clients / 0.1,
                rps / (clients / 0.1),
                1000 + clients,
                "echolab " + model + " listening on 127.0.0.1:1");
    }

    @Test
    void writesEveryFileOfTheResultsFolder() throws Exception {
        ReportWriter.write(sample(), dir);

        assertThat(dir.resolve("report.md"))
                .content()
                .contains("| sequential | sleep 100ms | 10 | 9 of 10 starved: 0 / 0 / 22 | 7.40 |")
                .contains("| virtual | sleep 100ms | 100 | 28 / 29 / 30 | 990 |")
                .contains("skipped: a JVM per connection: 100 processes (cap 50)")
                .contains("![Throughput against clients, sleep 100ms](charts/rps-sleep-100ms.png)")
                .contains("The dashed line is the most the clients can get")
                .contains("row 1: one fork per client")
                .contains("20.90");
        assertThat(Files.readAllLines(dir.resolve("results.csv")))
                .hasSize(1 + 12)
                .anySatisfy(l -> assertThat(l).startsWith("process,100,sleep 100ms,sleep,100.0,skipped,"))
                .anySatisfy(l ->
                        assertThat(l).startsWith("sequential,10,sleep 100ms,sleep,100.0,ok,,22,0,,0,0.0,22,9,7.4,"));
        JsonNode json = ReportWriter.json().readTree(dir.resolve("results.json").toFile());
        assertThat(json.get("cells")).hasSize(12);
        assertThat(json.at("/cells/1/fairness/starved").asInt()).isEqualTo(9);
        assertThat(json.at("/plan/duration").asText()).isEqualTo("3s");
        assertThat(json.at("/connections/1/scaledTo5000Seconds").asDouble()).isEqualTo(1.0);
        assertThat(dir.resolve("charts/rps-sleep-100ms.png")).isNotEmptyFile();
        assertThat(dir.resolve("charts/connections.svg")).content().startsWith("<svg");
    }

    @Test
    void resultsJsonReadsBackAsWrittenSoTheReportCanBeRenderedAgain() throws Exception {
        BenchResults written = sample();
        ReportWriter.write(written, dir);

        assertThat(ReportWriter.read(dir.resolve("results.json"))).isEqualTo(written);
    }

    /** The results under docs/bench were written before per-connection figures existed. */
    @Test
    void olderResultsWithoutPerConnectionFiguresRenderThemAsNotAvailable() throws Exception {
        BenchResults old = ReportWriter.read(Path.of("..", "docs", "bench", "results.json"));
        assertThat(old.cells())
                .hasSize(105)
                .allSatisfy(c -> assertThat(c.fairness()).isNull());
        assertThat(old.herd()).as("written before the herd scenario").isEmpty();
        assertThat(old.plan().herdWorkers()).isEmpty();

        ReportWriter.render(old, dir);

        assertThat(dir.resolve("report.md"))
                .content()
                .contains("| sequential | sleep 100ms | 10 | n/a | 7.39 |")
                .doesNotContain("Thundering herd");
        assertThat(dir.resolve("herd.csv")).doesNotExist();
        assertThat(Files.readAllLines(dir.resolve("results.csv")))
                .anySatisfy(l -> assertThat(l).startsWith("sequential,10,sleep 100ms,sleep,100.0,ok,,29,0,,,,,,7.39"));
    }

    /** prefork and prefork-mutex at 2, 15 and 120 workers; prefork-mutex skipped 120. */
    static BenchResults withHerd() {
        BenchResults r = sample();
        List<HerdResult> herd = List.of(
                new HerdResult("prefork", 2, "ok", "", 2000, 0, 0.5, 0.25, 20),
                new HerdResult("prefork", 15, "ok", "", 2000, 0, 0.54, 0.27, 21),
                new HerdResult("prefork", 120, "ok", "", 2000, 0, 0.6, 0.3, 22),
                new HerdResult("prefork-mutex", 2, "ok", "", 2000, 0, 0.52, 0.26, 23),
                new HerdResult("prefork-mutex", 15, "ok", "", 2000, 0, 0.56, 0.28, 24),
                HerdResult.notRun(
                        "prefork-mutex",
                        120,
                        "skipped",
                        "120 worker JVMs x ~48 MiB is over half the available memory",
                        2000));
        return new BenchResults(
                r.started(),
                r.finished(),
                r.preset(),
                r.command(),
                r.machine(),
                r.java(),
                r.jar(),
                r.plan(),
                r.cells(),
                r.connections(),
                r.reference(),
                herd,
                r.pinning(),
                r.open());
    }

    @Test
    void theHerdHasItsTableBesideTheBooksFigureAndItsChart() throws Exception {
        ReportWriter.write(withHerd(), dir);

        assertThat(dir.resolve("report.md"))
                .content()
                .contains("## Thundering herd (UNP vol. 1 ch. 30.6)")
                .contains("| prefork | 15 | 2000 | 0 | 0.270 | 1.35 | 6.2 / 1.8 |")
                .contains("| prefork | 120 | 2000 | 0 | 0.300 | 1.50 | 15.7 / 13.5 |")
                .contains("| prefork-mutex | 15 | 2000 | 0 | 0.280 | 1.40 | - |")
                .contains("| prefork-mutex | 120 | 2000 | skipped: 120 worker JVMs")
                .contains("![Thundering herd](charts/herd.png)");
        assertThat(Files.readAllLines(dir.resolve("herd.csv")))
                .hasSize(1 + 6)
                .contains("prefork,120,ok,,2000,0,0.6,0.3,22");
        assertThat(ReportWriter.read(dir.resolve("results.json")).herd())
                .isEqualTo(withHerd().herd());
        Document doc = Jsoup.parse(dir.resolve("report.html").toFile());
        Element herd = doc.getElementById("herd");
        assertThat(herd.attr("data-points")).isEqualTo("5");
        assertThat(herd.attr("data-models")).isEqualTo("prefork prefork-mutex");
        assertThat(herd.selectFirst("figcaption").text())
                .contains("1.24 to 3.14 ms on Digital Unix")
                .contains("0.36 to 2.70 ms on BSD/OS")
                .contains("no result: prefork-mutex x120 (skipped)");
        assertThat(doc.select("tr.skipped").text()).contains("over half the available memory");
        ChartSvg svg = ChartSvg.in(herd);
        assertThat(svg.fills(Palette.of("prefork").rgb()))
                .as("3 points and the legend's")
                .isEqualTo(4);
        assertThat(svg.fills(Palette.of("prefork-mutex").rgb()))
                .as("2 points and the legend's")
                .isEqualTo(3);
        assertThat(ChartSvg.evenlySpaced(svg.yLabels(), 3))
                .as("y labels at whole decades %s", svg.yLabels())
                .isTrue();
        assertThat(ChartSvg.evenlySpaced(svg.xLabels(), 3))
                .as("x labels at whole decades %s", svg.xLabels())
                .isTrue();
    }

    @Test
    void chartsMarkWhatTheyCannotDrawAndThePageIsSelfContained() throws Exception {
        ReportWriter.write(sample(), dir);
        String html = Files.readString(dir.resolve("report.html"));
        Document doc = Jsoup.parse(html);

        assertThat(doc.select("figure.chart"))
                .hasSize(5 + 1); // five metrics for the one workload, and the connections bars
        Element rps = doc.getElementById("rps-sleep-100ms");
        assertThat(rps.attr("data-points")).isEqualTo("9"); // the three cells with no result are not points
        assertThat(rps.attr("data-models")).isEqualTo("sequential pool virtual process");
        assertThat(doc.getElementById("memory-sleep-100ms").attr("data-models")).isEqualTo("sequential pool virtual");
        assertThat(rps.selectFirst("figcaption").text())
                .contains("sequential at 10 (9 of 10 starved), pool at 100 (35 errors)")
                .contains("no result: sequential (skipped at 100), process (skipped at 100; failed at 10)");
        assertThat(doc.getElementById("connections").selectFirst("figcaption").text())
                .contains("No bar: process (failed)");
        assertThat(doc.select("[src], link[href], script")).isEmpty(); // self-contained
        assertThat(doc.select("tr.skipped").text())
                .contains("a JVM per connection")
                .contains("the server did not start");
        Matcher ids = Pattern.compile("id=\"([^\"]+)\"").matcher(html);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (ids.find()) {
            assertThat(seen.add(ids.group(1)))
                    .as("id %s is unique in the page", ids.group(1))
                    .isTrue();
        }
    }

    @Test
    void chromiumDrawsEveryModelInItsColourOnAxesLabelledAtEachDecade() throws Exception {
        HeadlessChromium.require();
        ReportWriter.write(sample(), dir);

        HeadlessChromium.Page page = HeadlessChromium.open(dir.resolve("report.html"));

        assertThat(page.console()).as("console messages").isEmpty();
        assertThat(HeadlessChromium.externalReferences(page.dom()))
                .as("references outside the page")
                .isEmpty();
        List<Element> charts = page.dom().select("figure.chart");
        assertThat(charts).hasSize(6);
        for (Element chart : charts) {
            ChartSvg svg = ChartSvg.in(chart);
            int points = 0;
            for (String model : chart.attr("data-models").split(" ")) {
                // each data point and the legend entry: a colour shared with another model would count double
                int marks = svg.fills(COLOURS.get(model)) - (chart.id().equals("connections") ? 0 : 1);
                assertThat(marks)
                        .as("%s: %s's points in %s", chart.id(), model, COLOURS.get(model))
                        .isPositive();
                points += marks;
            }
            assertThat(points)
                    .as(chart.id() + ": every point in its model's colour")
                    .isEqualTo(Integer.parseInt(chart.attr("data-points")));
            List<Double> y = svg.yLabels();
            assertThat(y).as(chart.id() + ": y labels, one per decade").hasSizeGreaterThanOrEqualTo(2);
            assertThat(ChartSvg.evenlySpaced(y, 3))
                    .as(chart.id() + ": y labels at whole decades %s", y)
                    .isTrue();
            if (!chart.id().equals("connections")) {
                assertThat(ChartSvg.evenlySpaced(svg.xLabels(), 3))
                        .as(chart.id() + ": x labels %s", svg.xLabels())
                        .isTrue();
                assertThat(svg.dashed(BOUND) > 0)
                        .as(chart.id() + ": the bound only on throughput")
                        .isEqualTo(chart.id().startsWith("rps"));
            }
        }

        ChartSvg rps = ChartSvg.in(page.dom().getElementById("rps-sleep-100ms"));
        // 7.4 to 990 req/s, the bound up to 1,000 and the no-result marks below the lowest point: 1 to 1,000
        assertThat(rps.yLabels()).hasSize(4);
        assertThat(rps.xLabels()).hasSize(3); // 1, 10, 100 clients
        assertThat(rps.strokes(TROUBLE))
                .as("crosses: sequential at 10, pool at 100, and the legend's")
                .isEqualTo(3);
        assertThat(rps.strokes(NO_RESULT))
                .as("pluses: sequential at 100, process at 10 and 100, and the legend's")
                .isEqualTo(4);
        ChartSvg memory = ChartSvg.in(page.dom().getElementById("memory-sleep-100ms"));
        assertThat(memory.xLabels()).as("from 10 clients up: 10 and 100").hasSize(2);
    }

    @Test
    void chromiumLaysTheChartsOutAcrossTheWindowAndScreenshotsAreSaved() throws Exception {
        HeadlessChromium.require();
        ReportWriter.write(sample(), dir);
        // a copy of the page that writes where the browser put each chart into the DOM it dumps
        Path measured = dir.resolve("measured.html");
        Files.writeString(measured, Files.readString(dir.resolve("report.html")).replace("</body>", """
                <script>document.body.dataset.layout = [...document.querySelectorAll('figure.chart')]
                    .map(f => Math.round(f.getBoundingClientRect().left) + ':' + Math.round(f.getBoundingClientRect().width))
                    .join(' ');</script></body>"""));

        List<int[]> wide = layout(HeadlessChromium.open(measured, 1800));
        List<int[]> narrow = layout(HeadlessChromium.open(measured, 700));

        assertThat(wide.stream().map(c -> c[0]).distinct())
                .as("charts side by side in a wide window")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(wide)
                .allSatisfy(c ->
                        assertThat(c[1]).as("each chart at least its own width").isGreaterThanOrEqualTo(700));
        assertThat(narrow.stream().map(c -> c[0]).distinct())
                .as("one column in a narrow window")
                .hasSize(1);
        assertThat(narrow)
                .allSatisfy(c -> assertThat(c[1]).as("and it fits the window").isLessThanOrEqualTo(700));

        for (int width : List.of(1800, 700)) {
            Path png = SCREENSHOTS.resolve("report-" + width + ".png");
            Files.deleteIfExists(png);
            HeadlessChromium.screenshot(dir.resolve("report.html"), png, width, 2400);
            assertThat(png).isNotEmptyFile();
        }
    }

    /** Each chart's left edge and width, as the measuring script wrote them. */
    private static List<int[]> layout(HeadlessChromium.Page page) {
        List<int[]> charts = new ArrayList<>();
        for (String c : page.dom().body().attr("data-layout").split(" ")) {
            String[] leftWidth = c.split(":");
            charts.add(new int[] {Integer.parseInt(leftWidth[0]), Integer.parseInt(leftWidth[1])});
        }
        assertThat(charts).hasSize(6);
        return charts;
    }
}
