package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.echolab.bench.report.ReportWriter;
import org.echolab.bench.report.Tables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open workload in every output, from known rows: tails beside nginx's, the rate each kept, a
 * schedule not kept, and a run that measured nothing saying so rather than showing zeros; and where
 * servers and the load generator ran, or, loudly, that they shared the cores.
 */
@Timeout(30)
class OpenReportTest {

    @TempDir
    Path dir;

    static final List<OpenResult> ROWS = List.of(
            new OpenResult("nginx", 100, 0, "ok", "", 200_000, 0, 40_000, 0, 0, false, 0.9, 2.0, 11),
            new OpenResult("nginx", 50, 20_000, "ok", "", 100_000, 0, 20_000, 0, 0.1, false, 0.5, 1.0, 11),
            new OpenResult("nginx", 90, 36_000, "ok", "", 180_000, 0, 36_000, 0, 0.2, false, 0.8, 1.6, 11),
            new OpenResult("virtual", 50, 20_000, "ok", "", 100_000, 0, 19_990, 0, 0.3, false, 2.5, 9.0, 12),
            new OpenResult("virtual", 90, 36_000, "ok", "", 150_000, 0, 30_000, 1234, 15.0, true, 40, 80, 12),
            new OpenResult(
                    "pool",
                    50,
                    20_000,
                    CellResult.EMPTY,
                    "no request completed in the recorded period; " + "5000 due were never sent",
                    0,
                    50,
                    0,
                    5000,
                    300,
                    true,
                    0,
                    0,
                    13),
            OpenResult.notRun("process", 50, 20_000, "skipped", "a JVM per connection"));

    static BenchResults withOpen(Pinning pinning) {
        BenchResults r = ReportWriterTest.sample();
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
                r.herd(),
                pinning,
                ROWS);
    }

    @Test
    void theTableGivesTailsBesideNginxsAndTheRateEachKept() {
        String text = Tables.text(Tables.open(ROWS));

        assertThat(text)
                .containsPattern("nginx\\s+max \\(closed\\)\\s+-\\s+40,000\\s+0.90\\s+2.00")
                .containsPattern(
                        "virtual\\s+50%\\s+20,000\\s+19,990 \\(100%\\)\\s+2.50\\s+9.00\\s+5.00\\s+9.00\\s+kept: 0 unsent")
                .containsPattern("virtual\\s+90%\\s+36,000\\s+30,000 \\(83%\\)\\s+40.00\\s+80.00\\s+50.00\\s+50.00\\s+"
                        + "FELL BEHIND: 1234 unsent, lag p99 15.00 ms");
        assertThat(Tables.openTitle(ROWS)).contains("nginx's maximum closed rate (40,000 req/s)");
    }

    @Test
    void aRunThatMeasuredNothingSaysSoAndShowsNoFigures() {
        List<String> row = Tables.open(ROWS).rows().get(5);

        assertThat(row.subList(0, 4))
                .containsExactly(
                        "pool",
                        "50%",
                        "20,000",
                        "empty: no request completed in the recorded period; 5000 due were never sent");
        assertThat(row.subList(4, row.size())).allMatch(String::isEmpty);
        assertThat(Tables.openWarnings(ROWS))
                .anySatisfy(w -> assertThat(w).startsWith("open workload: pool at 50% MEASURED NOTHING (empty)"))
                .anySatisfy(w -> assertThat(w).startsWith("open workload: process at 50% MEASURED NOTHING (skipped)"))
                .anySatisfy(w -> assertThat(w).startsWith("open workload: virtual at 90% FELL BEHIND its schedule"));
    }

    @Test
    void everyOutputHasTheOpenWorkloadAndWhereEachSideRan() throws Exception {
        BenchResults r = withOpen(new Pinning(true, 0, 1, "every server on core 0, the load generator on core 1"));

        ReportWriter.write(r, dir);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md)
                .contains("## Open workload")
                .contains("| virtual | 90% | 36,000 | 30,000 (83%) | 40.00 | 80.00 |")
                .contains("**open workload: virtual at 90% FELL BEHIND")
                .contains("Pinned: every server on core 0, the load generator on core 1.");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<h2 id=\"open\">").contains("FELL BEHIND: 1234 unsent");
        assertThat(Files.readAllLines(dir.resolve("open.csv")))
                .hasSize(1 + ROWS.size())
                .anySatisfy(l ->
                        assertThat(l).startsWith("virtual,90,36000.0,ok,,150000,0,30000.0,1234,15.0,true,40.0,80.0"));
        assertThat(ReportWriter.read(dir.resolve("results.json")).open()).isEqualTo(ROWS);
    }

    @Test
    void anUnpinnedRunSaysSoInTheReport() throws Exception {
        ReportWriter.write(withOpen(Pinning.not("this process may use 1 core")), dir);

        assertThat(Files.readString(dir.resolve("report.md"))).contains("NOT PINNED: this process may use 1 core");
        assertThat(Files.readString(dir.resolve("report.html")))
                .contains("<p class=\"note warning\" id=\"pinning\">NOT PINNED: this process may use 1 core");
    }

    @Test
    void theScenarioRunsNginxsMaximumThenTwoRatesPerServer() {
        BenchPlan quick = BenchPlan.quick(List.of("virtual", "pool"));
        BenchPlan open = new BenchPlan(
                quick.preset(),
                quick.models(),
                quick.clients(),
                quick.workloads(),
                quick.warmup(),
                quick.duration(),
                quick.timeout(),
                quick.connections(),
                quick.processConnections(),
                quick.herdWorkers(),
                quick.herdConnections(),
                quick.sampleEvery(),
                quick.serverArgs(),
                true);

        assertThat(quick.openRuns()).isZero();
        assertThat(open.openRuns()).isEqualTo(1 + 3 * 2);
        assertThat(OpenScenario.rate(40_001, 90)).isEqualTo(36_001);
        assertThat(OpenScenario.rate(0, 50)).isZero();
    }
}
