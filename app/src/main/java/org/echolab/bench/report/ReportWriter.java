package org.echolab.bench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.echolab.bench.BenchResults;
import org.echolab.bench.CellResult;
import org.echolab.bench.ConnectionsResult;
import org.echolab.bench.HerdResult;
import org.echolab.bench.OpenResult;
import org.echolab.load.Fairness;
import org.echolab.protocol.Durations;

/**
 * Writes a run's results folder: {@code results.json} (everything), {@code results.csv} (the
 * matrix, one row per cell), {@code connections.csv}, {@code herd.csv} (when the run has the
 * thundering herd), {@code open.csv} (when it has the open workload), {@code report.md}, a self-contained
 * {@code report.html} (charts inlined as SVG: it opens offline), and {@code charts/} with each
 * chart as SVG and PNG. Everything but results.json is drawn from it, so a folder can be
 * rendered again from its results.json ({@link #read}, {@link #render}) when the report changes,
 * without running the benchmark again.
 */
public final class ReportWriter {

    private ReportWriter() {}

    /**
     * The mapper for results.json: durations as "250ms", records as objects, indented. Reading, a
     * figure the file does not have is null or 0 (older runs measured less) and one it has that
     * the records do not is ignored.
     */
    public static ObjectMapper json() {
        SimpleModule durations = new SimpleModule()
                .addSerializer(Duration.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(Duration d, JsonGenerator g, SerializerProvider p) throws IOException {
                        g.writeString(Durations.format(d));
                    }
                })
                .addDeserializer(Duration.class, new JsonDeserializer<>() {
                    @Override
                    public Duration deserialize(JsonParser p, DeserializationContext c) throws IOException {
                        return Durations.parse(p.getValueAsString());
                    }
                });
        return new ObjectMapper()
                .registerModule(durations)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The results folder, all of it. */
    public static void write(BenchResults results, Path dir) throws IOException {
        Files.createDirectories(dir);
        json().writeValue(dir.resolve("results.json").toFile(), results);
        render(results, dir);
    }

    /** A results.json, as {@link #write} wrote it (an older one too). */
    public static BenchResults read(Path resultsJson) throws IOException {
        return json().readValue(resultsJson.toFile(), BenchResults.class);
    }

    /** Everything in the folder that is drawn from results.json: the CSV files, the reports and the charts. */
    public static void render(BenchResults results, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        Files.writeString(dir.resolve("results.csv"), cellsCsv(results.cells()));
        Files.writeString(dir.resolve("connections.csv"), connectionsCsv(results.connections()));
        if (!results.herd().isEmpty()) {
            Files.writeString(dir.resolve("herd.csv"), herdCsv(results.herd()));
        }
        if (!results.open().isEmpty()) {
            Files.writeString(dir.resolve("open.csv"), openCsv(results.open()));
        }
        List<Charts.Drawn> charts = Charts.of(results);
        List<String> svgs = new ArrayList<>();
        for (Charts.Drawn c : charts) {
            String svg = c.svg();
            svgs.add(svg);
            Files.writeString(dir.resolve("charts/" + c.id() + ".svg"), svg);
            Files.write(dir.resolve("charts/" + c.id() + ".png"), c.png());
        }
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(results, charts));
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(results, charts, svgs));
    }

    static String cellsCsv(List<CellResult> cells) {
        StringBuilder sb = new StringBuilder();
        sb.append("model,clients,workload,work,wait_ms,status,reason,requests,errors,errors_by_kind,"
                + "answers_per_connection_min,answers_per_connection_median,answers_per_connection_max,starved_connections,"
                + "requests_per_second,"
                + "p50_ms,p90_ms,p99_ms,p999_ms,max_ms,cpu_cores,cpu_us_per_request,load_generator_cores,other_cores,pss_idle_bytes,pss_peak_bytes,"
                + "rss_peak_bytes,memory_per_connection_bytes,threads_peak,processes_peak,descriptors_peak,"
                + "little_requests_per_second,efficiency,server_pid,requests_per_second_over_nginx\n");
        for (CellResult c : cells) {
            Fairness f = c.fairness(); // null: not run, or not measured (results from an older run): empty fields
            row(
                    sb,
                    c.model(),
                    c.clients(),
                    c.workload(),
                    c.work(),
                    c.waitMillis(),
                    c.status(),
                    c.reason(),
                    c.requests(),
                    c.errors(),
                    kinds(c.errorsByKind()),
                    f == null ? "" : f.min(),
                    f == null ? "" : f.median(),
                    f == null ? "" : f.max(),
                    f == null ? "" : f.starved(),
                    c.requestsPerSecond(),
                    c.p50Millis(),
                    c.p90Millis(),
                    c.p99Millis(),
                    c.p999Millis(),
                    c.maxMillis(),
                    c.cpuCores(),
                    c.cpuMicrosPerRequest(),
                    c.loadGeneratorCores(),
                    c.otherCores(),
                    c.pssIdleBytes(),
                    c.pssPeakBytes(),
                    c.rssPeakBytes(),
                    c.memoryPerConnectionBytes(),
                    c.threadsPeak(),
                    c.processesPeak(),
                    c.descriptorsPeak(),
                    c.littleRequestsPerSecond(),
                    c.efficiency(),
                    c.serverPid(),
                    NginxRatio.of(c, cells).map(NginxRatio::format).orElse(""));
        }
        return sb.toString();
    }

    static String connectionsCsv(List<ConnectionsResult> results) {
        StringBuilder sb = new StringBuilder(
                "model,status,reason,connections,errors,connections_per_second,cpu_seconds,"
                        + "cpu_ms_per_connection,above_sequential_ms_per_connection,scaled_to_5000_seconds,processes_peak,server_pid\n");
        for (ConnectionsResult r : results) {
            row(
                    sb,
                    r.model(),
                    r.status(),
                    r.reason(),
                    r.connections(),
                    r.errors(),
                    r.connectionsPerSecond(),
                    r.cpuSeconds(),
                    r.cpuMillisPerConnection(),
                    r.aboveSequentialMillisPerConnection(),
                    r.scaledTo5000Seconds(),
                    r.processesPeak(),
                    r.serverPid());
        }
        return sb.toString();
    }

    static String herdCsv(List<HerdResult> results) {
        StringBuilder sb = new StringBuilder(
                "model,workers,status,reason,connections,errors,cpu_seconds,cpu_ms_per_connection,server_pid\n");
        for (HerdResult h : results) {
            row(
                    sb,
                    h.model(),
                    h.workers(),
                    h.status(),
                    h.reason(),
                    h.connections(),
                    h.errors(),
                    h.cpuSeconds(),
                    h.cpuMillisPerConnection(),
                    h.serverPid());
        }
        return sb.toString();
    }

    static String openCsv(List<OpenResult> results) {
        StringBuilder sb = new StringBuilder(
                "series,percent_of_nginx_max,intended_requests_per_second,status,reason,"
                        + "requests,errors,requests_per_second,unsent,generator_lag_p99_ms,fell_behind,p99_ms,p999_ms,server_pid\n");
        for (OpenResult o : results) {
            row(
                    sb,
                    o.series(),
                    o.percent(),
                    o.rate(),
                    o.status(),
                    o.reason(),
                    o.requests(),
                    o.errors(),
                    o.requestsPerSecond(),
                    o.unsent(),
                    o.generatorLagP99Millis(),
                    o.fellBehind(),
                    o.p99Millis(),
                    o.p999Millis(),
                    o.serverPid());
        }
        return sb.toString();
    }

    private static String kinds(Map<String, Long> errors) {
        return errors.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    /** One CSV row (RFC 4180: a field with a comma, quote or newline is quoted, quotes doubled). */
    private static void row(StringBuilder sb, Object... fields) {
        for (int i = 0; i < fields.length; i++) {
            String f = String.valueOf(fields[i]);
            if (f.contains(",") || f.contains("\"") || f.contains("\n")) {
                f = "\"" + f.replace("\"", "\"\"") + "\"";
            }
            sb.append(i == 0 ? "" : ",").append(f);
        }
        sb.append('\n');
    }
}
