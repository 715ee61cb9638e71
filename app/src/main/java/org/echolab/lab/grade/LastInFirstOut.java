package org.echolab.lab.grade;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.echolab.state.RaceWindow;

/**
 * A race window that decides the order itself instead of leaving it to the machine: while it
 * gathers, every thread that pauses in it is held there; then the grader lets the held threads go
 * on one at a time, the last to arrive first. A check-then-act on a maximum ({@code if (now > peak)
 * { pause; peak = now; }}) then writes its values from the largest down to the smallest, so the
 * lost update happens in every run, however busy or idle the cores are. A correct state (an atomic
 * maximum, or the check and the write under one lock) ends right in any order.
 *
 * <p>Threads: the paused threads call {@link #pause}; one grading thread calls the rest. After
 * {@link #stopGathering()} a pause is the plain window again.
 */
final class LastInFirstOut implements RaceWindow.Scheduler {

    private final Object lock = new Object();
    /** Threads held in the window, the latest on top. */
    private final Deque<Thread> held = new ArrayDeque<>(); // guarded by lock

    private final Set<Thread> released = new HashSet<>(); // guarded by lock
    private boolean gathering = true; // guarded by lock

    @Override
    public void pause(long nanos) {
        Thread me = Thread.currentThread();
        synchronized (lock) {
            if (gathering) {
                held.push(me);
                // wait until the grader lets this thread go; an interrupt (the check gave up) lets it go too
                while (!released.remove(me)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        held.remove(me);
                        me.interrupt();
                        return;
                    }
                }
                return;
            }
        }
        if (nanos > 0) {
            LockSupport.parkNanos(nanos);
        }
    }

    /** Whether {@code thread} is held in the window now. */
    boolean holds(Thread thread) {
        synchronized (lock) {
            return held.contains(thread);
        }
    }

    /** From now on a pause is the plain window; the threads held so far stay until released. */
    void stopGathering() {
        synchronized (lock) {
            gathering = false;
        }
    }

    /** Lets the latest thread to arrive go on; returns it, or null when none is held. */
    Thread releaseLatest() {
        synchronized (lock) {
            Thread latest = held.poll();
            if (latest != null) {
                released.add(latest);
                lock.notifyAll();
            }
            return latest;
        }
    }
}
