package org.echolab.state;

import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.Map;

/**
 * BROKEN on purpose ({@code --state broken}): shared state written the way it looks right in a
 * single-threaded program. Every method is a read-modify-write of a plain field or a plain
 * {@link HashMap}, and nothing stops two threads from doing the read at the same time:
 * <ul>
 *   <li>{@link #nextRequestNumber}: two requests read the same number and both return it
 *       (duplicate request numbers), and one increment of the total is lost;</li>
 *   <li>{@link #requestServed}: {@code served = served + 1} loses updates; the per-client
 *       {@code get} then {@code put} loses counts for the same client, and concurrent inserts of
 *       new clients can lose whole entries (HashMap's resize is not thread-safe);</li>
 *   <li>{@link #connectionOpened}: {@code if (now > peak) peak = now} is check-then-act: a thread
 *       that saw 3 can overwrite the 4 another thread wrote a moment before.</li>
 * </ul>
 * The fixes sit beside it: {@link SynchronizedState} (one lock) and {@link AtomicState} (atomics).
 * Between each read and its write it takes the {@link RaceWindow} pause, 0 unless asked.
 *
 * <p>Observed here (2 cores, {@code echolab race}: 2000 requests from 8 keep-alive clients, race
 * window 1ms): served 502-564 of 2000 (about 3 in 4 updates lost), 1447-1496 duplicate request
 * numbers, and 3-7 connections still counted open after every client had closed, under each of
 * thread, pool, virtual and eventloop; under sequential, nothing (no two requests overlap).
 * Without a window, jcstress ({@code RaceLab_01..03}) sees the same outcomes in 1-5 % of its runs.
 */
public final class BrokenState implements ServerState {

    private final RaceWindow window;
    private long requestNumber;
    private long served;
    private long open;
    private long peak;
    private final Map<String, Long> perClient = new HashMap<>();

    public BrokenState() {
        this(RaceWindow.NONE);
    }

    public BrokenState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public long nextRequestNumber() {
        long next = requestNumber + 1; // read ...
        window.pause(); // ... another thread reads the same value here ...
        requestNumber = next; // ... and both write (and return) the same number
        return next;
    }

    @Override
    public void requestServed(String client) {
        long s = served;
        window.pause();
        served = s + 1; // lost update: a concurrent increment is overwritten
        Long count = perClient.get(client);
        window.pause();
        perClient.put(client, count == null ? 1 : count + 1); // same, per client
    }

    @Override
    public void connectionOpened() {
        long now = open + 1;
        window.pause();
        open = now;
        if (now > peak) { // check ...
            window.pause();
            peak = now; // ... then act: may overwrite a higher peak
        }
    }

    @Override
    public void connectionClosed() {
        long now = open - 1;
        window.pause();
        open = now;
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(requestNumber, served, open, peak, copyOf(perClient));
    }

    /**
     * Copying a HashMap that another thread is changing may throw; /stats must not fail for it,
     * so try again (the copy, like every figure here, may still be stale: that is the lesson).
     */
    static Map<String, Long> copyOf(Map<String, Long> map) {
        for (int attempt = 0; ; attempt++) {
            try {
                return Map.copyOf(map);
            } catch (ConcurrentModificationException | NullPointerException e) {
                if (attempt == 100) {
                    return Map.of();
                }
                Thread.onSpinWait();
            }
        }
    }
}
