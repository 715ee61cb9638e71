package org.echolab.lab.grade;

import java.util.List;

/**
 * A section of the grade sheet, one per grade item of the lab: its title, the file the student
 * works in, its checks, (for the measurements) a table, and what only a person can judge, listed
 * for the teacher and never counted as passed.
 */
record Section(String title, String file, List<Check> checks, String table, List<String> forTeacher) {

    public Section {
        checks = List.copyOf(checks);
        forTeacher = List.copyOf(forTeacher);
    }

    public Section(String title, String file, List<Check> checks, String table) {
        this(title, file, checks, table, List.of());
    }

    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    public long passedCount() {
        return checks.stream().filter(Check::passed).count();
    }
}
