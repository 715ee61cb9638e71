package org.echolab.lab.grade;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.echolab.models.Models;
import org.echolab.state.States;

/**
 * The lab's grader: the checks a student runs in the workspace ({@code echolab lab grade}), one
 * section per grade item, each check with what it saw and, when it fails, a hint. The same checks
 * grade the project's own reference models in its test suite, so the two cannot disagree.
 *
 * <p><b>Threads:</b> one caller; the process and thread items serve the model from a JVM of its
 * own ({@link GradedServer}) and stop it before the next item; the races run in this JVM.
 */
public final class Grader {

    /** The grade items, by the name {@code lab grade} takes. */
    public enum Item {
        PROCESSES,
        THREADS,
        RACES,
        COSTS;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the items there are */
        public static Item of(String word) {
            for (Item i : values()) {
                if (i.word().equals(word)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(
                    "no grade item '" + word + "'; choose from processes, threads, races, costs");
        }
    }

    /** Which models and state the items grade: the student's, or the project's own to compare. */
    public record Subjects(String processModel, String threadModel, String state) {}

    private Grader() {}

    /**
     * Checks that the models and state of {@code subjects} are registered, before anything is graded.
     *
     * @throws IllegalArgumentException naming the one that is not (the workspace's classes are not on the class path)
     */
    public static void requireRegistered(Subjects subjects) {
        for (String model : List.of(subjects.processModel(), subjects.threadModel())) {
            Models.byName(model);
        }
        States.byName(subjects.state());
    }

    /**
     * Grades {@code items}; the costs table goes to {@code out}/costs.md.
     *
     * @throws IllegalArgumentException if a subject is not registered (the workspace's classes are not on the class path)
     */
    public static List<Section> grade(List<Item> items, Subjects subjects, Path out, PrintStream progress)
            throws InterruptedException {
        return grade(items, subjects, out, progress, Only.ALL);
    }

    /**
     * Grades the checks of {@code items} that {@code only} selects; an item with none of them is
     * left out of the sheet, not started.
     *
     * @throws IllegalArgumentException if a subject is not registered (the workspace's classes are not on the class path)
     */
    public static List<Section> grade(List<Item> items, Subjects subjects, Path out, PrintStream progress, Only only)
            throws InterruptedException {
        requireRegistered(subjects);
        List<Section> sections = new ArrayList<>();
        for (Item item : items) {
            if (!only.selectsAny(checkNames(item))) {
                continue;
            }
            progress.println(
                    "grading " + item.word() + (only.partial() ? " (only " + only.quoted() + ")" : "") + " ...");
            long started = System.nanoTime();
            sections.add(
                    switch (item) {
                        case PROCESSES ->
                            ProcessChecks.run(subjects.processModel(), List.of(), out.resolve("logs"), only);
                        case THREADS -> ThreadChecks.run(subjects.threadModel(), List.of(), out.resolve("logs"), only);
                        case RACES -> RaceChecks.run(subjects.state(), only);
                        case COSTS -> selected(CostsRun.run(subjects, report(out), out, progress), only);
                    });
            progress.printf("graded %s in %.1f s%n", item.word(), (System.nanoTime() - started) / 1e9);
        }
        return sections;
    }

    /** The names of {@code item}'s checks, in the order they run: what {@code --only} matches. */
    public static List<String> checkNames(Item item) {
        return switch (item) {
            case PROCESSES -> ProcessChecks.NAMES;
            case THREADS -> ThreadChecks.NAMES;
            case RACES -> RaceChecks.NAMES;
            case COSTS -> CostsRun.NAMES;
        };
    }

    /**
     * The measurements are one run whatever is asked of them, so their section keeps the checks
     * selected, and a failure that stopped the run (it is none of the named checks).
     */
    private static Section selected(Section costs, Only only) {
        List<Check> kept = costs.checks().stream()
                .filter(c -> only.selects(c.name()) || !c.passed() && !CostsRun.NAMES.contains(c.name()))
                .toList();
        return new Section(costs.title(), costs.file(), kept, costs.table(), costs.forTeacher());
    }

    /** The workspace's REPORT.md: the workspace the launcher names, else the folder above {@code out} (grade/). */
    private static Path report(Path out) {
        String ws = System.getProperty("echolab.lab.workspace");
        return (ws != null ? Path.of(ws) : out.toAbsolutePath().getParent()).resolve("REPORT.md");
    }

    /** The grade sheet as text: a line per check, a hint under each failure, a total at the end. */
    public static String sheet(List<Section> sections) {
        return sheet(sections, Only.ALL);
    }

    /**
     * The grade sheet of the checks {@code only} selected. A partial grade says so at the top and
     * in its total, whatever the checks that ran gave: it is never a full pass.
     */
    public static String sheet(List<Section> sections, Only only) {
        StringBuilder s = new StringBuilder();
        if (only.partial()) {
            s.append("\nPARTIAL GRADE: only the checks whose name holds ")
                    .append(only.quoted())
                    .append(" ran; every other check was left out.\n");
        }
        long passed = 0;
        long total = 0;
        for (Section section : sections) {
            s.append('\n')
                    .append(section.title())
                    .append("  (")
                    .append(section.file())
                    .append(")  ")
                    .append(section.passedCount())
                    .append('/')
                    .append(section.checks().size())
                    .append('\n');
            for (Check c : section.checks()) {
                s.append(c.passed() ? "  PASS  " : "  FAIL  ")
                        .append(c.name())
                        .append(": ")
                        .append(c.saw())
                        .append('\n');
                if (!c.passed() && !c.hint().isEmpty()) {
                    s.append("        hint: ").append(c.hint()).append('\n');
                }
            }
            if (!section.table().isEmpty()) {
                s.append('\n').append(section.table().indent(2));
            }
            for (String item : section.forTeacher()) {
                s.append("  FOR YOUR TEACHER (not graded here)  ").append(item).append('\n');
            }
            passed += section.passedCount();
            total += section.checks().size();
        }
        if (only.partial()) {
            s.append('\n')
                    .append("Passed ")
                    .append(passed)
                    .append(" of the ")
                    .append(total)
                    .append(total == 1 ? " check" : " checks")
                    .append(" that ran. This is a partial grade, not a full one: grade without --only for that.\n");
        } else {
            s.append('\n')
                    .append(
                            passed == total
                                    ? "All " + total + " checks pass."
                                    : passed + " of " + total + " checks pass.")
                    .append('\n');
        }
        return s.toString();
    }
}
