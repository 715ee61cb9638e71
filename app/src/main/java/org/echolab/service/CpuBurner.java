package org.echolab.service;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Burns CPU for a requested time, as a fixed amount of computation rather than "spin until the
 * clock says so": the amount is calibrated once (iterations per microsecond on an idle core), so
 * {@code work=cpu&wait=10ms} costs the same CPU under every model, and on a busy machine it takes
 * longer, as real work does.
 *
 * <p>The computation comes in slices of about {@value #SLICE_MICROS} µs ({@link Burn#slice}), and
 * between two slices the thread checks for interruption and lets others run: a platform thread
 * yields (the kernel time-slices it anyway); a virtual thread parks for a nanosecond, which gives
 * its carrier to the next virtual thread in line ({@code Thread.yield()} would not: the carrier
 * takes the yielding thread straight back, and with every carrier computing, a new connection's
 * thread waited 2.7 s for one). So CPU work slows the rest of the server, as it must, but never
 * stalls it, and a stop can end it within a slice.
 * Thread-safe; the calibration runs once, on first use.
 */
public final class CpuBurner {

    private static final int CHUNK = 1 << 12;
    private static final long SLICE_MICROS = 1000;
    private static volatile double iterationsPerNano;
    private static volatile long sink; // keeps the JIT from removing the loop

    private CpuBurner() {}

    /** The computation for {@code d}, not begun. */
    public static Burn start(Duration d) {
        return new Burn((long) (d.toNanos() * rate()));
    }

    /** Burns {@code d} on the calling thread, in slices; between two it lets others run and checks for interruption. */
    public static void burn(Duration d) throws InterruptedException {
        Burn b = start(d);
        boolean virtual = Thread.currentThread().isVirtual();
        while (b.slice()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("cpu work abandoned");
            }
            if (virtual) {
                LockSupport.parkNanos(1); // unmounts: the carrier runs whoever waits for it
            } else {
                Thread.yield();
            }
        }
    }

    /** One request's computation, done a slice at a time. Not thread-safe: one thread at a time. */
    public static final class Burn {
        private long left;
        private long x = System.nanoTime() | 1;

        private Burn(long iterations) {
            this.left = iterations;
        }

        /** Computes one slice; true while more is left. */
        public boolean slice() {
            long n = Math.min(left, (long) (SLICE_MICROS * 1000 * rate()));
            long v = x;
            for (long i = 0; i < n; i++) {
                v ^= v << 13;
                v ^= v >>> 7;
                v ^= v << 17;
            }
            x = v;
            sink = v;
            left -= n;
            return left > 0;
        }
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
