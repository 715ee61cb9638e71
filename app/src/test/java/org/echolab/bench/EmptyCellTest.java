package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.bench.report.ReportWriter;
import org.echolab.config.ServerConfig;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.server.EchoServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cell that completed no request is not a result of 0 req/s: its status says {@code empty},
 * every table and chart marks it, and it is never a model's best.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmptyCellTest {

    @TempDir
    Path dir;

    @Test
    void aCellThatCompletedNothingIsMarkedEmptyEverywhereAndNeverBest() throws Exception {
        LoadResult nothing;
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build())) {
            // every request waits 2 s and times out after 100 ms: the run completes none, as a cell measured
            // before its server's workers answer does
            nothing = LoadGenerator.run(
                    LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                            .connections(1)
                            .requests(1)
                            .timeout(Duration.ofMillis(100))
                            .serverWait(Duration.ofSeconds(2))
                            .build(),
                    null);
        }
        assertThat(nothing.requests()).isZero();
        Workload sleep = Workload.parse("sleep:100ms");
        long pid = ProcessHandle.current().pid();
        CellResult empty =
                BenchRunner.figures("prefork", 1, sleep, nothing, ProcStats.sample(pid, true), List.of(), pid, "");
        assertThat(empty.status()).isEqualTo(CellResult.EMPTY);
        assertThat(empty.reason()).contains("no request completed").contains("timeout");
        assertThat(empty.ran()).isFalse();

        BenchResults sample = ReportWriterTest.sample();
        List<CellResult> cells = new ArrayList<>(sample.cells());
        cells.add(empty);
        BenchPlan p = sample.plan();
        List<String> models = new ArrayList<>(p.models());
        models.add("prefork");
        BenchPlan plan = new BenchPlan(
                p.preset(),
                models,
                p.clients(),
                p.workloads(),
                p.warmup(),
                p.duration(),
                p.timeout(),
                p.connections(),
                p.processConnections(),
                p.herdWorkers(),
                p.herdConnections(),
                p.sampleEvery(),
                p.serverArgs(),
                p.open());
        BenchResults results = new BenchResults(
                sample.started(),
                sample.finished(),
                sample.preset(),
                sample.command(),
                sample.machine(),
                sample.java(),
                sample.jar(),
                plan,
                cells,
                sample.connections(),
                sample.reference(),
                sample.herd(),
                sample.pinning(),
                sample.open());
        ReportWriter.write(results, dir);

        String markdown = Files.readString(dir.resolve("report.md"));
        assertThat(markdown).contains("| prefork | no result: empty at 1 |").doesNotContain("prefork | 0");
        assertThat(markdown).contains("empty: no request completed");
        Document html = Jsoup.parse(Files.readString(dir.resolve("report.html")));
        assertThat(html.getElementById("rps-sleep-100ms")
                        .selectFirst("figcaption")
                        .text())
                .contains("prefork (empty at 1)");
        assertThat(Files.readString(dir.resolve("results.json"))).contains("\"status\" : \"empty\"");
    }
}
