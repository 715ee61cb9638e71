package org.echolab.load;

import java.util.Arrays;
import java.util.Locale;

/**
 * How evenly a run's answers were spread over its connections: the answers each connection got
 * during the measured period (from the end of the warm-up to the end of {@code --duration}; with
 * only {@code --requests}, the whole run), summed up as min, median and max, and the connections
 * that got none while others got some. Those were <em>starved</em>: a server that serves one
 * connection at a time (or whose queue is full) answers the lucky ones and leaves the rest
 * waiting, so the run's req/s is what the lucky ones got, and the others' waits show only in the
 * latency tail (if they are answered after the period) or as timeouts.
 *
 * <p>Immutable; a record so that {@code results.json} holds it as it is.
 *
 * @param connections the client connections that had a request to send in the period (with
 *                    {@code --connect-per-request}: the clients)
 * @param starved     connections with no answer in the period, when at least one other got one
 */
public record Fairness(int connections, long min, double median, long max, int starved) {

    /**
     * From the answers of each connection, in any order; -1 for a connection that had no request to
     * send in the period (a run of fewer requests than connections), which is not counted.
     */
    public static Fairness of(long[] answered) {
        long[] sorted = Arrays.stream(answered).filter(a -> a >= 0).sorted().toArray();
        if (sorted.length == 0) {
            return new Fairness(0, 0, 0, 0, 0);
        }
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        long max = sorted[n - 1];
        // when nobody was answered (a period shorter than one wait), nobody was served before anyone else
        int zeros = (int) Arrays.stream(sorted).takeWhile(a -> a == 0).count();
        return new Fairness(n, sorted[0], median, max, max > 0 ? zeros : 0);
    }

    public boolean anyStarved() {
        return starved > 0;
    }

    /** {@code 0 / 0 / 29}: min / median / max answers per connection. */
    public String spread() {
        return min + " / " + number(median) + " / " + max;
    }

    /** {@code 4 of 5}: how many connections were starved, out of how many. */
    public String starvedOfAll() {
        return starved + " of " + connections;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
