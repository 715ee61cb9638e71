package org.echolab.lab.grade;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Waits for the threads that call a student's state, and says why they did not return: a deadlock
 * (threads that each hold a lock another waits for, found by the JVM's own detector), or a call
 * still running or waiting when the time is up. Only threads started since the check's
 * {@link #mark} count: the grader's callers, and the workers of the server it started. A thread
 * that does not return cannot be stopped; it is left behind, and the grade goes on.
 */
final class Stuck {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long POLL_MILLIS = 50;

    private Stuck() {}

    /** A mark before a check starts its threads: every thread started after it has a larger id. */
    static long mark() {
        return Thread.ofPlatform().unstarted(() -> {}).threadId();
    }

    /**
     * Waits until every one of {@code threads} has ended, at most {@code limit}; returns null then,
     * else what holds them: a deadlock among the threads started since {@code mark} as soon as
     * the JVM sees one, or, at the limit, where each of {@code threads} is.
     */
    static String await(List<Thread> threads, Duration limit, long mark) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            List<Thread> running = threads.stream().filter(Thread::isAlive).toList();
            if (running.isEmpty()) {
                return null;
            }
            String deadlock = deadlock(mark);
            if (deadlock != null) {
                return deadlock;
            }
            if (System.nanoTime() - deadline >= 0) {
                return running.size() + " of " + threads.size() + " threads did not return within " + limit.toSeconds()
                        + " s: " + where(running);
            }
            running.getFirst().join(POLL_MILLIS);
        }
    }

    /** "a deadlock: A waits for L1 held by B at ..., B waits for ..." among the threads started since {@code mark}, or null. */
    private static String deadlock(long mark) {
        long[] ids = THREADS.findDeadlockedThreads();
        if (ids == null) {
            return null;
        }
        long[] since = Arrays.stream(ids).filter(id -> id > mark).sorted().toArray();
        if (since.length == 0) {
            return null; // an earlier check's, left behind
        }
        List<String> waits = new ArrayList<>();
        for (ThreadInfo t : THREADS.getThreadInfo(since, Integer.MAX_VALUE)) {
            if (t != null) {
                waits.add(t.getThreadName() + " waits for " + t.getLockName() + " held by " + t.getLockOwnerName()
                        + at(t));
            }
        }
        return "a deadlock: " + String.join("; ", waits);
    }

    /** Where each of {@code threads} is: its state and its first frame in the student's code. */
    private static String where(List<Thread> threads) {
        long[] ids = threads.stream().mapToLong(Thread::threadId).toArray();
        List<String> each = new ArrayList<>();
        for (ThreadInfo t : THREADS.getThreadInfo(ids, Integer.MAX_VALUE)) {
            if (t != null) {
                each.add(t.getThreadName() + " " + t.getThreadState() + at(t));
            }
        }
        return String.join("; ", each);
    }

    /** " at" the thread's first frame in the student's code (package {@code lab}), else its top frame. */
    private static String at(ThreadInfo t) {
        StackTraceElement[] stack = t.getStackTrace();
        String students = at(stack);
        return !students.isEmpty() || stack.length == 0 ? students : " at " + frame(stack[0]);
    }

    /** " at" the first frame of the student's code (package {@code lab}) in {@code stack}, else "". */
    static String at(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().startsWith("lab.")) {
                return " at " + frame(f);
            }
        }
        return "";
    }

    /** {@code lab.StudentState.requestServed(StudentState.java:44)}: the frame without its class loader's name. */
    private static String frame(StackTraceElement f) {
        return f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
    }
}
