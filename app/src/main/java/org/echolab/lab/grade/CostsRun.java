package org.echolab.lab.grade;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.echolab.lab.grade.Report.Figure;

/**
 * Grade item 4, benefits and costs: the student predicts in {@code REPORT.md}, before measuring,
 * what four designs do in three stated scenarios; this run measures the same scenarios with the
 * project's benchmark (a fresh server process per design, its whole process tree read from /proc)
 * and grades each prediction against the measurement within a stated tolerance, with Little's law
 * beside it. It checks that each question has an answer, and that the answers asking for figures
 * cite figures this workspace's own runs produced. Whether the answers are right is the teacher's.
 *
 * <p>The scenarios: {@value #CLIENTS} kept-alive clients each asking for a 100 ms wait, back to
 * back (throughput, and memory per connection: the tree's PSS with them connected less the idle
 * server's, over the clients); and a new connection to an idle server asking for no wait (time to
 * the first byte, the fastest of {@value #FIRST_BYTE_TRIES}). A process per client's warm-up lasts
 * until every client has been answered once, so it is measured once its children serve (the
 * bench's own rule).
 *
 * <p>This class runs the item and grades it, and writes the table of predictions against
 * measurements; {@link CostsMeasurement} measures, {@link CostsRecord} keeps every run's figures.
 */
final class CostsRun {

    static final int CLIENTS = 10;
    static final Duration WAIT = Duration.ofMillis(100);
    static final int POOL_THREADS = 4;
    static final int FIRST_BYTE_TRIES = 5;
    /** Throughput: within a quarter of the measurement (Little's law predicts it well). */
    static final double THROUGHPUT_TOLERANCE = 0.25;
    /** First byte and memory: within a factor of 3, or both below the floor (noise at that scale). */
    static final double FACTOR = 3;

    static final double FIRST_BYTE_FLOOR_MS = 10, MEMORY_FLOOR_MIB = 1;
    /** A figure cited in an answer: within this of one a run of this workspace measured. */
    static final double CITE_TOLERANCE = 0.05;

    private static final String SECTION = "4. Benefits and costs";
    static final String PREDICTED = "your predictions are in REPORT.md (section 0, written before measuring)";
    static final String ANSWERED = "every question has an answer";
    static final String CITED = "the answers that ask for figures cite yours";
    /** Every check of this item, as {@code --only} matches them; the measurement runs for any of them. */
    static final List<String> NAMES = Stream.of(
                    Stream.of(PREDICTED),
                    Stream.of(Figure.values()).map(f -> f.words + " predicted within " + tolerance(f)),
                    Stream.of(ANSWERED, CITED))
            .flatMap(n -> n)
            .toList();

    /** One design of the predictions table, and the model that stands for it. */
    record Design(String name, String model, int concurrency) {

        /** Little's law: at most {@code concurrency} requests in flight, each taking W. */
        double littleBound() {
            return concurrency / (WAIT.toNanos() / 1e9);
        }
    }

    /** A design as measured; {@code problem} non-null: it is not a measurement (it failed or had errors). */
    record Measured(
            Design design,
            double throughput,
            double firstByteMs,
            double memoryMib,
            double p50Ms,
            double cpuMicrosPerRequest,
            long errors,
            String problem) {

        double value(Figure f) {
            return switch (f) {
                case THROUGHPUT -> throughput;
                case FIRST_BYTE -> firstByteMs;
                case MEMORY -> memoryMib;
            };
        }
    }

    private CostsRun() {}

    static Section run(Grader.Subjects subjects, Path reportFile, Path out, PrintStream progress) {
        List<Design> designs = List.of(
                new Design("sequential", "sequential", 1),
                new Design("thread", "thread", CLIENTS),
                new Design("pool", subjects.threadModel(), Math.min(CLIENTS, POOL_THREADS)),
                new Design("process", subjects.processModel(), CLIENTS));
        Report report;
        try {
            report = Report.read(reportFile);
        } catch (IOException e) {
            return new Section(
                    SECTION,
                    "REPORT.md",
                    List.of(Check.fail("REPORT.md read", e.toString(), "the grader could not read " + reportFile)),
                    "");
        }
        List<Measured> measured;
        try {
            Files.createDirectories(out);
            measured = CostsMeasurement.measure(designs, out, progress);
        } catch (IOException | RuntimeException e) {
            return new Section(
                    SECTION,
                    "REPORT.md",
                    List.of(Check.fail(
                            "the measurement ran",
                            e.toString(),
                            "run it yourself to see why: ./echolab bench --models sequential,thread,"
                                    + subjects.threadModel() + "," + subjects.processModel() + " --clients " + CLIENTS
                                    + " --workloads sleep:100ms")),
                    "");
        }
        String table = table(report, measured);
        List<Double> history;
        try {
            history = CostsRecord.append(out, report, measured);
            Files.writeString(out.resolve("costs.md"), "# Benefits and costs\n\n" + scenarios() + "\n\n" + table);
        } catch (IOException e) {
            history = CostsRecord.figures(measured);
        }
        List<Check> checks = new ArrayList<>();
        Check present = predictionsPresent(report, reportFile);
        checks.add(present);
        for (Figure f : Figure.values()) {
            checks.add(
                    present.passed()
                            ? predictions(f, report, measured)
                            : Check.skipped(
                                    f.words + " predicted within " + tolerance(f), "no predictions to compare"));
        }
        checks.add(answered(report));
        checks.add(cited(report, history));
        return new Section(SECTION, "REPORT.md", checks, table, CostsRecord.forTeacher(out));
    }

    /** The scenarios, as the sheet and costs.md state them. */
    static String scenarios() {
        return "Throughput and memory: " + CLIENTS + " kept-alive clients, each asking for a " + WAIT.toMillis()
                + " ms wait, back to back, for 2 s after a warm-up (for a process per client, until every client was answered once); memory per"
                + " connection is the server tree's PSS with them connected, less the idle server's, over " + CLIENTS
                + ". First byte: a new connection to an idle server asking for no wait, connect to first byte, the"
                + " fastest of " + FIRST_BYTE_TRIES
                + " (a busy machine only adds time). Little's law: at most C requests in flight, each taking W,"
                + " give at most C / W answers a second. The pool runs with --threads " + POOL_THREADS
                + ". This machine: "
                + Runtime.getRuntime().availableProcessors() + " cores.";
    }

    static String tolerance(Figure f) {
        return f == Figure.THROUGHPUT ? "25%" : "a factor of 3";
    }

    /** Whether {@code predicted} is close enough to {@code measured} for figure {@code f}. */
    static boolean close(Figure f, double predicted, double measured) {
        return switch (f) {
            case THROUGHPUT -> Math.abs(predicted - measured) <= THROUGHPUT_TOLERANCE * measured;
            case FIRST_BYTE -> withinFactor(predicted, measured, FIRST_BYTE_FLOOR_MS);
            case MEMORY -> withinFactor(predicted, measured, MEMORY_FLOOR_MIB);
        };
    }

    private static boolean withinFactor(double predicted, double measured, double floor) {
        if (predicted <= floor && measured <= floor) {
            return true;
        }
        double p = Math.max(predicted, floor / FACTOR), m = Math.max(measured, floor / FACTOR);
        return p <= m * FACTOR && m <= p * FACTOR;
    }

    static Check predictionsPresent(Report report, Path file) {
        String name = PREDICTED;
        if (!report.found()) {
            return Check.fail(
                    name,
                    "no REPORT.md in " + file.getParent(),
                    "the workspace's REPORT.md holds the predictions table; 'echolab lab init' makes it");
        }
        List<String> missing = new ArrayList<>();
        for (String design : Report.DESIGNS) {
            Map<Figure, OptionalDouble> row = report.predictions().get(design);
            for (Figure f : Figure.values()) {
                if (row == null || row.get(f).isEmpty()) {
                    missing.add(design + " " + f.words);
                }
            }
        }
        if (missing.size() == Report.DESIGNS.size() * Figure.values().length) {
            return Check.fail(
                    name,
                    "the table is as the workspace gave it: no number in any cell",
                    "replace each ? in section 0 of REPORT.md with your prediction, before you look at the measurements");
        }
        if (!missing.isEmpty()) {
            return Check.fail(
                    name, "no number for " + String.join(", ", missing), "write a number in each cell of the table");
        }
        return Check.pass(name, "12 predictions");
    }

    static Check predictions(Figure f, Report report, List<Measured> measured) {
        String name = f.words + " predicted within " + tolerance(f);
        List<String> seen = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        boolean all = true;
        for (Measured m : measured) {
            double p = report.predictions().get(m.design().name()).get(f).getAsDouble();
            if (m.problem() != null) {
                seen.add(m.design().name() + " not measured (" + m.problem() + ")");
                hints.add("the " + m.design().name() + " design (" + m.design().model()
                        + ") must run without errors before"
                        + " it can be compared: see its section of this sheet and grade/logs/");
                all = false;
                continue;
            }
            boolean ok = close(f, p, m.value(f));
            all &= ok;
            seen.add(m.design().name() + " " + number(p) + " vs " + number(m.value(f)) + (ok ? " ok" : " OFF"));
            if (!ok) {
                hints.add(hint(f, m, p));
            }
        }
        String saw = "predicted vs measured, " + f.unit + ": " + String.join("; ", seen);
        return all ? Check.pass(name, saw) : Check.fail(name, saw, String.join(" ", hints));
    }

    /** A hint from what was measured: the figure, and what bounds or explains it. */
    private static String hint(Figure f, Measured m, double predicted) {
        Design d = m.design();
        return switch (f) {
            case THROUGHPUT ->
                d.name() + ": " + number(m.throughput()) + " req/s measured against your " + number(predicted)
                        + "; at most " + d.concurrency() + (d.concurrency() == 1 ? " request" : " requests") + " of "
                        + WAIT.toMillis()
                        + " ms can be in flight at once, so Little's law gives " + d.concurrency() + " / "
                        + WAIT.toMillis() / 1000.0
                        + " s = " + number(d.littleBound()) + " req/s.";
            case FIRST_BYTE ->
                d.name() + ": " + number(m.firstByteMs()) + " ms to the first byte against your " + number(predicted)
                        + (d.name().equals("process")
                                ? "; a new connection here waits for a new JVM to start"
                                : "; a new connection here is served by a thread that exists or starts in microseconds")
                        + ".";
            case MEMORY ->
                d.name() + ": " + number(m.memoryMib()) + " MiB per connection against your " + number(predicted)
                        + (d.name().equals("process")
                                ? "; each connection here is a whole JVM (its heap, its JIT, its classes)"
                                : "; a connection here costs a socket and at most a thread's stack, in one shared heap")
                        + ".";
        };
    }

    static Check answered(Report report) {
        String name = ANSWERED;
        List<String> expected = Report.parse(template()).answers().stream()
                .map(a -> key(a.question()))
                .toList();
        Map<String, Report.Answer> given = new LinkedHashMap<>();
        report.answers().forEach(a -> given.putIfAbsent(key(a.question()), a));
        List<String> missing = new ArrayList<>();
        for (String q : expected) {
            Report.Answer a = given.get(q);
            if (a == null || a.words() < 15) {
                missing.add(q);
            }
        }
        if (!report.found()) {
            return Check.fail(name, "no REPORT.md", "");
        }
        return missing.isEmpty()
                ? Check.pass(name, expected.size() + " answers")
                : Check.fail(
                        name,
                        "no answer (15 words or more) under question " + String.join(", ", missing) + " of "
                                + expected.size(),
                        "write your answer under each ### question of REPORT.md");
    }

    static Check cited(Report report, List<Double> figures) {
        String name = CITED;
        List<Report.Answer> asking =
                report.answers().stream().filter(Report.Answer::cite).toList();
        if (asking.isEmpty()) {
            return Check.fail(
                    name,
                    report.found() ? "no question that asks for figures is left in REPORT.md" : "no REPORT.md",
                    "keep the questions of the workspace's REPORT.md");
        }
        List<String> uncited = new ArrayList<>();
        for (Report.Answer a : asking) {
            boolean cites = Report.numbers(a.text()).stream()
                    .anyMatch(n -> (n >= 10 || n != Math.rint(n))
                            && figures.stream().anyMatch(f -> f > 0 && Math.abs(n - f) <= CITE_TOLERANCE * f));
            if (!cites) {
                uncited.add(key(a.question()));
            }
        }
        return uncited.isEmpty()
                ? Check.pass(name, asking.size() + " answers cite figures measured in this workspace")
                : Check.fail(
                        name,
                        "question " + String.join(", ", uncited) + ": no figure that a run of this workspace measured",
                        "quote your own measurements (grade/costs.md, or ./echolab bench) in those answers, with their units");
    }

    /** The question's number ("4." of "### 4. ..."), the same in the template and in the student's copy. */
    private static String key(String question) {
        return question.split("\\s+")[0];
    }

    private static String template() {
        try (InputStream in = org.echolab.lab.Workspace.class.getResourceAsStream("workspace/REPORT.md")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String table(Report report, List<Measured> measured) {
        StringBuilder t = new StringBuilder(
                "| design (model) | throughput req/s: predicted / measured / Little's law | first byte ms: predicted / measured"
                        + " | memory per connection MiB: predicted / measured | p50 ms | CPU us/request | errors |\n|---|---|---|---|---|---|---|\n");
        for (Measured m : measured) {
            Map<Figure, OptionalDouble> p =
                    report.predictions().getOrDefault(m.design().name(), Map.of());
            t.append("| ")
                    .append(m.design().name())
                    .append(" (")
                    .append(m.design().model())
                    .append(") | ");
            if (m.problem() != null) {
                t.append(predicted(p, Figure.THROUGHPUT))
                        .append(" / **not measured** / ")
                        .append(number(m.design().littleBound()))
                        .append(" | ")
                        .append(predicted(p, Figure.FIRST_BYTE))
                        .append(" / - | ")
                        .append(predicted(p, Figure.MEMORY))
                        .append(" / - | - | - | ")
                        .append(m.problem().replace('|', '/'))
                        .append(" |\n");
                continue;
            }
            t.append(predicted(p, Figure.THROUGHPUT))
                    .append(" / ")
                    .append(number(m.throughput()))
                    .append(" / ")
                    .append(number(m.design().littleBound()))
                    .append(" | ")
                    .append(predicted(p, Figure.FIRST_BYTE))
                    .append(" / ")
                    .append(number(m.firstByteMs()))
                    .append(" | ")
                    .append(predicted(p, Figure.MEMORY))
                    .append(" / ")
                    .append(number(m.memoryMib()))
                    .append(" | ")
                    .append(number(m.p50Ms()))
                    .append(" | ")
                    .append(number(m.cpuMicrosPerRequest()))
                    .append(" | ")
                    .append(m.errors())
                    .append(" |\n");
        }
        return t.toString();
    }

    static String predicted(Map<Figure, OptionalDouble> row, Figure f) {
        OptionalDouble v = row.getOrDefault(f, OptionalDouble.empty());
        return v.isPresent() ? number(v.getAsDouble()) : "?";
    }

    /** Three significant figures at most, as the table shows them and a student would cite them. */
    static String number(double v) {
        if (v >= 100 || v == Math.rint(v)) {
            return String.format("%.0f", v);
        }
        return v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }
}
