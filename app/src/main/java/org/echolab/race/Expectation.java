package org.echolab.race;

import org.echolab.state.States;

/**
 * What a (model, state) pair should show, and why. Whether requests can race depends on how the
 * model runs them: one at a time, on threads of one process (one heap), or in several processes
 * (a heap each: only state in shared memory is shared).
 */
public enum Expectation {
    CLEAN("correct"),
    WRONG("races");

    public final String word;

    Expectation(String word) {
        this.word = word;
    }

    /** How a model runs its requests, as far as shared state is concerned. */
    public enum Kind {
        /** One request at a time on one thread: nothing can interleave. */
        ONE_AT_A_TIME,
        /** Threads (platform, virtual or event loops) of one process: they share the heap. */
        THREADS,
        /** Several processes: each has its own heap; only a /dev/shm mapping is shared. */
        PROCESSES;

        /** {@code sequential} runs one at a time, {@code process} and {@code prefork} are processes, the rest threads. */
        public static Kind of(String model) {
            return switch (model) {
                case "sequential" -> ONE_AT_A_TIME;
                case "process", "prefork" -> PROCESSES;
                default -> THREADS;
            };
        }
    }

    /**
     * One at a time: every variant is right. Threads: the broken variants race. Processes: the
     * broken ones race, and so does every heap variant, since each process counts for itself.
     */
    public static Expectation of(Kind kind, States.Variant state) {
        return switch (kind) {
            case ONE_AT_A_TIME -> CLEAN;
            case THREADS -> state.broken() ? WRONG : CLEAN;
            case PROCESSES -> state.broken() || !state.acrossProcesses() ? WRONG : CLEAN;
        };
    }
}
