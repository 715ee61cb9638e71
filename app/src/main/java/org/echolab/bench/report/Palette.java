package org.echolab.bench.report;

import java.awt.Color;
import java.util.Map;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One fixed colour and marker per model, the same in every chart of every run, so that a reader
 * who has learnt that {@code virtual} is the green circle never has to look it up again. The
 * colours are the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2002), which stays
 * distinguishable with the common kinds of colour blindness; each model also has its own marker,
 * so the charts still read in grey print. UNP's further designs (prefork with a lock or descriptor
 * passing, prethreaded) and the Netty models take colours from Paul Tol's muted scheme. Keyed by name: a model added later that is not here is
 * drawn in {@link #UNKNOWN} grey until it is given a colour (one of the eight is reserved for an
 * {@code nginx} reference series).
 *
 * <p>The marks that are not models have colours of their own, outside the palette: the bound
 * (dashed line), the cells with trouble (a cross) and the cells with no result (a plus).
 */
public final class Palette {

    /** A series' colour (line, marker and bar) and marker. */
    public record Style(Color color, Marker marker) {

        /** As the SVG writes it, e.g. {@code rgb(0,158,115)}: how the report test finds the series. */
        public String rgb() {
            return "rgb(" + color.getRed() + "," + color.getGreen() + "," + color.getBlue() + ")";
        }
    }

    private static final Map<String, Style> MODELS = Map.ofEntries(
            Map.entry("sequential", new Style(new Color(213, 94, 0), SeriesMarkers.SQUARE)), // vermillion
            Map.entry("thread", new Style(new Color(230, 159, 0), SeriesMarkers.TRIANGLE_UP)), // orange
            Map.entry("pool", new Style(new Color(204, 121, 167), SeriesMarkers.DIAMOND)), // reddish purple
            Map.entry("virtual", new Style(new Color(0, 158, 115), SeriesMarkers.CIRCLE)), // bluish green
            Map.entry("eventloop", new Style(new Color(0, 114, 178), SeriesMarkers.TRIANGLE_DOWN)), // blue
            Map.entry(
                    "process",
                    new Style(new Color(240, 228, 66), SeriesMarkers.TRAPEZOID)), // yellow: few points, drawn late
            Map.entry("prefork", new Style(new Color(86, 180, 233), SeriesMarkers.RECTANGLE)), // sky blue
            // near-black, the reference; not pure black, which the charts' text is drawn in, so its marks can be told
            // apart
            Map.entry("nginx", new Style(new Color(25, 25, 25), SeriesMarkers.OVAL)),
            // UNP's remaining designs: Okabe-Ito has no more colours, so Paul Tol's "muted" scheme
            // (also safe with colour blindness); the markers repeat their family's
            Map.entry("prefork-flock", new Style(new Color(68, 170, 153), SeriesMarkers.RECTANGLE)), // teal
            Map.entry("prefork-mutex", new Style(new Color(51, 34, 136), SeriesMarkers.RECTANGLE)), // indigo
            Map.entry("prefork-pass", new Style(new Color(136, 34, 85), SeriesMarkers.RECTANGLE)), // wine
            Map.entry("prethread", new Style(new Color(153, 153, 51), SeriesMarkers.DIAMOND)), // olive
            Map.entry("prethread-mutex", new Style(new Color(204, 102, 119), SeriesMarkers.DIAMOND)), // rose
            // Netty's transports beside the hand-written event loop: its marker, Tol's green and purple
            Map.entry("netty", new Style(new Color(17, 119, 51), SeriesMarkers.TRIANGLE_DOWN)), // green
            Map.entry("netty-uring", new Style(new Color(170, 68, 153), SeriesMarkers.TRIANGLE_DOWN))); // purple

    /** A model the palette does not know yet. */
    public static final Style UNKNOWN = new Style(new Color(110, 110, 110), SeriesMarkers.CIRCLE);
    /** The throughput bound (Little's law), a dashed line without markers. */
    public static final Style BOUND = new Style(new Color(90, 90, 90), SeriesMarkers.NONE);
    /** The book's published figures drawn beside the measured ones (dashed or dotted lines). */
    public static final Style BOOK = new Style(new Color(120, 120, 120), SeriesMarkers.OVAL);
    /** A cross over a cell with errors, timeouts or starved connections. */
    public static final Style TROUBLE = new Style(new Color(200, 0, 0), SeriesMarkers.CROSS);
    /** A plus on the bottom edge for a cell with no result: skipped, or failed to run. */
    public static final Style NO_RESULT = new Style(new Color(150, 150, 150), SeriesMarkers.PLUS);

    private Palette() {}

    public static Style of(String model) {
        return MODELS.getOrDefault(model, UNKNOWN);
    }
}
