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
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart: for each workload, req/s, p99 latency, memory per
 * connection, the server's memory and CPU per request against clients (one line per model, log
 * scales), and the
 * connections scenario's CPU per connection as bars. Each chart renders to SVG (inlined in
 * report.html, so it opens offline) and to PNG (for the docs).
 *
 * <p>Every data point is drawn as a circle (an SVG {@code <ellipse>}, plus one per series in the
 * legend), and every bar in {@link #BAR_COLOR}: the report test counts them in the browser's DOM.
 */
public final class Charts {

    /** The fill of the connections chart's bars, as VectorGraphics2D writes it in the SVG. */
    public static final String BAR_COLOR = "rgb(31,119,180)";

    /** A chart ready to render, with what a reader (or a test) should find drawn in it. */
    public record Drawn(String id, String title, Chart<?, ?> chart, int points, int series, String marker) {

        public String svg() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            String svg = out.toString(StandardCharsets.UTF_8);
            // inline in HTML: drop the XML prolog and DTD, keep the <svg> element, and make its
            // clip-path ids unique in the page (VectorGraphics2D numbers them per chart)
            return svg.substring(svg.indexOf("<svg"))
                    .replace("id=\"clip", "id=\"" + id + "-clip").replace("url(#clip", "url(#" + id + "-clip");
        }

        public byte[] png() throws IOException {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** A metric drawn against clients, for cells with at least {@code minClients}. */
    private record Metric(String id, String title, String axis, int minClients, ToDoubleFunction<CellResult> value) {}

    private static final List<Metric> METRICS = List.of(
            new Metric("rps", "Throughput", "requests per second", 1, CellResult::requestsPerSecond),
            new Metric("p99", "p99 latency", "p99 latency, ms", 1, CellResult::p99Millis),
            // below 10 clients the rise of PSS is the JVM's heap growing with the load, not the connections
            new Metric("memory", "Memory per connection", "PSS rise per connection, KiB", 10,
                    c -> c.memoryPerConnectionBytes() / 1024.0),
            new Metric("pss", "Server memory", "PSS of the server's process tree, MiB", 1,
                    c -> c.pssPeakBytes() / 1048576.0),
            new Metric("cpu", "CPU per request", "server CPU per request, µs", 1, CellResult::cpuMicrosPerRequest));

    private Charts() {}

    /** All charts of a run, in report order. */
    public static List<Drawn> of(BenchResults results) {
        List<Drawn> charts = new ArrayList<>();
        List<String> workloads = results.cells().stream().map(CellResult::workload).distinct().toList();
        for (String workload : workloads) {
            for (Metric m : METRICS) {
                Drawn d = xy(results, workload, m);
                if (d != null) {
                    charts.add(d);
                }
            }
        }
        Drawn c = connections(results.connections());
        if (c != null) {
            charts.add(c);
        }
        return charts;
    }

    private static Drawn xy(BenchResults results, String workload, Metric m) {
        String title = m.title() + " against clients, " + workload;
        XYChart chart = new XYChartBuilder().width(720).height(420).title(title)
                .xAxisTitle("clients (log scale)").yAxisTitle(m.axis() + " (log scale)").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");
        int points = 0;
        int series = 0;
        for (String model : results.plan().models()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (CellResult c : results.cells()) {
                double v = m.value().applyAsDouble(c);
                // a log axis cannot show zero: a cell with nothing to show is left out, not drawn at the floor
                if (c.model().equals(model) && c.workload().equals(workload) && c.ran() && v > 0
                        && c.clients() >= m.minClients()) {
                    xs.add((double) c.clients());
                    ys.add(v);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(model, xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
                points += xs.size();
                series++;
            }
        }
        if (series == 0) {
            return null;
        }
        return new Drawn(m.id() + "-" + workload.replace(' ', '-'), title, chart, points, series, "ellipse");
    }

    private static Drawn connections(List<ConnectionsResult> results) {
        List<String> models = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        for (ConnectionsResult r : results) {
            if (r.ran()) {
                models.add(r.model());
                ms.add(r.cpuMillisPerConnection());
            }
        }
        if (models.isEmpty()) {
            return null;
        }
        String title = "Server CPU per short connection (4,000 bytes, UNP ch. 30)";
        CategoryChart chart = new CategoryChartBuilder().width(720).height(420).title(title)
                .xAxisTitle("model").yAxisTitle("CPU ms per connection (user + system)").build();
        style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("0.###");
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.addSeries("CPU ms per connection", models, ms).setFillColor(new Color(31, 119, 180));
        return new Drawn("connections", title, chart, models.size(), 1, "bar");
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setPlotBorderVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotGridLinesStroke(new BasicStroke(0.5f));
            a.setPlotGridLinesColor(new Color(225, 225, 225));
        }
    }
}
