package org.echolab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.echolab.load.HistogramLog;
import org.echolab.load.MergedRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code echolab load merge FILE...}: reads {@code --hlog} files, prints them as one run ({@link MergedRuns}). */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Merge the HdrHistogram logs of several 'echolab load --hlog' runs that loaded one server at the",
            "same time (e.g. from several client machines): requests and errors add up, latency histograms add",
            "up (exact percentiles), and the rate is the sum of each generator's rate.",
            "Try: echolab load merge a.hlog b.hlog"
        })
final class LoadMergeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Logs written by 'echolab load --hlog FILE'.")
    List<Path> files;

    @Option(
            names = "--json",
            description = "Print the merged summary as JSON on stdout (the human summary goes to stderr).")
    boolean json;

    @Override
    public Integer call() {
        List<HistogramLog.Run> runs = new ArrayList<>();
        for (Path f : files) {
            try {
                runs.add(HistogramLog.read(f));
            } catch (IOException e) {
                System.err.println("echolab load merge: " + e.getMessage());
                return ExitCode.USAGE.code;
            }
        }
        MergedRuns merged = new MergedRuns(runs);
        PrintStream human = json ? System.err : System.out;
        for (HistogramLog.Run r : runs) {
            human.printf(
                    Locale.ROOT,
                    "  %-28s %9d ok  %6d errors  %9.1f req/s over %.2f s  p99 %s  (%s)%n",
                    r.file().getFileName(),
                    r.requests(),
                    r.errors(),
                    r.throughput(),
                    r.elapsed().toNanos() / 1e9,
                    LoadCommand.millis(
                            r.latency().getTotalCount() == 0 ? 0 : r.latency().getValueAtPercentile(99) / 1000.0),
                    r.target());
        }
        human.printf(Locale.ROOT, "merged: %d runs%n", runs.size());
        human.printf(
                Locale.ROOT,
                "  requests   %d ok = %.1f req/s together (the sum of each run's rate)%n",
                merged.requests(),
                merged.throughput());
        human.println("  errors     " + merged.errors()
                + (merged.errors() == 0
                        ? ""
                        : ": "
                                + merged.errorsByKind().entrySet().stream()
                                        .map(e -> e.getKey() + " " + e.getValue())
                                        .collect(Collectors.joining(", "))));
        human.println("  latency    p50 " + LoadCommand.millis(merged.percentileMillis(50))
                + "  p90 " + LoadCommand.millis(merged.percentileMillis(90))
                + "  p99 " + LoadCommand.millis(merged.percentileMillis(99))
                + "  p99.9 " + LoadCommand.millis(merged.percentileMillis(99.9))
                + "  max " + LoadCommand.millis(merged.maxMillis()) + "  (from the added histograms)");
        if (merged.spanSeconds() > merged.longestRunSeconds() * 1.2 + 1) {
            human.printf(
                    Locale.ROOT,
                    "  WARNING: the runs span %.1f s but the longest took %.1f s: they did not all run at the same"
                            + " time, so their summed rate overstates what the server saw%n",
                    merged.spanSeconds(),
                    merged.longestRunSeconds());
        }
        if (json) {
            System.out.println(merged.toJson());
        }
        return merged.errors() > 0 ? ExitCode.FAILED.code : ExitCode.OK.code;
    }
}
