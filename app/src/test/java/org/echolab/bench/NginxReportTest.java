package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.echolab.bench.report.ReportWriter;
import org.echolab.load.Fairness;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C reference in the report: with nginx measured, every table and the ratio chart give each
 * model's req/s over nginx's on the same cell; without it, the report says so and how to install it.
 */
class NginxReportTest {

    @TempDir
    Path dir;

    @Test
    void withNginxEveryTableAndAChartGiveEachModelsRatioToIt() throws Exception {
        ReportWriter.write(run(true), dir);

        assertThat(dir.resolve("report.md"))
                .content()
                .contains("C reference: nginx/1.22.1 with its echo module")
                .contains("| virtual | sleep 100ms | 10 | 28 / 29 / 30 | 90.0 | 0.90 |") // every cell
                .contains("| nginx | sleep 100ms | 10 | 28 / 29 / 30 | 100 | 1.00 |")
                .contains("| sleep 100ms | virtual | 900 @ 100 | 0.95 |") // the headline table
                .contains("![Throughput over nginx's against clients, sleep 100ms](charts/vs-nginx-sleep-100ms.png)");
        assertThat(Files.readAllLines(dir.resolve("results.csv")))
                .anySatisfy(l -> assertThat(l).startsWith("virtual,100,").endsWith(",0.95"));
        Document html = Jsoup.parse(dir.resolve("report.html").toFile());
        assertThat(html.getElementById("rps-sleep-100ms").attr("data-models")).isEqualTo("virtual nginx");
        assertThat(html.getElementById("vs-nginx-sleep-100ms").attr("data-points"))
                .isEqualTo("6"); // nginx: the line at 1
        assertThat(html.getElementById("reference").text()).contains("× nginx is a model's req/s over nginx's");
    }

    @Test
    void withoutNginxTheReportSaysSoAndHowToInstallIt() throws Exception {
        ReportWriter.write(run(false), dir);

        assertThat(dir.resolve("report.md"))
                .content()
                .contains("No C reference in this run: no nginx at '/nowhere/nginx'; install it with "
                        + "apt-get install nginx-light libnginx-mod-http-echo")
                .contains("| virtual | sleep 100ms | 10 | 28 / 29 / 30 | 90.0 | - |");
        Document html = Jsoup.parse(dir.resolve("report.html").toFile());
        assertThat(html.getElementById("vs-nginx-sleep-100ms")).isNull();
        assertThat(html.getElementById("reference").text())
                .contains("apt-get install nginx-light libnginx-mod-http-echo");
    }

    /** virtual at 1, 10, 100 clients; nginx on the same cells when {@code measured}: 0.90 to 0.95 of it. */
    private static BenchResults run(boolean measured) {
        Workload sleep = Workload.parse("sleep:100ms");
        BenchPlan plan = new BenchPlan(
                "test",
                List.of("virtual"),
                List.of(1, 10, 100),
                List.of(sleep),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(3),
                0,
                0,
                List.of(),
                0,
                Duration.ofMillis(250),
                List.of(),
                false);
        List<CellResult> cells = new java.util.ArrayList<>(
                List.of(cell("virtual", 1, 9), cell("virtual", 10, 90), cell("virtual", 100, 900)));
        if (measured) {
            cells.addAll(List.of(cell("nginx", 1, 10), cell("nginx", 10, 100), cell("nginx", 100, 950)));
        }
        Reference ref = measured
                ? new Reference(Nginx.SERIES, true, "nginx/1.22.1 with its echo module, a worker process per core")
                : new Reference(Nginx.SERIES, false, "no nginx at '/nowhere/nginx'; install it with " + Nginx.INSTALL);
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
                List.of(),
                ref,
                List.of(),
                null,
                List.of());
    }

    private static CellResult cell(String model, int clients, double rps) {
        return new CellResult(
                model,
                clients,
                "sleep 100ms",
                "sleep",
                100,
                "ok",
                "",
                (long) (rps * 3),
                0,
                Map.of(),
                new Fairness(clients, 28, 29, 30, 0),
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
                model + " listening on 127.0.0.1:1");
    }
}
