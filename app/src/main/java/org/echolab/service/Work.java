package org.echolab.service;

import java.time.Duration;
import java.util.Locale;

/**
 * The simulated work a request asks for. {@code sleep} blocks the calling thread like waiting on
 * I/O (it costs no CPU); {@code cpu} computes for that long, like real work, and so competes for
 * the machine's cores.
 */
public enum Work {
    SLEEP,
    CPU;

    /** @throws IllegalArgumentException naming the accepted values */
    public static Work parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("work '" + s + "' is not known; use sleep or cpu");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Does this work for {@code d} on the calling thread; CPU work yields between its slices
     * ({@link CpuBurner}).
     *
     * @throws InterruptedException if the thread is interrupted (a forced stop): the work is abandoned
     */
    public void perform(Duration d) throws InterruptedException {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        switch (this) {
            case SLEEP -> Thread.sleep(d);
            case CPU -> CpuBurner.burn(d);
        }
    }
}
