package org.echolab.race;

import org.echolab.models.Models.Interleaving;
import org.echolab.state.States;

/**
 * What a (model, state) pair should show, and why. Whether requests can race depends on how the
 * model runs them, its {@link Interleaving}: one at a time, on threads of one process (one heap),
 * or in several processes (a heap each: only state in shared memory is shared).
 */
public enum Expectation {
    CLEAN("correct"),
    WRONG("races");

    public final String word;

    Expectation(String word) {
        this.word = word;
    }

    /**
     * One at a time: every variant is right. Threads: the broken variants race. Processes: the
     * broken ones race, and so does every heap variant, since each process counts for itself.
     */
    public static Expectation of(Interleaving interleaving, States.Variant state) {
        return switch (interleaving) {
            case ONE_AT_A_TIME -> CLEAN;
            case THREADS -> state.broken() ? WRONG : CLEAN;
            case PROCESSES -> state.broken() || !state.acrossProcesses() ? WRONG : CLEAN;
        };
    }
}
