package org.echolab.monitor;

import java.util.Arrays;
import java.util.List;

/**
 * The timeline's rows: requests packed into at most {@code max} lanes, each request in the first
 * lane free when it began, so that requests that overlap are on different rows and the number of
 * rows is the most that were in flight at once, not the number of threads that served them (a
 * pool of 64 threads serving one request at a time draws one row, not 64). A request that finds
 * every lane busy gets none and is counted instead.
 *
 * <p>Pure: times in, lanes out.
 */
final class Lanes {

    /** A request's time span; {@code endedNanos} is 0 while it is in flight. */
    record Span(long beganNanos, long endedNanos) {}

    /** No lane: every lane was busy when the request began. */
    static final int NONE = -1;

    private Lanes() {}

    /**
     * The lane of each of {@code byStart} (sorted by the time each began), or {@link #NONE}.
     * A lane is free at a time when its last request ended at or before it.
     */
    static int[] assign(List<Span> byStart, int max) {
        long[] freeFrom = new long[max]; // when each lane's last request ended
        Arrays.fill(freeFrom, Long.MIN_VALUE); // unused: free from the beginning
        int[] lane = new int[byStart.size()];
        for (int i = 0; i < lane.length; i++) {
            Span s = byStart.get(i);
            lane[i] = NONE;
            for (int l = 0; l < max; l++) {
                if (freeFrom[l] <= s.beganNanos()) {
                    lane[i] = l;
                    freeFrom[l] = s.endedNanos() == 0 ? Long.MAX_VALUE : s.endedNanos(); // in flight: busy to the end
                    break;
                }
            }
        }
        return lane;
    }
}
