package org.echolab.process;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A process-wide allowance that requests take from and give back: bytes held for request bodies
 * and replies, or nanoseconds of CPU work in flight. A request that would take the total over the
 * limit is refused (the server answers 503), so what the server holds is bounded by its
 * configuration, not by its clients. Thread-safe and lock-free: {@link #take} is one
 * compare-and-set loop, so the limit is never exceeded, not even for a moment.
 */
public final class Budget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder refusals = new LongAdder();

    public Budget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code amount} if it fits under the limit; false (and nothing taken) if it does not. */
    public boolean take(long amount) {
        if (amount <= 0) {
            return true;
        }
        long now;
        do {
            now = used.get();
            if (amount > limit - now) {
                refusals.increment();
                return false;
            }
        } while (!used.compareAndSet(now, now + amount));
        peak.accumulateAndGet(now + amount, Math::max);
        return true;
    }

    /** Gives back what {@link #take} took. */
    public void give(long amount) {
        if (amount > 0) {
            used.addAndGet(-amount);
        }
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }

    public long peak() {
        return peak.get();
    }

    /** How many takes were refused. */
    public long refusals() {
        return refusals.sum();
    }
}
