package org.echolab.session;

import java.time.Duration;

/**
 * Burns CPU for a requested time, as a fixed amount of computation rather than "spin until the
 * clock says so": the amount is calibrated once (iterations per microsecond on an idle core), so
 * {@code work=cpu&wait=10ms} costs the same CPU under every model, and on a busy machine it takes
 * longer, as real work does. Thread-safe; the calibration runs once, on first use.
 */
public final class CpuBurner {

    private static final int CHUNK = 1 << 12;
    private static volatile double iterationsPerNano;
    private static volatile long sink;   // keeps the JIT from removing the loop

    private CpuBurner() {}

    public static void burn(Duration d) {
        long iterations = (long) (d.toNanos() * rate());
        long x = System.nanoTime() | 1;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        sink = x;
    }

    /** Iterations per nanosecond, measured once: the best of several runs, after a warm-up. */
    static double rate() {
        double r = iterationsPerNano;
        if (r == 0) {
            synchronized (CpuBurner.class) {
                if (iterationsPerNano == 0) {
                    iterationsPerNano = calibrate();
                }
                r = iterationsPerNano;
            }
        }
        return r;
    }

    private static double calibrate() {
        double best = 0;
        long x = 1;
        for (int round = 0; round < 60; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < CHUNK * 64; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            long t = System.nanoTime() - t0;
            best = Math.max(best, (double) CHUNK * 64 / Math.max(1, t));
        }
        sink = x;
        return best;
    }
}
