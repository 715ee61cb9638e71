package org.echolab.state;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The pause a broken variant takes between reading shared state and writing it back
 * ({@code --race-window}). A read-modify-write that takes nanoseconds is rarely interrupted at the
 * wrong moment; one that parks for a millisecond almost always is, so the lost updates that the
 * broken code allows become lost updates that a few thousand requests show. Fixed variants have no
 * gap between read and write to widen, so they never call this.
 *
 * <p>Parking (not spinning) lets another thread, virtual or platform, run in the gap even on two
 * cores; a virtual thread unmounts from its carrier while it waits.
 */
public final class RaceWindow {

    public static final RaceWindow NONE = new RaceWindow(Duration.ZERO);

    private final long nanos;

    public RaceWindow(Duration window) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("a race window cannot be negative: " + window);
        }
        this.nanos = window.toNanos();
    }

    /** Parks the calling thread for the window; returns at once when the window is 0. */
    public void pause() {
        if (nanos > 0) {
            LockSupport.parkNanos(nanos);
        }
    }

    public long nanos() {
        return nanos;
    }
}
