package org.echolab.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A random extra wait, as a request asks for it with {@code jitter=}: {@code uniform:50ms} (any
 * amount from 0 to 50 ms, all equally likely) or a weighted list, {@code 0ms*9,500ms*1} (0 ms nine
 * times in ten, 500 ms once; a weight left out is 1). Pure: {@link #pick} maps a number the caller
 * drew from [0, 1) to a duration, so the same draw always gives the same wait. Immutable.
 */
public final class Jitter {

    /** Most entries a weighted list may have. */
    public static final int MAX_ENTRIES = 32;

    private final Duration uniform; // null for a list
    private final List<Duration> values;
    private final long[] cumulative; // running sums of the weights

    private Jitter(Duration uniform, List<Duration> values, long[] cumulative) {
        this.uniform = uniform;
        this.values = values;
        this.cumulative = cumulative;
    }

    /** @throws IllegalArgumentException saying what a valid jitter looks like */
    public static Jitter parse(String text) {
        String s = text.strip();
        if (s.startsWith("uniform:")) {
            return new Jitter(Durations.parse(s.substring("uniform:".length())), List.of(), new long[0]);
        }
        String[] entries = s.split(",", -1);
        if (entries.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("jitter lists at most " + MAX_ENTRIES + " durations");
        }
        List<Duration> values = new ArrayList<>();
        long[] cumulative = new long[entries.length];
        long sum = 0;
        for (int i = 0; i < entries.length; i++) {
            String e = entries[i].strip();
            int star = e.indexOf('*');
            long weight = 1;
            if (star >= 0) {
                try {
                    weight = Long.parseLong(e.substring(star + 1).strip());
                } catch (NumberFormatException x) {
                    weight = -1;
                }
                if (weight < 0 || weight > 1_000_000) {
                    throw new IllegalArgumentException(
                            "jitter weight in '" + e + "' must be a whole number from 0 to 1000000");
                }
                e = e.substring(0, star);
            }
            try {
                values.add(Durations.parse(e));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(
                        "jitter '" + text + "' is not uniform:DURATION or a list like 0ms*9,500ms*1");
            }
            sum += weight;
            cumulative[i] = sum;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("jitter weights add up to 0");
        }
        return new Jitter(null, List.copyOf(values), cumulative);
    }

    /** The longest wait this jitter can add. */
    public Duration max() {
        return uniform != null
                ? uniform
                : values.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** The extra wait for a draw {@code u} from [0, 1). */
    public Duration pick(double u) {
        if (uniform != null) {
            return Duration.ofNanos((long) (u * uniform.toNanos()));
        }
        long point = (long) (u * cumulative[cumulative.length - 1]);
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) {
                return values.get(i);
            }
        }
        return values.getLast();
    }
}
