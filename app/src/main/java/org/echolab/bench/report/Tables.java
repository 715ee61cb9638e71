package org.echolab.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.echolab.bench.BenchPlan;
import org.echolab.bench.CellResult;
import org.echolab.bench.ConnectionsResult;
import org.echolab.bench.HerdResult;
import org.echolab.bench.Nginx;
import org.echolab.bench.OpenResult;
import org.echolab.load.Fairness;

/**
 * The result tables as rows of text, shared by the terminal, Markdown and HTML reports so that
 * all three say the same thing.
 */
public final class Tables {

    /** A table: a header row and body rows of the same width. */
    public record Table(List<String> header, List<List<String>> rows) {}

    private Tables() {}

    public static Table cells(List<CellResult> cells) {
        List<String> header = List.of(
                "model",
                "workload",
                "clients",
                "answers per conn: min / med / max",
                "req/s",
                "× nginx",
                "p50 ms",
                "p99 ms",
                "errors",
                "Little eff.",
                "CPU µs/req",
                "cores: server / load / other",
                "PSS MiB",
                "KiB/conn",
                "threads",
                "procs / fds");
        List<List<String>> rows = new ArrayList<>();
        for (CellResult c : cells) {
            if (!c.ran()) {
                List<String> row = new ArrayList<>(List.of(
                        c.model(), c.workload(), Integer.toString(c.clients()), c.status() + ": " + c.reason()));
                while (row.size() < header.size()) {
                    row.add("");
                }
                rows.add(row);
                continue;
            }
            rows.add(List.of(
                    c.model(),
                    c.workload(),
                    Integer.toString(c.clients()),
                    perConnection(c),
                    num(c.requestsPerSecond()),
                    NginxRatio.text(c, cells),
                    ms(c.p50Millis()),
                    ms(c.p99Millis()),
                    errors(c),
                    c.littleRequestsPerSecond() > 0 ? pct(c.efficiency()) : "-",
                    num(c.cpuMicrosPerRequest()),
                    String.format(
                            Locale.ROOT, "%.2f / %.2f / %.2f", c.cpuCores(), c.loadGeneratorCores(), c.otherCores()),
                    mib(c.pssPeakBytes()),
                    kib(c.memoryPerConnectionBytes()),
                    Integer.toString(c.threadsPeak()),
                    c.processesPeak() + " / " + c.descriptorsPeak()));
        }
        return new Table(header, rows);
    }

    /**
     * Starvation first, since it changes how every other figure of the row reads: {@code 9 of 10
     * starved: 0 / 0 / 29}, or just the spread; n/a in results from before it was measured.
     */
    static String perConnection(CellResult c) {
        Fairness f = c.fairness();
        if (f == null) {
            return "n/a";
        }
        return f.anyStarved() ? f.starvedOfAll() + " starved: " + f.spread() : f.spread();
    }

    /** {@code 9 of 10 starved}, or empty: a note for figures that cover only the connections served. */
    static String starvedNote(CellResult c) {
        return c.fairness() != null && c.fairness().anyStarved() ? c.fairness().starvedOfAll() + " starved" : "";
    }

    public static Table connections(List<ConnectionsResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (ConnectionsResult r : results) {
            UnpFigure.Row unp = UnpFigure.of(r.model());
            String book = unp == null ? "-" : unp.thirdEdition();
            String design = unp == null ? "(after the book)" : "row " + unp.row() + ": " + unp.design();
            if (!r.ran()) {
                rows.add(List.of(r.model(), design, r.status() + ": " + r.reason(), "", "", "", "", book));
                continue;
            }
            rows.add(List.of(
                    r.model(),
                    design,
                    Integer.toString(r.connections()) + (r.errors() > 0 ? " (" + r.errors() + " errors)" : ""),
                    num(r.connectionsPerSecond()),
                    String.format(Locale.ROOT, "%.3f", r.cpuMillisPerConnection()),
                    signed("%.3f", r.aboveSequentialMillisPerConnection()),
                    signed("%.2f", r.scaledTo5000Seconds()),
                    book));
        }
        return new Table(
                List.of(
                        "model",
                        "UNP design",
                        "connections",
                        "conn/s",
                        "CPU ms/conn",
                        "above sequential, ms/conn",
                        "x 5,000 conns, s",
                        "UNP 3rd ed., s"),
                rows);
    }

    /**
     * The thundering herd: CPU per connection by model and worker count, on the book's scale too,
     * and the book's prefork figure (Digital Unix / BSD/OS) where it has one.
     */
    public static Table herd(List<HerdResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (HerdResult h : results) {
            if (!h.ran()) { // a note-only row: the reason runs on
                rows.add(List.of(
                        h.model(),
                        Integer.toString(h.workers()),
                        Integer.toString(h.connections()),
                        h.status() + ": " + h.reason(),
                        "",
                        "",
                        ""));
                continue;
            }
            String book = UnpFigure.herd(h.model(), h.workers())
                    .map(p -> p.digitalUnix() + " / " + p.bsdOs())
                    .orElse("-");
            rows.add(List.of(
                    h.model(),
                    Integer.toString(h.workers()),
                    Integer.toString(h.connections()),
                    Long.toString(h.errors()),
                    String.format(Locale.ROOT, "%.3f", h.cpuMillisPerConnection()),
                    String.format(Locale.ROOT, "%.2f", h.cpuMillisPerConnection() * 5000 / 1000),
                    book));
        }
        return new Table(
                List.of(
                        "model",
                        "workers",
                        "connections",
                        "errors",
                        "CPU ms/conn",
                        "x 5,000 conns, s",
                        "UNP prefork, s: Digital Unix / BSD/OS"),
                rows);
    }

    /**
     * The open-workload scenario: nginx's maximum, then each server at each share of it, with the
     * rate it kept, its tails beside nginx's at the same rate, and whether the schedule was kept. A
     * run that measured nothing is a note-only row: status and why.
     */
    public static Table open(List<OpenResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (OpenResult o : results) {
            String load = o.maxRun() ? "max (closed)" : o.percent() + "%";
            String intended = o.maxRun() ? "-" : num(o.rate());
            if (!o.ran()) {
                rows.add(List.of(o.series(), load, intended, o.status() + ": " + o.reason(), "", "", "", "", "", ""));
                continue;
            }
            Optional<OpenResult> nginx = results.stream()
                    .filter(n -> n.series().equals(Nginx.SERIES) && n.percent() == o.percent() && n.ran())
                    .findFirst();
            rows.add(List.of(
                    o.series(),
                    load,
                    intended,
                    o.maxRun()
                            ? num(o.requestsPerSecond())
                            : num(o.requestsPerSecond()) + " (" + pct(o.requestsPerSecond() / o.rate()) + ")",
                    ms(o.p99Millis()),
                    ms(o.p999Millis()),
                    ratio(o.p99Millis(), nginx.map(OpenResult::p99Millis)),
                    ratio(o.p999Millis(), nginx.map(OpenResult::p999Millis)),
                    schedule(o),
                    Long.toString(o.errors())));
        }
        return new Table(
                List.of(
                        "server",
                        "load",
                        "intended req/s",
                        "achieved req/s (of intended)",
                        "p99 ms",
                        "p99.9 ms",
                        "p99 × nginx",
                        "p99.9 × nginx",
                        "schedule",
                        "errors"),
                rows);
    }

    /** The open workload's heading: nginx's maximum it was sized by, and where latency runs from. */
    public static String openTitle(List<OpenResult> results) {
        String max = results.stream()
                .filter(o -> o.series().equals(Nginx.SERIES) && o.maxRun() && o.ran())
                .findFirst()
                .map(o -> num(o.requestsPerSecond()) + " req/s")
                .orElse("not measured");
        return "Open workload: " + BenchPlan.OPEN_CONNECTIONS + " keep-alive connections, /echo with no wait, at "
                + String.join(
                        " and ",
                        BenchPlan.OPEN_PERCENTS.stream().map(p -> p + "%").toList())
                + " of nginx's maximum closed rate (" + max
                + "); latency from each request's intended send time (coordinated omission corrected).";
    }

    /** What the console says loudly about the open workload: runs that measured nothing, schedules not kept. */
    public static List<String> openWarnings(List<OpenResult> results) {
        List<String> warnings = new ArrayList<>();
        for (OpenResult o : results) {
            String at = "open workload: " + o.series() + " at " + (o.maxRun() ? "its maximum" : o.percent() + "%");
            if (!o.ran()) {
                warnings.add(at + " MEASURED NOTHING (" + o.status() + "): " + o.reason());
            } else if (o.fellBehind()) {
                warnings.add(at + " FELL BEHIND its schedule (" + o.unsent() + " unsent, lag p99 "
                        + ms(o.generatorLagP99Millis()) + " ms): requests due were not sent on time (the"
                        + " connections still waited for answers, or the generator lagged), so the server"
                        + " carried less than the intended load and its tails are a lower bound");
            }
        }
        return warnings;
    }

    /** Whether the open schedule was kept: {@code kept, lag p99 0.2 ms}, or {@code FELL BEHIND: 120 unsent, lag p99 14 ms}. */
    static String schedule(OpenResult o) {
        if (o.maxRun()) {
            return "closed: no schedule";
        }
        String lag = "lag p99 " + ms(o.generatorLagP99Millis()) + " ms";
        return o.fellBehind()
                ? "FELL BEHIND: " + o.unsent() + " unsent, " + lag
                : "kept: " + o.unsent() + " unsent, " + lag;
    }

    private static String ratio(double v, Optional<Double> reference) {
        return reference
                .filter(r -> r > 0)
                .map(r -> String.format(Locale.ROOT, "%.2f", v / r))
                .orElse("-");
    }

    /** A figure that may fall below the baseline; noise that rounds to zero prints as 0.000, not -0.000. */
    private static String signed(String pattern, double v) {
        String s = String.format(Locale.ROOT, pattern, v);
        return s.matches("-0\\.0*") ? s.substring(1) : s;
    }

    /** The count, and its kinds when there are any: {@code 12 (timeout=12)}. */
    static String errors(CellResult c) {
        if (c.errors() == 0) {
            return "0";
        }
        return c.errors() + " ("
                + String.join(
                        " ",
                        c.errorsByKind().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .toList())
                + ")";
    }

    static String num(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v * 100);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    static String kib(long bytes) {
        return String.format(Locale.ROOT, bytes >= 10240 ? "%,.0f" : "%.1f", bytes / 1024.0);
    }

    /** Fixed-width text, for the terminal; a row that only has a note (skipped: why) lets it run on. */
    public static String text(Table t) {
        int n = t.header().size();
        int[] width = new int[n];
        List<List<String>> all = new ArrayList<>();
        all.add(t.header());
        all.addAll(t.rows());
        for (List<String> r : all) {
            for (int i = 0; i < n; i++) {
                if (!(noteOnly(r) && i >= 3)) {
                    width[i] = Math.max(width[i], r.get(i).length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (noteOnly(r) && i >= 3) {
                    line.append(r.get(i));
                } else {
                    line.append(i < 3 ? pad(r.get(i), width[i]) : padLeft(r.get(i), width[i]))
                            .append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** A row whose only figure is a note in its 4th column: a skipped or failed cell. */
    private static boolean noteOnly(List<String> r) {
        return r.size() > 4 && r.subList(4, r.size()).stream().allMatch(String::isEmpty);
    }

    /** A GitHub-flavoured Markdown table. */
    public static String markdown(Table t) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", t.header())).append(" |\n");
        sb.append("|").append("---|".repeat(t.header().size())).append('\n');
        for (List<String> r : t.rows()) {
            sb.append("| ")
                    .append(String.join(
                            " | ", r.stream().map(c -> c.replace("|", "\\|")).toList()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
