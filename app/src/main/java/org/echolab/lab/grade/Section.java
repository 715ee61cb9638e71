package org.echolab.lab.grade;

import java.util.List;

/**
 * A section of the grade sheet, one per grade item of the lab: its title, the file the student
 * works in, its checks, and (for the measurements) a table.
 */
public record Section(String title, String file, List<Check> checks, String table) {

    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    public long passedCount() {
        return checks.stream().filter(Check::passed).count();
    }
}
