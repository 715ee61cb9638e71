package org.echolab.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.echolab.bench.BenchPlan;
import org.echolab.bench.BenchResults;
import org.echolab.bench.BenchRunner;
import org.echolab.bench.CellResult;
import org.echolab.bench.ConnectionsResult;
import org.echolab.bench.HerdResult;
import org.echolab.bench.Machine;
import org.echolab.bench.Nginx;
import org.echolab.bench.OpenResult;
import org.echolab.bench.Pinning;
import org.echolab.bench.ProgressBar;
import org.echolab.bench.Reference;
import org.echolab.bench.TargetRunner;
import org.echolab.bench.report.NginxRatio;
import org.echolab.bench.report.ReportWriter;
import org.echolab.bench.report.Tables;

/**
 * What {@code echolab bench} runs once its options make a plan ({@link BenchCommand}): the models'
 * matrix ({@link BenchRunner}), a server it does not start ({@link TargetRunner}), or an earlier
 * run's report drawn again; then the results folder, and the tables on standard output. Each
 * returns the command's exit code.
 *
 * <p><b>Threads:</b> the command's; the runners start the servers and clients.
 */
final class BenchRun {

    private BenchRun() {}

    /** The models of {@code plan}, each cell on a fresh server from {@code serverJar}, beside nginx if there is one. */
    static int models(BenchPlan plan, Path serverJar, Path out, String nginx, String commandLine) {
        Begun run = Begun.now(plan, out, commandLine);
        Nginx.Found reference = Nginx.find(nginx);
        int referenceCells = reference.nginx().isPresent()
                ? plan.clients().size() * plan.workloads().size()
                : 0;
        int steps = plan.cells()
                + referenceCells
                + (plan.connections() > 0 ? plan.models().size() : 0)
                + plan.herdRuns()
                + (reference.nginx().isPresent() ? plan.openRuns() : Math.min(1, plan.openRuns()));
        ProgressBar progress = new ProgressBar(System.err, System.console() != null, steps);
        System.err.println("echolab bench: " + plan.preset() + ", " + plan.cells() + " cells + "
                + (plan.connections() > 0 ? plan.models().size() + " connection runs" : "no connections scenario")
                + " + "
                + (plan.herdRuns() > 0 ? plan.herdRuns() + " herd runs" : "no herd scenario")
                + " + " + (plan.open() ? "the open workload" : "no open workload (--open)")
                + ", results in " + run.dir());
        System.err.println(
                "echolab bench: C reference: " + (reference.nginx().isPresent() ? "" : "none, ") + reference.note());
        Set<String> models = new LinkedHashSet<>(plan.models());
        models.addAll(plan.herdModels());
        Pinning pinning = Pinning.pinThisJvm(LabCommand.echolabHome().resolve("scripts/server-jvm.sh"), models);
        System.err.println("echolab bench: " + pinning.describe());
        BenchRunner runner = new BenchRunner(
                plan, serverJar, run.dir().resolve("logs"), run.machine(), progress, reference.nginx(), pinning);
        List<CellResult> cells = runner.matrix();
        List<ConnectionsResult> conns = runner.connections();
        List<HerdResult> herdResults = runner.herd();
        List<OpenResult> open = runner.open(reference.note());
        progress.finish();
        return run.finish(serverJar.toString(), cells, conns, Reference.of(reference), herdResults, pinning, open);
    }

    /** {@code --target}: the plan's client counts x workloads against a server this command does not start. */
    static int target(BenchPlan plan, URI target, List<Long> pids, Path out, String commandLine) {
        Begun run = Begun.now(plan, out, commandLine);
        ProgressBar progress =
                new ProgressBar(System.err, System.console() != null, plan.cells() + (plan.connections() > 0 ? 1 : 0));
        TargetRunner runner = new TargetRunner(plan, target, pids, run.machine(), progress);
        System.err.println("echolab bench: " + plan.preset() + ", " + plan.cells() + " cells against the "
                + runner.description() + ", results in " + run.dir());
        List<CellResult> cells = runner.matrix();
        List<ConnectionsResult> conns = runner.connections();
        progress.finish();
        return run.finish(
                runner.description(),
                cells,
                conns,
                Reference.notMeasured("a server the bench did not start (--target): run nginx on the same machine as"
                        + " another --target to compare"),
                List.of(),
                Pinning.not("--target measures a server the bench did not start, wherever it runs"),
                List.of());
    }

    /** {@code --render DIR}: the report of an earlier run, drawn again from its results.json. */
    static int render(Path render) {
        Path json = render.resolve("results.json");
        if (!Files.isRegularFile(json)) {
            System.err.println("echolab bench: --render " + render
                    + ": no results.json there; give a folder that echolab bench wrote");
            return ExitCode.USAGE.code;
        }
        BenchResults results;
        try {
            results = ReportWriter.read(json);
        } catch (IOException | RuntimeException e) { // Jackson's errors, and a record refusing a value
            System.err.println("echolab bench: --render: " + json + " is not a results.json that echolab bench wrote: "
                    + e.getMessage());
            return ExitCode.USAGE.code;
        }
        try {
            ReportWriter.render(results, render);
        } catch (IOException e) {
            System.err.println("echolab bench: cannot write the report to " + render + ": " + e.getMessage());
            return ExitCode.FAILED.code;
        }
        System.out.println("report: " + render.resolve("report.html").toAbsolutePath());
        return ExitCode.OK.code;
    }

    /** A run begun: when, its results folder ({@code --out}, or one named after the start), the machine, the plan as typed. */
    private record Begun(ZonedDateTime started, Path dir, Machine machine, BenchPlan plan, String commandLine) {

        static Begun now(BenchPlan plan, Path out, String commandLine) {
            ZonedDateTime started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
            Path dir = out != null
                    ? out
                    : Path.of("bench-results", started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            return new Begun(started, dir, Machine.current(), plan, commandLine);
        }

        /** The run measured {@code server}: its record, written to its folder and printed; the exit code. */
        int finish(
                String server,
                List<CellResult> cells,
                List<ConnectionsResult> conns,
                Reference reference,
                List<HerdResult> herd,
                Pinning pinning,
                List<OpenResult> open) {
            String ended = ZonedDateTime.now()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toOffsetDateTime()
                    .toString();
            BenchResults results = new BenchResults(
                    started.toOffsetDateTime().toString(),
                    ended,
                    plan.preset(),
                    commandLine,
                    machine,
                    Runtime.version().toString(),
                    server,
                    plan,
                    cells,
                    conns,
                    reference,
                    herd,
                    pinning,
                    open);
            return report(results, dir);
        }
    }

    /** Writes the results folder, prints the tables; exit 1 if a cell failed to run. */
    private static int report(BenchResults results, Path dir) {
        List<CellResult> cells = results.cells();
        List<ConnectionsResult> conns = results.connections();
        try {
            ReportWriter.write(results, dir);
        } catch (IOException e) {
            System.err.println("echolab bench: cannot write the results to " + dir + ": " + e.getMessage());
            return ExitCode.FAILED.code;
        }
        System.out.print(Tables.text(Tables.cells(cells)));
        if (!conns.isEmpty()) {
            System.out.println();
            System.out.print(Tables.text(Tables.connections(conns)));
        }
        if (!results.herd().isEmpty()) {
            System.out.println();
            System.out.print(Tables.text(Tables.herd(results.herd())));
        }
        if (!results.open().isEmpty()) {
            System.out.println();
            System.out.println(Tables.openTitle(results.open()));
            System.out.print(Tables.text(Tables.open(results.open())));
            Tables.openWarnings(results.open()).forEach(w -> System.err.println("echolab bench: " + w));
        }
        System.out.println();
        System.out.println(NginxRatio.note(results));
        System.out.println(results.pinning().describe());
        if (!results.pinning().pinned()) {
            System.err.println("echolab bench: " + results.pinning().describe());
        }
        System.out.println("report: " + dir.resolve("report.html").toAbsolutePath());
        long failed = cells.stream().filter(c -> c.status().equals("failed")).count()
                + conns.stream().filter(c -> c.status().equals("failed")).count()
                + results.herd().stream()
                        .filter(h -> h.status().equals("failed"))
                        .count()
                + results.open().stream()
                        .filter(o -> o.status().equals("failed"))
                        .count();
        if (failed > 0) {
            System.err.println("echolab bench: " + failed + " cell(s) failed to run; see their reasons and "
                    + dir.resolve("logs"));
            return ExitCode.FAILED.code;
        }
        return ExitCode.OK.code;
    }
}
