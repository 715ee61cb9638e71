package org.echolab.lab.grade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the student's code threw while it was graded: an exception that ended one of its threads
 * (a worker, a reaper), and one its {@code run()}, {@code stop()} or constructor threw (which the
 * lab logs). Each is shown once, with its count and the frames in the student's own files (package
 * {@code lab}), where the cause is; EchoLab's frames around them are left out.
 *
 * <p><b>Threads:</b> any thread may report; {@link #drain} is called by the grader's thread. Only
 * one recording at a time per JVM (it replaces the default uncaught-exception handler).
 */
final class StudentThrows implements AutoCloseable {

    /** The package of the workspace's classes. */
    static final String STUDENT_PACKAGE = "lab.";

    private final Map<String, Integer> seen = new LinkedHashMap<>(); // guarded by this
    private final Thread.UncaughtExceptionHandler before;
    private final Logger labLog =
            Logger.getLogger(org.echolab.lab.Lab.class.getPackageName()); // the lab's loggers: Lab, LabModel
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getThrown() != null) {
                record(r.getThrown());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private StudentThrows() {
        before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            record(e);
            if (before != null) {
                before.uncaughtException(t, e);
            } else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
        });
        labLog.addHandler(handler);
    }

    /** Starts recording. */
    static StudentThrows record() {
        return new StudentThrows();
    }

    /** A throw, if a frame of it (or of a cause) is in the student's code. */
    synchronized void record(Throwable e) {
        String shown = describe(e);
        if (!shown.isEmpty()) {
            seen.merge(shown, 1, Integer::sum);
        }
    }

    /** What was recorded since the last call, for the sheet: each throw once, with its count; empty if none. */
    synchronized String drain() {
        StringBuilder s = new StringBuilder();
        seen.forEach((text, n) -> s.append("your code threw")
                .append(n > 1 ? " (" + n + " times)" : "")
                .append(": ")
                .append(text)
                .append('\n'));
        seen.clear();
        return s.toString();
    }

    /**
     * The throw as the student needs it: the exception, then each frame in the student's files;
     * the first cause with such frames if the throw itself has none; empty if none has any.
     */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            List<String> frames = new ArrayList<>();
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().startsWith(STUDENT_PACKAGE)) {
                    frames.add("    at " + f);
                }
            }
            if (!frames.isEmpty()) {
                return t + "\n" + String.join("\n", frames);
            }
        }
        return "";
    }

    @Override
    public void close() {
        labLog.removeHandler(handler);
        Thread.setDefaultUncaughtExceptionHandler(before);
    }
}
