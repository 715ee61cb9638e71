package org.echolab.cli;

/** The exit codes of every echolab command, by name. */
enum ExitCode {
    /** Done as asked. */
    OK(0),
    /** The command ran and found a failure (e.g. load saw wrong echoes, race saw an unexpected result). */
    FAILED(1),
    /** A bad option or value; the message says what to fix. */
    USAGE(2),
    /** Could not start: the port is taken, the address is not local, a resource is missing. */
    CANNOT_START(3),
    /** This OS or JVM cannot run what was asked (e.g. a process model without posix_spawn). */
    UNSUPPORTED(4),
    /** The server stopped itself: a thread it cannot do without failed (the log says which, and why). */
    CRASHED(org.echolab.models.ModelContext.CRASHED),
    /** load --fail-on-behind: every request was right, but the open workload could not keep its rate. */
    FELL_BEHIND(6),
    /** load: the run completed no request, so it measured nothing (every request failed, or none was answered in time). */
    NOTHING_COMPLETED(7);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
