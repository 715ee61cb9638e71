package org.echolab.state;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BrokenState} fixed with one lock ({@code --state synchronized}): the same plain fields and
 * plain {@link HashMap}, but every method holds this object's monitor, so each read-modify-write
 * (and the check-then-act on the peak) runs whole before the next one starts, and the monitor's
 * release/acquire makes every write visible to the next holder.
 *
 * <p>Correct and the simplest fix to review: one lock guards all the state, so no invariant across
 * fields can be seen half-done. The cost is that every request's bookkeeping is serialised: under
 * contention threads queue on the monitor (and platform threads park in the kernel), which JMH
 * (jmh/, docs/race-conditions.md) measures against the lock-free {@link AtomicState}.
 */
public final class SynchronizedState implements ServerState {

    private long requestNumber;
    private long served;
    private long open;
    private long peak;
    private final Map<String, Long> perClient = new HashMap<>();

    @Override
    public String name() {
        return "synchronized";
    }

    @Override
    public synchronized long nextRequestNumber() {
        return ++requestNumber;
    }

    @Override
    public synchronized void requestServed(String client) {
        served++;
        perClient.merge(client, 1L, Long::sum);
    }

    @Override
    public synchronized void connectionOpened() {
        open++;
        if (open > peak) { // check-then-act is safe: no one else can act in between
            peak = open;
        }
    }

    @Override
    public synchronized void connectionClosed() {
        open--;
    }

    @Override
    public synchronized Snapshot snapshot() {
        return new Snapshot(requestNumber, served, open, peak, Map.copyOf(perClient));
    }
}
