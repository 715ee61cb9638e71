package org.echolab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.echolab.cli.Main;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --hlog} and {@code load merge}: two generators load one server at the same time, each
 * writes an HdrHistogram log, and the logs read back and merge into exactly what the two runs
 * measured together.
 */
class HistogramLogTest {

    @TempDir
    Path dir;

    /** Runs {@code spec} with a log at {@code file}, as {@code echolab load --hlog} does. */
    private static LoadResult runLogged(LoadSpec spec, Path file) throws IOException, LoadException {
        HistogramLog.Writer writer = HistogramLog.Writer.open(file, spec);
        LoadResult result = LoadGenerator.run(spec, writer);
        writer.finish(result);
        return result;
    }

    @Test
    void logsOfTwoSimultaneousRunsMergeIntoExactlyWhatTheyMeasured() throws Exception {
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build())) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            LoadSpec a = LoadSpec.builder(target)
                    .connections(3)
                    .serverWait(Duration.ofMillis(5))
                    .warmup(Duration.ofMillis(1200))
                    .duration(Duration.ofMillis(2500))
                    .threads(1)
                    .build();
            LoadSpec b = LoadSpec.builder(target)
                    .connections(2)
                    .serverWait(Duration.ofMillis(20))
                    .duration(Duration.ofMillis(2500))
                    .threads(1)
                    .build();
            CompletableFuture<LoadResult> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return runLogged(b, dir.resolve("b.hlog"));
                } catch (IOException | LoadException e) {
                    throw new IllegalStateException(e);
                }
            });
            LoadResult ra = runLogged(a, dir.resolve("a.hlog"));
            LoadResult rb = second.get();

            // each log is a plain HdrHistogram interval log: one histogram a second, warm-up left out
            List<Histogram> intervals = intervals(dir.resolve("a.hlog"));
            assertThat(intervals).hasSizeBetween(1, 5);
            assertThat(intervals.stream().mapToLong(Histogram::getTotalCount).sum())
                    .isEqualTo(ra.requests());
            for (int i = 0; i < intervals.size(); i++) {
                Histogram h = intervals.get(i);
                long length = h.getEndTimeStamp() - h.getStartTimeStamp();
                assertThat(length).as("interval %d's length, ms", i).isBetween(1L, 10_000L);
                if (i > 0) {
                    assertThat(h.getStartTimeStamp())
                            .as("interval %d follows the one before", i)
                            .isEqualTo(intervals.get(i - 1).getEndTimeStamp());
                }
            }

            HistogramLog.Run la = HistogramLog.read(dir.resolve("a.hlog"));
            assertThat(la.requests()).isEqualTo(ra.requests());
            assertThat(la.latency()).isEqualTo(ra.latency());
            assertThat(la.elapsed().toMillis()).isCloseTo(ra.elapsed().toMillis(), within(1L));
            assertThat(la.target()).isEqualTo(target.toString());
            assertThat(la.errors()).isZero();

            MergedRuns merged = new MergedRuns(List.of(la, HistogramLog.read(dir.resolve("b.hlog"))));
            Histogram both = ra.latency();
            both.add(rb.latency());
            assertThat(merged.requests()).isEqualTo(ra.requests() + rb.requests());
            assertThat(merged.percentileMillis(99))
                    .as("the p99 of all requests, not an average of two p99s")
                    .isEqualTo(both.getValueAtPercentile(99) / 1000.0);
            assertThat(merged.maxMillis()).isEqualTo(Math.max(ra.maxMillis(), rb.maxMillis()));
            assertThat(merged.throughput()).isCloseTo(ra.throughput() + rb.throughput(), offset(0.5));
            assertThat(merged.spanSeconds()).as("they ran at the same time").isBetween(2.0, 30.0);
            assertThat(merged.toJson()).contains("\"requests\" : " + merged.requests());

            assertThat(Main.run(
                            "load",
                            "merge",
                            dir.resolve("a.hlog").toString(),
                            dir.resolve("b.hlog").toString()))
                    .isZero();
        }
    }

    @Test
    void everyIntervalReadBackStartsWhereTheOneBeforeEnded() throws Exception {
        // Many short intervals, no server: HdrHistogram's reader truncates seconds x 1000, and about
        // one boundary in ten came back a millisecond early, leaving a hole between two intervals.
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:9/echo"))
                .duration(Duration.ofSeconds(1))
                .build();
        HistogramLog.Writer writer = HistogramLog.Writer.open(dir.resolve("many.hlog"), spec);
        Histogram all = new Histogram(3);
        for (int i = 0; i < 300; i++) {
            long before = System.currentTimeMillis();
            while (System.currentTimeMillis() == before) {
                Thread.onSpinWait(); // the clock moves on: each interval at least 1 ms
            }
            Histogram interval = new Histogram(3);
            interval.recordValue(100 + i);
            all.add(interval);
            writer.accept(new LoadGenerator.Progress(Duration.ofSeconds(1 + i), i, 0, 0, 0, interval));
        }
        List<Histogram> intervals = intervals(dir.resolve("many.hlog"));
        assertThat(intervals).hasSize(300);
        for (int i = 1; i < intervals.size(); i++) {
            assertThat(intervals.get(i).getStartTimeStamp())
                    .as("interval %d follows the one before", i)
                    .isEqualTo(intervals.get(i - 1).getEndTimeStamp());
            assertThat(intervals.get(i).getEndTimeStamp())
                    .as("interval %d's end", i)
                    .isGreaterThanOrEqualTo(intervals.get(i).getStartTimeStamp());
        }
    }

    @Test
    void errorsAreCarriedByKindAndMakeTheMergeFail() throws Exception {
        try (EchoServer server = EchoServer.start(ServerConfig.builder()
                .model("virtual")
                .port(0)
                .maxWait(Duration.ofMillis(10))
                .build())) {
            URI target = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            LoadSpec refused = LoadSpec.builder(target)
                    .connections(1)
                    .requests(5)
                    .serverWait(Duration.ofMillis(50))
                    .build(); // above --max-wait: 400 each time
            LoadResult r = runLogged(refused, dir.resolve("errors.hlog"));
            assertThat(r.errorsByKind()).containsEntry("status-400", 5L);

            HistogramLog.Run run = HistogramLog.read(dir.resolve("errors.hlog"));
            assertThat(run.errorsByKind()).containsEntry("status-400", 5L);
            assertThat(run.requests()).isZero();
            assertThat(Main.run("load", "merge", dir.resolve("errors.hlog").toString()))
                    .as("exit 1: errors")
                    .isEqualTo(1);
        }
    }

    @Test
    void aFileThatIsNotALogIsAUsageError() throws Exception {
        Path notALog = Files.writeString(dir.resolve("x.hlog"), "hello\n");
        assertThatThrownBy(() -> HistogramLog.read(notALog))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("echolab-load");
        assertThat(Main.run("load", "merge", notALog.toString())).isEqualTo(2);
    }

    private static List<Histogram> intervals(Path file) throws IOException {
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile())) {
            List<Histogram> out = new java.util.ArrayList<>();
            for (EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null; ) {
                out.add((Histogram) h);
            }
            return out;
        }
    }
}
