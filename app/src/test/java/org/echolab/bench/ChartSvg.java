package org.echolab.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;

/**
 * What a chart's SVG draws, read from a DOM (the one headless Chromium built) the only way it can
 * be: XChart writes every text as glyph outlines, not as text, and every mark as a shape styled
 * with its colour. So a series is found by its colour, and an axis' tick labels as the text
 * shapes lined up beside the plot: the y labels share one left edge, the x labels one baseline.
 */
record ChartSvg(Element svg) {

    private static final Pattern TRANSLATE = Pattern.compile("translate\\(([-\\d.]+) ([-\\d.]+)\\)");
    /** Text shapes are black; every other black shape (the axes' ticks) is a stroke, not a fill. */
    private static final String TEXT = "fill:rgb(0,0,0);";

    static ChartSvg in(Element figure) {
        return new ChartSvg(figure.selectFirst("svg"));
    }

    /** Shapes filled with {@code rgb}: markers (but crosses and pluses), legend markers, bars. */
    int fills(String rgb) {
        return svg.select("[style*=fill:" + rgb + ";]").size();
    }

    /** Shapes stroked with {@code rgb}: lines, and the cross and plus markers. */
    int strokes(String rgb) {
        return svg.select("[style*=stroke:" + rgb + ";]").size();
    }

    /** Dashed lines in {@code rgb}. */
    int dashed(String rgb) {
        return (int) svg.select("[style*=stroke:" + rgb + ";]").stream()
                .filter(e -> e.attr("style").contains("stroke-dasharray"))
                .count();
    }

    /** The y axis' tick labels, their vertical positions from the top down. */
    List<Double> yLabels() {
        Rect plot = plot();
        return largestLine(
                        texts().stream()
                                .filter(t -> t.x < plot.x && t.y > plot.y - 20 && t.y < plot.y + plot.h + 20)
                                .toList(),
                        Text::x)
                .stream()
                .map(Text::y)
                .sorted()
                .toList();
    }

    /** The x axis' tick labels, their horizontal positions from the left. */
    List<Double> xLabels() {
        Rect plot = plot();
        return largestLine(
                        texts().stream()
                                .filter(t -> t.y > plot.y + plot.h && t.x > plot.x - 20 && t.x < plot.x + plot.w)
                                .toList(),
                        Text::y)
                .stream()
                .map(Text::x)
                .sorted()
                .toList();
    }

    /** Whether consecutive positions are as far apart as each other, within {@code slack} pixels. */
    static boolean evenlySpaced(List<Double> positions, double slack) {
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < positions.size(); i++) {
            gaps.add(positions.get(i) - positions.get(i - 1));
        }
        double mean = gaps.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return gaps.stream().allMatch(g -> Math.abs(g - mean) <= slack);
    }

    private record Text(double x, double y) {}

    private record Rect(double x, double y, double w, double h) {}

    /** Text shapes, each a group translated to where its text begins. */
    private List<Text> texts() {
        List<Text> texts = new ArrayList<>();
        for (Element g : svg.select("g[transform^=translate]")) {
            Element shape = g.selectFirst("> path");
            Matcher m = TRANSLATE.matcher(g.attr("transform"));
            if (shape != null && shape.attr("style").contains(TEXT) && m.matches()) {
                texts.add(new Text(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))));
            }
        }
        return texts;
    }

    /** The plot area: the clip rectangle that the series are drawn in. */
    private Rect plot() {
        Element r = svg.selectFirst("clipPath rect");
        return new Rect(
                Double.parseDouble(r.attr("x")),
                Double.parseDouble(r.attr("y")),
                Double.parseDouble(r.attr("width")),
                Double.parseDouble(r.attr("height")));
    }

    /**
     * The most texts that share one coordinate (within 3 pixels: glyphs of different heights sit a
     * little apart): an axis' labels, rather than its title beside them.
     */
    private static List<Text> largestLine(List<Text> texts, Function<Text, Double> coordinate) {
        List<Text> sorted =
                texts.stream().sorted(Comparator.comparing(coordinate)).toList();
        List<Text> best = List.of();
        List<Text> line = new ArrayList<>();
        for (Text t : sorted) {
            if (!line.isEmpty() && coordinate.apply(t) - coordinate.apply(line.getLast()) > 3) {
                line = new ArrayList<>();
            }
            line.add(t);
            if (line.size() > best.size()) {
                best = line;
            }
        }
        return best;
    }
}
