package org.echolab.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One generator thread: a selector over its share of the connections ({@link Slot}s), a queue of
 * slots waiting for their next start (open workload, or a pause after a failed connect), and a
 * timeout sweep every {@value #SWEEP_MILLIS} ms. Everything here runs on this loop's own thread;
 * what it shares goes through the thread-safe {@link Tally} and {@link Plan}.
 *
 * <p>A closed workload never waits on the queue: a slot begins its next request inline, as soon
 * as the response is read. Timer precision is the selector's millisecond, as in wrk2; how late
 * the loop itself was is recorded as the generator lag and reported.
 */
final class EventLoop implements Runnable {

    private static final long SWEEP_MILLIS = 50;

    private final int id;
    private final Plan plan;
    private final Tally tally;
    private final Selector selector;
    private final List<Slot> slots = new ArrayList<>();
    private final PriorityQueue<Slot> waiting = new PriorityQueue<>(Comparator.comparingLong((Slot s) -> s.due));
    private final SingleWriterRecorder latency;
    private final Histogram lag = new Histogram(Tally.DIGITS);
    private final List<Long> requestNumbers = new ArrayList<>();
    private String lastWorker;
    private LongAdder lastWorkerCount;
    private int active;
    private long unsent;
    private volatile long endedAt;

    EventLoop(int id, Plan plan, Tally tally) {
        this.id = id;
        this.plan = plan;
        this.tally = tally;
        this.latency = tally.recorder(id);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    void add(int slotIndex) {
        slots.add(new Slot(slotIndex, this, plan));
    }

    @Override
    public void run() {
        try {
            long now = System.nanoTime();
            for (Slot s : slots) {
                s.first(now);
                waiting.add(s);
            }
            active = slots.size();
            long nextSweep = now + SWEEP_MILLIS * 1_000_000;
            while (active > 0 && !plan.aborted()) {
                now = System.nanoTime();
                while (!waiting.isEmpty() && waiting.peek().due - now <= 0) {
                    waiting.poll().begin(now);
                }
                if (now - nextSweep >= 0) {
                    for (Slot s : slots) {
                        s.checkTimeout(now);
                    }
                    nextSweep = now + SWEEP_MILLIS * 1_000_000;
                }
                if (active == 0) {
                    break;
                }
                long until = waiting.isEmpty() ? nextSweep : Math.min(nextSweep, waiting.peek().due);
                long waitNanos = until - System.nanoTime();
                if (waitNanos <= 0) {
                    selector.selectNow(this::ready);
                } else {
                    selector.select(this::ready, Math.max(1, (waitNanos + 999_999) / 1_000_000));
                }
            }
        } catch (IOException e) {
            // a selector failure ends this loop; its connections' requests in flight are lost: say so
            error("generator-io-error");
        } finally {
            for (Slot s : slots) {
                s.close();
            }
            try {
                selector.close();
            } catch (IOException e) {
                // nothing registered is left open
            }
            endedAt = System.nanoTime();
        }
    }

    private void ready(SelectionKey key) {
        if (key.isValid()) {
            ((Slot) key.attachment()).ready(key.readyOps(), System.nanoTime());
        }
    }

    // ---- called by this loop's slots, on this thread ----------------------------------------------

    Selector selector() {
        return selector;
    }

    Tally tally() {
        return tally;
    }

    void await(Slot s) {
        waiting.add(s);
    }

    void finished() {
        active--;
    }

    void ok(long micros, Exchange exchange) {
        latency.recordValue(Math.max(0, micros));
        tally.recordOk();
        String worker = exchange.worker();
        if (worker != null) {
            if (worker != lastWorker) {
                lastWorker = worker;
                lastWorkerCount = tally.worker(worker);
            }
            lastWorkerCount.increment();
        }
        if (plan.spec.collectRequestNumbers() && exchange.requestNumber() >= 0) {
            requestNumbers.add(exchange.requestNumber());
        }
    }

    void error(String kind) {
        tally.error(kind);
    }

    void lag(long nanos) {
        lag.recordValue(Math.max(0, nanos / 1000));
    }

    void unsent(long n) {
        unsent += n;
    }

    // ---- read by the generator after this loop's thread has ended ----------------------------------

    Histogram lagHistogram() {
        return lag;
    }

    List<Long> requestNumbers() {
        return requestNumbers;
    }

    long unsent() {
        return unsent;
    }

    /** Writes each of this loop's connections' answers at its index in {@code byConnection}. */
    void answered(long[] byConnection) {
        for (Slot s : slots) {
            byConnection[s.index] = s.answered();
        }
    }

    long endedAt() {
        return endedAt;
    }

    void wakeup() {
        selector.wakeup();
    }
}
