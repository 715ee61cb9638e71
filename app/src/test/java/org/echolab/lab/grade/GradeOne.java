package org.echolab.lab.grade;

import java.nio.file.Path;
import java.util.List;

/**
 * Grades one item of the workspace whose classes are on this JVM's class path and prints each
 * check on a line of its own, tab-separated: PASS or FAIL, name, what was seen, hint. The mistake
 * catalogue runs it in a JVM of its own per case, so that each case's classes (all named
 * {@code lab.*}) are registered alone.
 *
 * <p>Usage: {@code GradeOne processes|threads|races LOGDIR [ONLY...]}: with ONLY, the checks whose
 * name holds one of them ({@code lab grade --only}).
 */
public final class GradeOne {

    private GradeOne() {}

    public static void main(String[] args) throws InterruptedException {
        Path logs = Path.of(args[1]);
        Only only = new Only(List.of(args).subList(2, args.length));
        Section section = switch (Grader.Item.of(args[0])) {
            case PROCESSES -> ProcessChecks.run("student-process", List.of(), logs, only);
            case THREADS -> ThreadChecks.run("student-pool", List.of(), logs, only);
            case RACES -> RaceChecks.run("student", only);
            case COSTS -> throw new IllegalArgumentException("costs are graded elsewhere");
        };
        for (Check c : section.checks()) {
            System.out.println(
                    String.join("\t", c.passed() ? "PASS" : "FAIL", c.name(), oneLine(c.saw()), oneLine(c.hint())));
        }
        System.out.flush();
        System.exit(0);
    }

    private static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\n', ' ');
    }
}
