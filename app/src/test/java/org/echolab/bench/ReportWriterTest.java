package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.bench.report.ReportWriter;
import org.echolab.load.Fairness;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results folder, from known results: every file, every chart with its points, skipped cells with their reasons. */
class ReportWriterTest {

    @TempDir
    Path dir;

    static BenchResults sample() {
        Workload sleep = Workload.parse("sleep:100ms");
        BenchPlan plan = new BenchPlan("test", List.of("pool", "virtual", "process"), List.of(1, 10, 100), List.of(sleep),
                Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3), 100, 20, Duration.ofMillis(250), List.of());
        List<CellResult> cells = List.of(
                cell("pool", 1, 9.8), cell("pool", 10, 98), cell("pool", 100, 950),
                cell("virtual", 1, 9.9), cell("virtual", 10, 99), cell("virtual", 100, 990),
                cell("process", 1, 9.5), cell("process", 10, 90),
                CellResult.notRun("process", 100, sleep, "skipped", "a JVM per connection: 100 processes (cap 50)"));
        List<ConnectionsResult> conns = List.of(
                new ConnectionsResult("pool", "ok", "", 100, 0, 900, 0.05, 0.5, 0.1, 0.5, 1, 11),
                new ConnectionsResult("virtual", "ok", "", 100, 0, 950, 0.04, 0.4, 0.0, 0.0, 1, 12),
                new ConnectionsResult("process", "ok", "process per connection: 20 connections, not 100", 20, 0, 10, 4, 200, 199.6, 998, 11, 13));
        return new BenchResults("2026-01-01T00:00Z", "2026-01-01T00:10Z", "test", "echolab bench --test",
                new Machine(2, 20000, 32768, 300, 20L << 30, "6.1"), "25", "echolab.jar", plan, cells, conns);
    }

    private static CellResult cell(String model, int clients, double rps) {
        return new CellResult(model, clients, "sleep 100ms", "sleep", 100, "ok", "", (long) (rps * 3), 0, Map.of(), new Fairness(clients, 2, 3, 4, 0), rps,
                101, 105, 110, 120, 130, 0.1, 250, 0.2, 0.05, 60L << 20, 70L << 20, 90L << 20, 20_000, 30, 1, 20,
                clients / 0.1, rps / (clients / 0.1), 1000 + clients, "echolab " + model + " listening on 127.0.0.1:1");
    }

    @Test
    void writesEveryFileOfTheResultsFolder() throws Exception {
        ReportWriter.write(sample(), dir);

        assertThat(dir.resolve("report.md")).content().contains("| pool | sleep 100ms | 10 |")
                .contains("skipped: a JVM per connection: 100 processes (cap 50)")
                .contains("![Throughput against clients, sleep 100ms](charts/rps-sleep-100ms.svg)")
                .contains("row 1: one fork per client").contains("20.90");
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(1 + 9)
                .anySatisfy(l -> assertThat(l).startsWith("process,100,sleep 100ms,sleep,100.0,skipped,"));
        JsonNode json = ReportWriter.json().readTree(dir.resolve("results.json").toFile());
        assertThat(json.get("cells")).hasSize(9);
        assertThat(json.at("/plan/duration").asText()).isEqualTo("3s");
        assertThat(json.at("/connections/2/scaledTo5000Seconds").asDouble()).isEqualTo(998);
        assertThat(dir.resolve("charts/rps-sleep-100ms.png")).isNotEmptyFile();
        assertThat(dir.resolve("charts/connections.svg")).content().startsWith("<svg");
    }

    @Test
    void eachChartDrawsEveryPointItClaimsAndThePageFetchesNothing() throws Exception {
        ReportWriter.write(sample(), dir);
        String html = Files.readString(dir.resolve("report.html"));
        Document doc = Jsoup.parse(html);

        List<Element> charts = doc.select("figure.chart");
        assertThat(charts).hasSize(5 + 1);   // five metrics for the one workload, and the connections bars
        Element rps = doc.getElementById("rps-sleep-100ms");
        assertThat(rps.attr("data-points")).isEqualTo("8");                 // the skipped cell is not drawn
        assertThat(rps.select("ellipse")).hasSize(8 + 3);                   // a circle per point, one per legend entry
        assertThat(doc.getElementById("memory-sleep-100ms").attr("data-points")).isEqualTo("5");   // 10 clients and more
        assertThat(doc.getElementById("connections").select("path[style*=rgb(31,119,180)]")).hasSize(3);
        assertThat(doc.select("[src], link[href], script")).isEmpty();      // self-contained
        assertThat(doc.select("tr.skipped").text()).contains("a JVM per connection");
        Matcher ids = Pattern.compile("id=\"([^\"]+)\"").matcher(html);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (ids.find()) {
            assertThat(seen.add(ids.group(1))).as("id %s is unique in the page", ids.group(1)).isTrue();
        }
    }
}
