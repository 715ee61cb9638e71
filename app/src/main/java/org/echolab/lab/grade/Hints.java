package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hints read from what the graded server logged: an exception thrown by the student's code, with
 * the line of the student's file it came from. A hint names a cause only when the log shows it.
 */
final class Hints {

    /** A frame of the student's code, e.g. "at lab.ThreadPool.run(ThreadPool.java:31)". */
    private static final Pattern STUDENT_FRAME = Pattern.compile("at (lab\\.[\\w$.<>]+\\((\\w+\\.java:\\d+)\\))");

    private static final Pattern DIED = Pattern.compile("Exception in thread \"([^\"]+)\" (\\S+)");

    private Hints() {}

    /** Why the server did not start, from its log. */
    static String startFailure(Path log) {
        String text = read(log);
        String thrown = thrownAfter(text, "your model's constructor failed");
        if (thrown != null) {
            return "your constructor threw " + thrown + "; the server cannot start without your model";
        }
        return "the server's log says why: " + GradedServer.firstError(log);
    }

    /** Why a client got no answer, from the log: run() threw, a worker died, or nothing served it. */
    static String noAnswer(String log) {
        String runThrew = runThrew(log);
        if (runThrew != null) {
            return runThrew;
        }
        Matcher died = DIED.matcher(log);
        if (died.find()) {
            return "thread " + died.group(1) + " died of " + died.group(2) + where(log.substring(died.start()))
                    + "; a worker must not die";
        }
        return "a connection was accepted but nothing served it: does a worker call lab.echo on every connection it takes?";
    }

    /** That run() threw, what and where, if the log says so; else null. Whatever else then fails follows from it. */
    static String runThrew(String log) {
        String thrown = thrownAfter(log, "your run() failed");
        return thrown == null ? null : "your run() threw " + thrown + ", so nothing accepts clients any more";
    }

    /** The exception logged after {@code marker}, with the student's line it came from; null if none was. */
    private static String thrownAfter(String log, String marker) {
        int at = log.indexOf(marker);
        if (at < 0) {
            return null;
        }
        List<String> lines = log.substring(at).lines().toList();
        String exception = lines.size() > 1 ? lines.get(1).strip() : "an exception";
        return exception + where(log.substring(at));
    }

    /** " at ThreadPool.java:31" for the first frame of the student's code in {@code trace}, or "". */
    private static String where(String trace) {
        Matcher m = STUDENT_FRAME.matcher(trace);
        return m.find() && m.start() < 4_000 ? " at " + m.group(2) : "";
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
