package org.echolab.bench.report;

import java.util.List;
import org.echolab.bench.BenchResults;
import org.echolab.protocol.Durations;

/** report.md: the run's setting, the headline table, every cell, the connections and herd scenarios, the charts. */
final class MarkdownReport {

    private MarkdownReport() {}

    public static String render(BenchResults r, List<Charts.Drawn> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# EchoLab benchmark, ").append(r.started()).append("\n\n");
        sb.append(setting(r)).append("\n\n");
        sb.append(NginxRatio.note(r)).append("\n\n");
        sb.append("## Best throughput per model\n\n")
                .append(Tables.markdown(Summary.peaks(r)))
                .append('\n');
        sb.append("## Every cell\n\n")
                .append(Tables.markdown(Tables.cells(r.cells())))
                .append('\n');
        sb.append(HOW_TO_READ).append("\n\n");
        if (!r.connections().isEmpty()) {
            sb.append("## Connections (UNP vol. 1 ch. 30, Figure 30.1)\n\n")
                    .append(CONNECTIONS)
                    .append("\n\n")
                    .append(Tables.markdown(Tables.connections(r.connections())))
                    .append('\n');
        }
        if (!r.herd().isEmpty()) {
            sb.append("## Thundering herd (UNP vol. 1 ch. 30.6)\n\n")
                    .append(HERD)
                    .append("\n\n")
                    .append(Tables.markdown(Tables.herd(r.herd())))
                    .append('\n');
        }
        if (!r.open().isEmpty()) {
            sb.append("## Open workload: tails at 50% and 90% of nginx's maximum\n\n")
                    .append(Tables.openTitle(r.open()))
                    .append(' ')
                    .append(OPEN)
                    .append("\n\n")
                    .append(Tables.markdown(Tables.open(r.open())))
                    .append('\n');
            for (String w : Tables.openWarnings(r.open())) {
                sb.append("**").append(w).append("**\n\n");
            }
        }
        sb.append("## Charts\n\n");
        for (Charts.Drawn c : charts) {
            // the PNG: a quarter of the SVG's size, and what docs/bench keeps (report.html inlines the SVGs)
            sb.append("![")
                    .append(c.title())
                    .append("](charts/")
                    .append(c.id())
                    .append(".png)\n\n")
                    .append(c.caption())
                    .append("\n\n");
        }
        return sb.toString();
    }

    static String setting(BenchResults r) {
        var m = r.machine();
        var p = r.plan();
        return "Preset `" + r.preset() + "`: `" + r.command() + "`. " + m.cores() + " cores, "
                + (m.memAvailableBytes() >> 30) + " GiB available, Linux " + m.kernel() + ", Java " + r.java()
                + ", ulimit -n " + m.fdLimit() + ", pid_max " + m.pidMax() + ". Each cell: a fresh server process, "
                + Durations.format(p.warmup()) + " warm-up, " + Durations.format(p.duration()) + " recorded, "
                + Durations.format(p.timeout()) + " timeout per request; the load generator runs in the benchmark's "
                + "own JVM. " + pinning(r) + " Started " + r.started() + ", finished " + r.finished() + ".";
    }

    /** Where servers and the load generator ran; results from before runs were pinned did not say. */
    static String pinning(BenchResults r) {
        return r.pinning() != null
                ? r.pinning().describe()
                : "Not recorded where servers and the load generator ran (results from before runs were pinned):"
                        + " the same cores.";
    }

    static final String OPEN = """
            Each server is started fresh and warmed up by 2 s of closed load (the plan's warm-up if longer); \
            each run then has the plan's warm-up, then its recorded period. \
            *achieved* is the rate answered in the recorded period (and its share of the intended rate); \
            *× nginx* compares each tail with nginx's at the same rate. *schedule* says whether the load \
            generator kept it: requests due but never sent (*unsent*) and how late it sent the others \
            (*lag*, p99); a run that FELL BEHIND measured a lighter load than intended, so its tails are a \
            lower bound.""";

    static final String HOW_TO_READ = """
            How to read: *answers per conn* is how the answers were spread over the clients' keep-alive \
            connections in the recorded period (min / median / max); a connection with none while others \
            were served was *starved*, and then req/s and latency describe only the connections served \
            (n/a: results from before this was measured). *req/s* and latency are the clients' view \
            (keep-alive connections sending back to back). *Little eff.* is req/s over Little's law's bound, clients / wait: 100% means no request \
            waited for anything but its own work. *CPU µs/req* and the server's *cores* are its whole \
            process tree (user + system, /proc/PID/stat); *load* is the load generator's CPU (it runs in \
            the benchmark's JVM on the same cores) and *other* the rest of the machine's meanwhile; *PSS* its proportional memory (smaps_rollup, \
            shared pages split between processes), *KiB/conn* the rise of PSS over the idle server per \
            client; *threads*, *procs* and *fds* are peaks over the recorded period. Skipped cells say why.""";

    static final String HERD = """
            Each prefork model with W workers of one thread each (`--workers W --worker-model sequential`, \
            as UNP's children), all up and idle and each warmed up, then the connections scenario's load: \
            short connections, 10 at a time, 4,000 bytes each. The figure is the server tree's CPU time per \
            connection (the parent and every worker), and on the book's scale of 5,000 connections. The \
            last column is the book's prefork without a lock (row 2) at 15 and 120 children, above its \
            iterative server, for reference only: kernels of the 1990s that woke every child blocked in \
            `accept` for each connection.""";

    static final String CONNECTIONS = """
            Short connections, at most 10 open at once, each fetching 4,000 bytes and closing (UNP's \
            `client host port 5 500 4000`). The figure is the server tree's CPU time per connection, \
            and that less the `sequential` (iterative) server's, scaled to the book's 5,000 connections. \
            The last column is the book's 3rd-edition figure in seconds, for reference only: other \
            hardware, C servers, and a process per connection that is a fork there and a whole new JVM \
            here.""";
}
