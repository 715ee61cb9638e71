package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;
import org.echolab.state.States;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "The peak equals the connections held open together" catches a check-then-act on the peak in
 * every run, not only when the machine happens to interleave the threads (the check that left the
 * order to the machine passed it in 1 of 10 runs here, and on a busy machine in a whole grade), and
 * passes every correct way to raise a maximum, the pause left where it is.
 */
@Timeout(120)
class HeldPeakCheckTest {

    private static final int RUNS = 20;

    @Test
    void aCheckThenActOnThePeakFailsEveryRun() throws Exception {
        for (int run = 1; run <= RUNS; run++) {
            Check check = heldPeak(CheckThenAct::new);
            assertThat(check.passed()).as("run %d: %s", run, check.saw()).isFalse();
            assertThat(check.saw()).containsPattern("peak [1-7],");
            assertThat(check.hint()).contains("check-then-act");
        }
    }

    @Test
    void everyCorrectMaximumPassesWithThePauseInside() throws Exception {
        for (Function<RaceWindow, Peak> correct : java.util.List.<Function<RaceWindow, Peak>>of(
                Accumulate::new, CompareAndSet::new, SynchronizedCheckAndSet::new, LockedCheckAndSet::new)) {
            Check check = heldPeak(correct);
            assertThat(check.passed())
                    .as(correct.apply(RaceWindow.NONE).getClass().getSimpleName() + ": " + check.saw())
                    .isTrue();
        }
    }

    private static Check heldPeak(Function<RaceWindow, Peak> peak) throws InterruptedException {
        States.Variant variant = new States.Variant(
                "peak",
                false,
                false,
                "a state whose peak is under test",
                w -> new State(peak.apply(new RaceWindow(w))));
        return RaceChecks.run(variant, Only.of(RaceChecks.HELD_PEAK)).checks().getFirst();
    }

    /** How a state raises its peak to {@code now}, the race window between its check and its write. */
    interface Peak {
        void raise(long now);

        long get();
    }

    /** The mistake: check, pause, write; a smaller value can be written over a larger one. */
    static final class CheckThenAct implements Peak {
        private final RaceWindow window;
        private final AtomicLong peak = new AtomicLong();

        CheckThenAct(RaceWindow window) {
            this.window = window;
        }

        @Override
        public void raise(long now) {
            if (now > peak.get()) {
                window.pause();
                peak.set(now);
            }
        }

        @Override
        public long get() {
            return peak.get();
        }
    }

    static final class Accumulate implements Peak {
        private final RaceWindow window;
        private final AtomicLong peak = new AtomicLong();

        Accumulate(RaceWindow window) {
            this.window = window;
        }

        @Override
        public void raise(long now) {
            if (now > peak.get()) {
                window.pause();
                peak.accumulateAndGet(now, Math::max);
            }
        }

        @Override
        public long get() {
            return peak.get();
        }
    }

    static final class CompareAndSet implements Peak {
        private final RaceWindow window;
        private final AtomicLong peak = new AtomicLong();

        CompareAndSet(RaceWindow window) {
            this.window = window;
        }

        @Override
        public void raise(long now) {
            for (long seen = peak.get(); now > seen; seen = peak.get()) {
                window.pause();
                if (peak.compareAndSet(seen, now)) {
                    return;
                }
            }
        }

        @Override
        public long get() {
            return peak.get();
        }
    }

    static final class SynchronizedCheckAndSet implements Peak {
        private final RaceWindow window;
        private long peak;

        SynchronizedCheckAndSet(RaceWindow window) {
            this.window = window;
        }

        @Override
        public synchronized void raise(long now) {
            if (now > peak) {
                window.pause();
                peak = now;
            }
        }

        @Override
        public synchronized long get() {
            return peak;
        }
    }

    static final class LockedCheckAndSet implements Peak {
        private final RaceWindow window;
        private final ReentrantLock lock = new ReentrantLock();
        private long peak;

        LockedCheckAndSet(RaceWindow window) {
            this.window = window;
        }

        @Override
        public void raise(long now) {
            lock.lock();
            try {
                if (now > peak) {
                    window.pause();
                    peak = now;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long get() {
            lock.lock();
            try {
                return peak;
            } finally {
                lock.unlock();
            }
        }
    }

    /** A correct state but for the peak under test. */
    private record State(Peak peak, AtomicLong open, AtomicLong numbers, Map<String, Long> perClient)
            implements ServerState {
        State(Peak peak) {
            this(peak, new AtomicLong(), new AtomicLong(), new ConcurrentHashMap<>());
        }

        @Override
        public String name() {
            return "peak";
        }

        @Override
        public long nextRequestNumber() {
            return numbers.incrementAndGet();
        }

        @Override
        public void requestServed(String client) {
            perClient.merge(client, 1L, Long::sum);
        }

        @Override
        public void connectionOpened() {
            peak.raise(open.incrementAndGet());
        }

        @Override
        public void connectionClosed() {
            open.decrementAndGet();
        }

        @Override
        public Snapshot snapshot() {
            long served = perClient.values().stream().mapToLong(Long::longValue).sum();
            return new Snapshot(numbers.get(), served, open.get(), peak.get(), Map.copyOf(perClient));
        }
    }
}
