package org.echolab.state;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Correct, lock-free shared state: the server's default ({@code --state atomic}).
 * <ul>
 *   <li>request numbers: {@link AtomicLong#incrementAndGet()}, one atomic read-modify-write, so no
 *       two requests get the same number;</li>
 *   <li>served count: a {@link LongAdder}, which spreads contended increments over cells; fine for a
 *       total, useless for unique numbers (its sum is not a per-caller result);</li>
 *   <li>peak: {@link AtomicLong#accumulateAndGet} with max, a compare-and-set loop, so the
 *       check-then-act of "if open &gt; peak then peak = open" cannot lose a higher value;</li>
 *   <li>per-client counts: {@link ConcurrentHashMap#merge}, atomic per key.</li>
 * </ul>
 */
public final class AtomicState implements ServerState {

    private final AtomicLong requestNumber = new AtomicLong();
    private final LongAdder served = new LongAdder();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final ConcurrentHashMap<String, Long> perClient = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "atomic";
    }

    @Override
    public long nextRequestNumber() {
        return requestNumber.incrementAndGet();
    }

    @Override
    public void requestServed(String client) {
        served.increment();
        perClient.merge(client, 1L, Long::sum);
    }

    @Override
    public void connectionOpened() {
        long now = open.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
    }

    @Override
    public void connectionClosed() {
        open.decrementAndGet();
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(requestNumber.get(), served.sum(), open.get(), peak.get(), Map.copyOf(perClient));
    }
}
