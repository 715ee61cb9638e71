package org.echolab.lab.grade;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.echolab.lab.WorkspaceCompiler;

/**
 * A grade of a student's workspace, as {@code ./echolab lab grade} runs it: what the sheet
 * names (EchoLab's version, the student's files and a SHA-256 of each), the integrity scan of the
 * compiled classes, each file graded on its own (a file that did not compile fails its section
 * with the compiler's messages, the others are graded), what the student's code threw, and
 * whether the run is the student's or a reference run (the project's own models, which writes no
 * sheet: it is not the student's work).
 *
 * <p><b>Threads:</b> one caller.
 */
public final class WorkspaceGrade {

    /** The files a sheet names and hashes: the student's three, the registration, the report. */
    static final List<String> GRADED_FILES = List.of(
            "src/lab/ProcessPerClient.java",
            "src/lab/ThreadPool.java",
            "src/lab/StudentState.java",
            "src/lab/Registration.java",
            "REPORT.md");

    /** The models and state a workspace's grade is of: the student's own. */
    public static final Grader.Subjects STUDENTS = new Grader.Subjects("student-process", "student-pool", "student");

    /** The sheet, and whether it is the student's (false: a reference run, not to be saved as theirs). */
    public record Result(String sheet, boolean studentsOwn, boolean passed) {}

    private WorkspaceGrade() {}

    /** Whether {@code subjects} grade EchoLab's own models or state in place of the student's. */
    public static boolean reference(Grader.Subjects subjects) {
        return !subjects.processModel().equals(STUDENTS.processModel())
                || !subjects.threadModel().equals(STUDENTS.threadModel())
                || !subjects.state().equals(STUDENTS.state());
    }

    /**
     * Grades {@code items} of the workspace at {@code workspace}.
     *
     * @throws IllegalArgumentException if a subject is not registered (the workspace's classes are not on the class path)
     */
    public static Result grade(
            Path workspace, List<Grader.Item> items, Grader.Subjects subjects, Path out, PrintStream progress)
            throws InterruptedException, IOException {
        return grade(workspace, items, subjects, out, progress, Only.ALL);
    }

    /**
     * Grades the checks of {@code items} that {@code only} selects (a partial grade, which its sheet
     * says); an item with none of them is not graded.
     *
     * @throws IllegalArgumentException if a subject is not registered (the workspace's classes are not on the class path)
     */
    public static Result grade(
            Path workspace,
            List<Grader.Item> items,
            Grader.Subjects subjects,
            Path out,
            PrintStream progress,
            Only only)
            throws InterruptedException, IOException {
        boolean reference = reference(subjects);
        Map<String, String> broken = WorkspaceCompiler.errors(workspace);
        List<Integrity.Finding> cheats = reference ? List.of() : Integrity.scan(workspace.resolve("build/classes"));
        List<Section> sections = new ArrayList<>();
        boolean passed = true;
        try (StudentThrows threw = StudentThrows.record()) {
            for (Grader.Item item : items) {
                if (!only.selectsAny(Grader.checkNames(item))) {
                    continue;
                }
                String file = fileOf(item);
                Section section;
                if (!reference && broken.containsKey(file)) {
                    progress.println("not grading " + item.word() + ": " + file + " does not compile");
                    section = new Section(
                            titleOf(item),
                            file,
                            List.of(
                                    Check.fail(
                                            "your file compiles",
                                            broken.get(file).lines().count() + " compiler error(s):\n"
                                                    + broken.get(file).indent(8).stripTrailing(),
                                            "fix what the compiler says; the other parts were graded without waiting for this one")),
                            "");
                } else {
                    section = Grader.grade(List.of(item), subjects, out, progress, only)
                            .getFirst();
                }
                section = withIntegrity(item, section, cheats);
                String thrown = threw.drain();
                if (!thrown.isEmpty()) {
                    section = new Section(
                            section.title(),
                            section.file(),
                            section.checks(),
                            (section.table().isEmpty() ? "" : section.table() + "\n") + thrown,
                            section.forTeacher());
                }
                passed &= section.passed();
                sections.add(section);
            }
        }
        String scan = reference
                ? ""
                : cheats.isEmpty()
                        ? "Integrity scan: your compiled classes name none of EchoLab's models or state variants.\n"
                        : "Integrity scan: FAILED: "
                                + String.join(
                                        "; ",
                                        cheats.stream()
                                                .map(Integrity.Finding::describe)
                                                .toList()) + ". The sections these touch fail.\n";
        String sheet = header(workspace, subjects, reference)
                + scan
                + Grader.sheet(sections, only)
                + (reference
                        ? "\nA reference run grades EchoLab's own models, not your files: no sheet was saved.\n"
                        : "");
        return new Result(sheet, !reference, passed);
    }

    /** The sheet for a workspace whose files do not compile at all: nothing graded, and why. */
    public static String notCompiled(Path workspace, Map<String, String> errors) {
        StringBuilder s = new StringBuilder(header(workspace, STUDENTS, false));
        s.append("\nNOT GRADED: your code does not compile.\n");
        errors.forEach(
                (file, messages) -> s.append('\n').append(file).append('\n').append(messages.indent(2)));
        s.append("\nFix what the compiler says, then grade again.\n");
        return s.toString();
    }

    /** What the sheet says it graded: EchoLab's version, when, the run's kind, each file with its SHA-256. */
    static String header(Path workspace, Grader.Subjects subjects, boolean reference) {
        StringBuilder s = new StringBuilder();
        String version = WorkspaceGrade.class.getPackage().getImplementationVersion();
        if (reference) {
            s.append("REFERENCE RUN: EchoLab's own models graded (process model '")
                    .append(subjects.processModel())
                    .append("', thread model '")
                    .append(subjects.threadModel())
                    .append("', state '")
                    .append(subjects.state())
                    .append("'), not your work.\n");
        } else {
            s.append("Grade sheet of the workspace ")
                    .append(workspace.toAbsolutePath().normalize())
                    .append('\n');
        }
        s.append("EchoLab ")
                .append(version == null ? "dev" : version)
                .append(", Java ")
                .append(Runtime.version())
                .append(", graded ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append('\n');
        if (!reference) {
            s.append(
                    "Graded: your models student-process and student-pool and your state 'student', from these files (SHA-256):\n");
            for (String f : GRADED_FILES) {
                s.append("  ")
                        .append(sha256(workspace.resolve(f)))
                        .append("  ")
                        .append(f)
                        .append('\n');
            }
        }
        return s.toString();
    }

    private static Section withIntegrity(Grader.Item item, Section section, List<Integrity.Finding> cheats) {
        if (item == Grader.Item.COSTS) {
            return section;
        }
        List<String> found = new ArrayList<>();
        for (Integrity.Finding f : cheats) {
            for (String named : f.named()) {
                if (concerns(item, named)) {
                    found.add(f.studentClass() + " uses " + named);
                }
            }
        }
        if (found.isEmpty()) {
            return section;
        }
        List<Check> checks = new ArrayList<>(section.checks());
        checks.addFirst(Check.fail(
                "your code is your own (no EchoLab model or state variant in it)",
                String.join("; ", found),
                "EchoLab's own models and state variants are the answers, not yours: a grade of them is not a grade"
                        + " of your work. Write your own with the lab's API (org.echolab.lab.Lab) and register it in"
                        + " Registration.java"));
        return new Section(section.title(), section.file(), checks, section.table(), section.forTeacher());
    }

    /** Whether using EchoLab's class {@code named} undoes the grade of {@code item}. */
    private static boolean concerns(Grader.Item item, String named) {
        boolean model = named.startsWith("org.echolab.models.")
                || named.startsWith("org.echolab.os.")
                || named.startsWith("org.echolab.connection.")
                || named.startsWith("org.echolab.process.")
                || named.startsWith("org.echolab.service.")
                || named.startsWith("org.echolab.server.");
        boolean state = named.startsWith("org.echolab.state.") || named.startsWith("org.echolab.race.");
        return switch (item) {
            case PROCESSES, THREADS -> model || !state;
            case RACES -> state || !model;
            case COSTS -> false;
        };
    }

    static String titleOf(Grader.Item item) {
        return switch (item) {
            case PROCESSES -> "1. A process per client";
            case THREADS -> "2. A thread pool";
            case RACES -> "3. Race conditions";
            case COSTS -> "4. Benefits and costs";
        };
    }

    static String fileOf(Grader.Item item) {
        return switch (item) {
            case PROCESSES -> "src/lab/ProcessPerClient.java";
            case THREADS -> "src/lab/ThreadPool.java";
            case RACES -> "src/lab/StudentState.java";
            case COSTS -> "REPORT.md";
        };
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "(missing)" + " ".repeat(55);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
