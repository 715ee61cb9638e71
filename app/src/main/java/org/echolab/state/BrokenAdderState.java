package org.echolab.state;

import java.util.concurrent.atomic.LongAdder;

/**
 * BROKEN on purpose ({@code --state broken-adder}): {@link LongAdder} used where it does not fit.
 * It is {@link AtomicState} in every respect but one: request numbers come from
 * {@code adder.increment(); return adder.sum();}.
 *
 * <p>A LongAdder never loses an increment, which is why {@link AtomicState} counts requests served
 * with one: under contention each thread adds to its own cell instead of fighting over one cache
 * line. But {@code increment()} returns nothing, and {@code sum()} is the total at some moment
 * later, not "the value my increment produced": two threads that increment before either sums both
 * get the same number. Unique numbers need one atomic read-modify-write that returns its result
 * ({@code AtomicLong.incrementAndGet}). So here the total stays right (no lost updates) and the
 * request numbers repeat (duplicates).
 *
 * <p>Observed here ({@code echolab race}, 2000 requests, 8 clients, window 1ms): served 2000 of
 * 2000 and 806-1469 duplicate numbers under the thread models (81 under eventloop). Without a
 * window, jcstress ({@code RaceLab_01_RequestNumber.BrokenAdder}) sees "2, 2, 2" rarely: 667 of
 * 2.6 million runs.
 */
public final class BrokenAdderState implements ServerState {

    private final LongAdder numbers = new LongAdder();
    private final RaceWindow window;
    private final AtomicState rest = new AtomicState();

    public BrokenAdderState() {
        this(RaceWindow.NONE);
    }

    public BrokenAdderState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "broken-adder";
    }

    @Override
    public long nextRequestNumber() {
        numbers.increment(); // never lost ...
        window.pause(); // ... but another thread may increment here ...
        return numbers.sum(); // ... and then both return the same sum
    }

    @Override
    public void requestServed(String client) {
        rest.requestServed(client);
    }

    @Override
    public void connectionOpened() {
        rest.connectionOpened();
    }

    @Override
    public void connectionClosed() {
        rest.connectionClosed();
    }

    @Override
    public Snapshot snapshot() {
        Snapshot s = rest.snapshot();
        return new Snapshot(numbers.sum(), s.served(), s.open(), s.peak(), s.perClient());
    }
}
