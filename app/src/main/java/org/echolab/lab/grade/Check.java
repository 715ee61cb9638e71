package org.echolab.lab.grade;

/**
 * One check of the grade sheet: what was checked, whether it passed, what the grader saw, and,
 * when it failed, a hint that points at the cause.
 */
record Check(String name, boolean passed, String saw, String hint) {

    public static Check pass(String name, String saw) {
        return new Check(name, true, saw, "");
    }

    public static Check fail(String name, String saw, String hint) {
        return new Check(name, false, saw, hint);
    }

    /** A check that could not run because an earlier one failed; it fails too, and says so. */
    public static Check skipped(String name, String because) {
        return new Check(name, false, "not checked: " + because, "");
    }
}
