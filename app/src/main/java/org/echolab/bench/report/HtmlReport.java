package org.echolab.bench.report;

import java.util.List;
import org.echolab.bench.BenchResults;

/**
 * report.html: one self-contained page (styles and charts inline, no script, no link to anything
 * outside it) so it opens offline and can be mailed as one file.
 *
 * <p>The charts fill the page's width, two or more abreast on a wide screen, one on a narrow one.
 * Each sits in a {@code <figure class="chart">} with its caption and states what should be drawn
 * in it ({@code data-points}: the models' data points, {@code data-models}: the models with a
 * series); the report test checks the browser's DOM against these.
 */
final class HtmlReport {

    private HtmlReport() {}

    public static String render(BenchResults r, List<Charts.Drawn> charts, List<String> svgs) {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>EchoLab benchmark</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222 }
                div.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 40em), 1fr)); gap: 1.5em 1em }
                div.wide { overflow-x: auto }
                table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0 }
                th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: right }
                th { background: #f4f4f4 }
                td:nth-child(-n+3), th:nth-child(-n+3) { text-align: left }
                tr.skipped td { color: #888; text-align: left }
                figure.chart { margin: 0 }
                figure.chart svg { display: block; width: 100%; height: auto }
                figcaption { font-size: 0.9em; max-width: 60em }
                p.note { max-width: 70em }
                p.warning { color: #b00000; font-weight: bold }
                </style></head><body>
                """);
        sb.append("<h1>EchoLab benchmark, ").append(esc(r.started())).append("</h1>\n");
        sb.append("<p class=\"note\">")
                .append(esc(MarkdownReport.setting(r).replace("`", "")))
                .append("</p>\n");
        sb.append("<p class=\"note")
                .append(r.pinning() != null && r.pinning().pinned() ? "" : " warning")
                .append("\" id=\"pinning\">")
                .append(esc(MarkdownReport.pinning(r)))
                .append("</p>\n");
        sb.append("<p class=\"note\" id=\"reference\">")
                .append(esc(NginxRatio.note(r).replace("*", "")))
                .append("</p>\n");
        sb.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
        for (int i = 0; i < charts.size(); i++) {
            Charts.Drawn c = charts.get(i);
            sb.append("<figure class=\"chart\" id=\"")
                    .append(esc(c.id()))
                    .append("\" data-points=\"")
                    .append(c.points())
                    .append("\" data-models=\"")
                    .append(esc(String.join(" ", c.models())))
                    .append("\">\n")
                    .append(svgs.get(i))
                    .append("\n<figcaption><b>")
                    .append(esc(c.title()))
                    .append(".</b> ")
                    .append(esc(c.caption()))
                    .append("</figcaption></figure>\n");
        }
        sb.append("</div>\n");
        sb.append("<h2>Best throughput per model</h2>\n").append(table(Summary.peaks(r)));
        sb.append("<h2>Every cell</h2>\n").append(table(Tables.cells(r.cells())));
        sb.append("<p class=\"note\">")
                .append(esc(MarkdownReport.HOW_TO_READ.replace("*", "")))
                .append("</p>\n");
        if (!r.connections().isEmpty()) {
            sb.append("<h2>Connections (UNP vol. 1 ch. 30, Figure 30.1)</h2>\n<p class=\"note\">")
                    .append(esc(MarkdownReport.CONNECTIONS.replace("`", "")))
                    .append("</p>\n")
                    .append(table(Tables.connections(r.connections())));
        }
        if (!r.herd().isEmpty()) {
            sb.append("<h2>Thundering herd (UNP vol. 1 ch. 30.6)</h2>\n<p class=\"note\">")
                    .append(esc(MarkdownReport.HERD.replace("`", "")))
                    .append("</p>\n")
                    .append(table(Tables.herd(r.herd())));
        }
        if (!r.open().isEmpty()) {
            sb.append("<h2 id=\"open\">Open workload: tails at 50% and 90% of nginx's maximum</h2>\n<p class=\"note\">")
                    .append(esc(Tables.openTitle(r.open()) + " " + MarkdownReport.OPEN.replace("*", "")))
                    .append("</p>\n")
                    .append(table(Tables.open(r.open())));
            for (String w : Tables.openWarnings(r.open())) {
                sb.append("<p class=\"note warning\"><b>").append(esc(w)).append("</b></p>\n");
            }
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static String table(Tables.Table t) {
        StringBuilder sb = new StringBuilder("<div class=\"wide\"><table>\n<tr>");
        t.header().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr>\n");
        for (List<String> row : t.rows()) {
            boolean note = row.size() > 4 && row.subList(4, row.size()).stream().allMatch(String::isEmpty);
            if (note) {
                sb.append("<tr class=\"skipped\">");
                row.subList(0, 3).forEach(c -> sb.append("<td>").append(esc(c)).append("</td>"));
                sb.append("<td colspan=\"")
                        .append(row.size() - 3)
                        .append("\">")
                        .append(esc(row.get(3)))
                        .append("</td>");
            } else {
                sb.append("<tr>");
                row.forEach(c -> sb.append("<td>").append(esc(c)).append("</td>"));
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table></div>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
