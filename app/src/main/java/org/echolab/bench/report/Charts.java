package org.echolab.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.echolab.bench.BenchResults;
import org.echolab.bench.CellResult;
import org.echolab.bench.ConnectionsResult;
import org.echolab.bench.Nginx;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;

/**
 * The report's charts, drawn with XChart: for each workload, req/s, p99 latency, memory per
 * connection, the server's memory and CPU per request against clients (one line per model, log
 * scales; nginx, the C reference, as one more line when the run measured it, and then each
 * model's req/s over nginx's too), the connections scenario's CPU per connection as bars, and the
 * thundering herd's CPU per connection against workers ({@link HerdChart}). Each chart renders to SVG
 * (inlined in report.html, so it opens offline) and to PNG (for the docs).
 *
 * <p>What every chart keeps to, so that charts can be compared at a glance and shared alone:
 * <ul>
 *   <li>each model has its {@link Palette} colour and marker, in every chart of every run;</li>
 *   <li>a log axis spans whole decades and is labelled at each one ({@link #decades});</li>
 *   <li>throughput charts draw the bound a model cannot beat ({@link Bound}) as a dashed line;</li>
 *   <li>a cell with errors, timeouts or starved connections gets a cross over its point, and a
 *       cell with no result (skipped or failed) a plus on the bottom edge, and the model's legend
 *       entry says which client counts it misses;</li>
 *   <li>each chart has a caption ({@link Captions}): what to look for, and what is marked.</li>
 * </ul>
 */
final class Charts {

    /**
     * A chart ready to render. {@code points} counts the models' data points and {@code models}
     * the models drawn as series; the report test checks the browser's DOM against them.
     */
    public record Drawn(String id, String title, String caption, Chart<?, ?> chart, int points, List<String> models) {

        public String svg() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartEncoder.saveChart(chart, out, "svg");
            String svg = out.toString(StandardCharsets.UTF_8);
            // inline in HTML: drop the XML prolog and DTD, keep the <svg> element, and make its
            // clip-path ids unique in the page (VectorGraphics2D numbers them per chart)
            return svg.substring(svg.indexOf("<svg"))
                    .replace("id=\"clip", "id=\"" + id + "-clip")
                    .replace("url(#clip", "url(#" + id + "-clip");
        }

        public byte[] png() throws IOException {
            return ChartEncoder.getBytes(chart, "png");
        }
    }

    /** A metric drawn against clients, for cells with at least {@code minClients}. */
    record Metric(String id, String title, String axis, int minClients, ToDoubleFunction<CellResult> value) {}

    static final List<Metric> METRICS = List.of(
            new Metric("rps", "Throughput", "requests per second", 1, CellResult::requestsPerSecond),
            new Metric("p99", "p99 latency", "p99 latency, ms", 1, CellResult::p99Millis),
            // below 10 clients the rise of PSS is the JVM's heap growing with the load, not the connections
            new Metric(
                    "memory",
                    "Memory per connection",
                    "PSS rise per connection, KiB",
                    10,
                    c -> c.memoryPerConnectionBytes() / 1024.0),
            new Metric(
                    "pss",
                    "Server memory",
                    "PSS of the server's process tree, MiB",
                    1,
                    c -> c.pssPeakBytes() / 1048576.0),
            new Metric("cpu", "CPU per request", "server CPU per request, µs", 1, CellResult::cpuMicrosPerRequest));

    static final int WIDTH = 800;
    static final int HEIGHT = 460;

    private Charts() {}

    /** All charts of a run, in report order. */
    public static List<Drawn> of(BenchResults results) {
        List<Drawn> charts = new ArrayList<>();
        List<String> workloads =
                results.cells().stream().map(CellResult::workload).distinct().toList();
        // each model's req/s over nginx's on the same cell: drawn when the run measured nginx
        Metric vsNginx = new Metric(
                "vs-nginx",
                "Throughput over nginx's",
                "req/s over nginx's on the same cell",
                1,
                c -> NginxRatio.of(c, results.cells()).orElse(0.0));
        for (String workload : workloads) {
            for (Metric m : METRICS) {
                Drawn d = xy(results, workload, m);
                if (d != null) {
                    charts.add(d);
                }
            }
            if (NginxRatio.series(results).contains(Nginx.SERIES)) {
                Drawn d = xy(results, workload, vsNginx);
                if (d != null) {
                    charts.add(d);
                }
            }
        }
        Drawn c = connections(results.connections());
        if (c != null) {
            charts.add(c);
        }
        Drawn herd = HerdChart.of(results.herd());
        if (herd != null) {
            charts.add(herd);
        }
        return charts;
    }

    private static Drawn xy(BenchResults results, String workload, Metric m) {
        List<CellResult> cells = results.cells().stream()
                .filter(c -> c.workload().equals(workload) && c.clients() >= m.minClients())
                .toList();
        String title = m.title() + " against clients, " + workload;
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("clients (log scale)")
                .yAxisTitle(m.axis() + " (log scale)")
                .build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");

        Range xs = new Range();
        Range ys = new Range();
        List<CellResult> drawn = new ArrayList<>();
        List<CellResult> noResult = new ArrayList<>();
        List<String> models = new ArrayList<>();
        for (String model : NginxRatio.series(results)) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (CellResult c : cells) {
                if (!c.model().equals(model)) {
                    continue;
                }
                double v = m.value().applyAsDouble(c);
                if (!c.ran()) {
                    noResult.add(c);
                    xs.add(c.clients());
                } else if (v > 0) { // a log axis cannot show zero: a cell with nothing to show is left out
                    x.add((double) c.clients());
                    y.add(v);
                    xs.add(c.clients());
                    ys.add(v);
                    drawn.add(c);
                }
            }
            if (!x.isEmpty()) {
                Palette.Style s = Palette.of(model);
                XYSeries series = chart.addSeries(model, x, y);
                series.setMarker(s.marker()).setMarkerColor(s.color());
                series.setLineColor(s.color());
                series.setLabel(model + Captions.missing(model, noResult, cells));
                models.add(model);
            }
        }
        if (drawn.isEmpty()) {
            return null;
        }

        Bound bound = m.id().equals("rps") ? Bound.of(cells, results.machine().cores()) : null;
        if (bound != null) {
            List<Double> x = bound.corners(xs.min, xs.max);
            List<Double> y = x.stream().map(bound::at).toList();
            y.forEach(ys::add);
            XYSeries series = chart.addSeries(bound.name(), x, y);
            series.setMarker(Palette.BOUND.marker()).setLineColor(Palette.BOUND.color());
            series.setLineStyle(SeriesLines.DASH_DASH);
        }

        // the no-result marks go on the bottom edge, kept a little below the lowest point
        double[] yAxis = decades(noResult.isEmpty() ? ys.min : ys.min / 3, ys.max);
        double[] xAxis = decades(xs.min, xs.max);
        chart.getStyler().setYAxisMin(yAxis[0]).setYAxisMax(yAxis[1]);
        chart.getStyler().setXAxisMin(xAxis[0]).setXAxisMax(xAxis[1]);

        List<CellResult> trouble = drawn.stream().filter(Captions::troubled).toList();
        if (!trouble.isEmpty()) {
            overlay(
                    chart,
                    "errors, timeouts or starved",
                    Palette.TROUBLE,
                    trouble.stream().map(c -> (double) c.clients()).toList(),
                    trouble.stream().map(c -> m.value().applyAsDouble(c)).toList());
        }
        if (!noResult.isEmpty()) {
            overlay(
                    chart,
                    "no result (skipped or failed)",
                    Palette.NO_RESULT,
                    noResult.stream().map(c -> (double) c.clients()).toList(),
                    noResult.stream().map(c -> yAxis[0]).toList());
        }
        String id = m.id() + "-" + workload.replace(' ', '-');
        return new Drawn(
                id, title, Captions.of(m, workload, bound, cells, trouble, noResult), chart, drawn.size(), models);
    }

    /** Marks without a line: crosses over troubled points, pluses for cells with no result. */
    private static void overlay(XYChart chart, String name, Palette.Style style, List<Double> x, List<Double> y) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(style.marker()).setMarkerColor(style.color());
    }

    private static Drawn connections(List<ConnectionsResult> results) {
        List<String> categories = new ArrayList<>();
        Range ys = new Range();
        for (ConnectionsResult r : results) {
            categories.add(r.ran() ? r.model() : r.model() + " (" + r.status() + ")");
            if (r.ran() && r.cpuMillisPerConnection() > 0) {
                ys.add(r.cpuMillisPerConnection());
            }
        }
        if (ys.isEmpty()) {
            return null;
        }
        String title = "Server CPU per short connection (4,000 bytes, UNP ch. 30)";
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("model")
                .yAxisTitle("CPU ms per connection, user + system (log scale)")
                .build();
        style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setOverlapped(true); // one bar per model, each a series of its own so it has its colour
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");
        double[] yAxis = decades(ys.min, ys.max);
        chart.getStyler().setYAxisMin(yAxis[0]).setYAxisMax(yAxis[1]);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("0.###");
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        List<String> models = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ConnectionsResult r = results.get(i);
            if (!r.ran() || r.cpuMillisPerConnection() <= 0) {
                continue;
            }
            List<Double> values = new ArrayList<>();
            for (int j = 0; j < results.size(); j++) {
                values.add(i == j ? r.cpuMillisPerConnection() : null); // null: no bar in the others' places
            }
            chart.addSeries(r.model(), categories, values)
                    .setFillColor(Palette.of(r.model()).color());
            models.add(r.model());
        }
        return new Drawn("connections", title, Captions.connections(results), chart, models.size(), models);
    }

    /**
     * The whole decades around {@code min..max}, at least one: XChart labels a log axis at each
     * power of ten inside its range, so an axis from 100 to 900 would carry the one label "100".
     */
    static double[] decades(double min, double max) {
        double low = Math.pow(10, Math.floor(Math.log10(min)));
        double high = Math.pow(10, Math.ceil(Math.log10(max)));
        return new double[] {low, high > low ? high : low * 10};
    }

    static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setPlotBorderVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setAntiAlias(true);
        s.setMarkerSize(9);
        if (s instanceof AxesChartStyler a) {
            a.setPlotGridLinesStroke(new BasicStroke(0.5f));
            a.setPlotGridLinesColor(new Color(225, 225, 225));
        }
    }

    /** The smallest and largest of some positive values. */
    private static final class Range {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(double v) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }

        boolean isEmpty() {
            return min > max;
        }
    }
}
