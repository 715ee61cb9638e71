package org.echolab.lab.grade;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.echolab.bench.BenchPlan;
import org.echolab.bench.BenchRunner;
import org.echolab.bench.CellResult;
import org.echolab.bench.Machine;
import org.echolab.bench.ProgressBar;
import org.echolab.bench.ServerProcess;
import org.echolab.bench.Workload;
import org.echolab.models.Models;

/**
 * Grade item 4, benefits and costs: a short side-by-side run of the student's models and the
 * reference ones with the project's own benchmark (a fresh server process per model, its whole
 * process tree read from /proc), written as a table the student interprets in the report.
 */
final class CostsRun {

    /** The student's models beside the designs they are compared with. */
    static final List<String> MODELS = List.of("student-process", "process", "student-pool", "pool", "thread", "virtual");
    static final int CLIENTS = 10;
    static final Workload WORKLOAD = new Workload("sleep", Duration.ofMillis(100));

    private CostsRun() {}

    static Section run(Path out, PrintStream progress) {
        List<String> models = MODELS.stream().filter(Models.names()::contains).toList();
        BenchPlan plan = new BenchPlan("lab", models, List.of(CLIENTS), List.of(WORKLOAD),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), 0, 0, List.of(), 0, Duration.ofMillis(100),
                List.of("--threads=" + CLIENTS, "--queue=" + CLIENTS));
        List<Check> checks = new ArrayList<>();
        String table;
        try {
            Files.createDirectories(out);
            BenchRunner runner = new BenchRunner(plan, ServerProcess.ownJar(), out.resolve("logs"), Machine.current(),
                    new ProgressBar(progress, false, plan.cells()));
            table = table(runner.matrix());
            Files.writeString(out.resolve("costs.md"), "# Benefits and costs\n\n" + CLIENTS + " keep-alive clients, each"
                    + " asking for a 100 ms wait (Little's law allows " + CLIENTS * 10 + " req/s), 2 s per model after a"
                    + " 1 s warm-up, on this machine (" + Runtime.getRuntime().availableProcessors() + " cores).\n\n" + table);
            checks.add(Check.pass("side-by-side run", models.size() + " models measured; the table is in "
                    + out.resolve("costs.md")));
        } catch (IOException | RuntimeException e) {
            table = "";
            checks.add(Check.fail("side-by-side run", e.toString(), "run it yourself to see why: ./echolab bench --models "
                    + String.join(",", models) + " --clients " + CLIENTS + " --workloads sleep:100ms"));
        }
        return new Section("4. Benefits and costs", "REPORT.md", checks, table);
    }

    private static String table(List<CellResult> cells) {
        StringBuilder t = new StringBuilder("| model | req/s | p50 ms | p99 ms | errors | CPU us/request | memory (PSS) MiB | threads | processes |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (CellResult c : cells) {
            if (!c.ran()) {
                t.append("| ").append(c.model()).append(" | ").append(c.status()).append(": ").append(c.reason())
                        .append(" | | | | | | | |\n");
                continue;
            }
            t.append(String.format("| %s | %.0f | %.1f | %.1f | %d | %.0f | %.0f | %d | %d |%n", c.model(),
                    c.requestsPerSecond(), c.p50Millis(), c.p99Millis(), c.errors(), c.cpuMicrosPerRequest(),
                    c.pssPeakBytes() / 1048576.0, c.threadsPeak(), c.processesPeak()));
        }
        return t.toString();
    }
}
