package org.echolab.lab.grade;

import java.util.List;
import java.util.Locale;

/**
 * Which checks a grade runs: every one, or ({@code lab grade --only TEXT}) those whose name holds
 * one of the texts, ignoring case. A student working on one failing check grades just that one;
 * the checks left out are not run, so the grade is partial and its sheet says so.
 *
 * <p>Immutable; any thread.
 */
public record Only(List<String> texts) {

    /** Every check: a full grade. */
    public static final Only ALL = new Only(List.of());

    public Only {
        texts = texts.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
    }

    public static Only of(String... texts) {
        return new Only(List.of(texts));
    }

    /** Whether some checks are left out (the grade is partial). */
    public boolean partial() {
        return !texts.isEmpty();
    }

    /** Whether the check called {@code name} runs. */
    public boolean selects(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return texts.isEmpty() || texts.stream().anyMatch(t -> n.contains(t.toLowerCase(Locale.ROOT)));
    }

    /** Whether any of {@code names} runs. */
    public boolean selectsAny(List<String> names) {
        return names.stream().anyMatch(this::selects);
    }

    /** What was asked for, as the sheet quotes it: 'a' or 'b'. */
    public String quoted() {
        return String.join(" or ", texts.stream().map(t -> "'" + t + "'").toList());
    }
}
