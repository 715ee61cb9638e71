package org.echolab.bench.report;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.echolab.bench.HerdResult;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;

/**
 * The thundering-herd chart: server CPU per short connection against the number of idle workers,
 * one line per prefork model in its {@link Palette} colour, and the book's prefork figure as grey
 * dashed lines beside them (UNP vol. 1 ch. 30.6, seconds for 5,000 connections drawn per
 * connection). Log scales, labelled at each decade, as every chart of the report.
 */
final class HerdChart {

    private HerdChart() {}

    /** The chart, or null when no point ran. */
    static Charts.Drawn of(List<HerdResult> results) {
        List<HerdResult> ran = results.stream()
                .filter(h -> h.ran() && h.cpuMillisPerConnection() > 0)
                .toList();
        if (ran.isEmpty()) {
            return null;
        }
        String title = "Thundering herd: CPU per short connection against workers";
        XYChart chart = new XYChartBuilder()
                .width(Charts.WIDTH)
                .height(Charts.HEIGHT)
                .title(title)
                .xAxisTitle("workers, one thread each (log scale)")
                .yAxisTitle("CPU ms per connection (log scale)")
                .build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");

        List<Double> xs =
                new ArrayList<>(results.stream().map(h -> (double) h.workers()).toList());
        List<Double> ys = new ArrayList<>(
                ran.stream().map(HerdResult::cpuMillisPerConnection).toList());
        Set<String> models =
                new LinkedHashSet<>(ran.stream().map(HerdResult::model).toList());
        for (String model : models) {
            List<HerdResult> line =
                    ran.stream().filter(h -> h.model().equals(model)).toList();
            Palette.Style s = Palette.of(model);
            XYSeries series = chart.addSeries(
                    model,
                    line.stream().map(h -> (double) h.workers()).toList(),
                    line.stream().map(HerdResult::cpuMillisPerConnection).toList());
            series.setMarker(s.marker()).setMarkerColor(s.color()).setLineColor(s.color());
        }
        book(chart, "UNP prefork, Digital Unix", SeriesLines.DASH_DASH, true, xs, ys);
        book(chart, "UNP prefork, BSD/OS", SeriesLines.DOT_DOT, false, xs, ys);

        List<HerdResult> noResult = results.stream().filter(h -> !h.ran()).toList();
        double lowest = ys.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double[] yAxis = Charts.decades(
                noResult.isEmpty() ? lowest : lowest / 3,
                ys.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        double[] xAxis = Charts.decades(
                xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        chart.getStyler().setYAxisMin(yAxis[0]).setYAxisMax(yAxis[1]);
        chart.getStyler().setXAxisMin(xAxis[0]).setXAxisMax(xAxis[1]);
        if (!noResult.isEmpty()) {
            XYSeries marks = chart.addSeries(
                    "no result (skipped or failed)",
                    noResult.stream().map(h -> (double) h.workers()).toList(),
                    noResult.stream().map(h -> yAxis[0]).toList());
            marks.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            marks.setMarker(Palette.NO_RESULT.marker()).setMarkerColor(Palette.NO_RESULT.color());
        }
        return new Charts.Drawn(
                "herd", "Thundering herd", Captions.herd(results), chart, ran.size(), List.copyOf(models));
    }

    /** One of the book's columns, per connection: its seconds for 5,000 connections / 5. */
    private static void book(
            XYChart chart, String name, BasicStroke line, boolean digitalUnix, List<Double> xs, List<Double> ys) {
        List<Double> x = UnpFigure.HERD.stream().map(p -> (double) p.children()).toList();
        List<Double> y = UnpFigure.HERD.stream()
                .map(p -> perConnection(digitalUnix ? p.digitalUnix() : p.bsdOs()))
                .toList();
        xs.addAll(x);
        ys.addAll(y);
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(Palette.BOOK.marker())
                .setMarkerColor(Palette.BOOK.color())
                .setLineColor(Palette.BOOK.color());
        series.setLineStyle(line);
    }

    /** The book's seconds for 5,000 connections, in ms per connection. */
    static double perConnection(String secondsFor5000) {
        return Double.parseDouble(secondsFor5000) * 1000 / 5000;
    }
}
