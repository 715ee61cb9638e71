package org.echolab.state;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The pause a broken variant takes between reading shared state and writing it back
 * ({@code --race-window}). A read-modify-write that takes nanoseconds is rarely interrupted at the
 * wrong moment; one that parks for a millisecond almost always is, so the lost updates that the
 * broken code allows become lost updates that a few thousand requests show. Fixed variants have no
 * gap between read and write to widen, so they never call this.
 *
 * <p>Parking (not spinning) lets another thread, virtual or platform, run in the gap even on two
 * cores; a virtual thread unmounts from its carrier while it waits.
 *
 * <p>A window made inside {@link #scheduledBy} hands its pauses to a {@link Scheduler} instead: a
 * grader that decides which paused thread goes on when, so that a race shows in every run, not
 * only when the machine's own scheduling happens to interleave the threads.
 */
public final class RaceWindow {

    /** Takes over the pauses of the windows made while it is bound. */
    @FunctionalInterface
    public interface Scheduler {
        /** Called by the pausing thread instead of parking for {@code nanos}; returns when it may go on. */
        void pause(long nanos);
    }

    private static final ScopedValue<Scheduler> SCHEDULER = ScopedValue.newInstance();

    public static final RaceWindow NONE = new RaceWindow(Duration.ZERO);

    private final long nanos;
    private final Scheduler scheduler;

    public RaceWindow(Duration window) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("a race window cannot be negative: " + window);
        }
        this.nanos = window.toNanos();
        this.scheduler = SCHEDULER.isBound() ? SCHEDULER.get() : null;
    }

    /** Makes something (a state) whose race windows, made by {@code make}, pause through {@code scheduler}. */
    public static <T> T scheduledBy(Scheduler scheduler, Supplier<T> make) {
        return ScopedValue.where(SCHEDULER, scheduler).call(make::get);
    }

    /** Parks the calling thread for the window; returns at once when the window is 0. */
    public void pause() {
        if (scheduler != null) {
            scheduler.pause(nanos);
        } else if (nanos > 0) {
            LockSupport.parkNanos(nanos);
        }
    }

    public long nanos() {
        return nanos;
    }
}
