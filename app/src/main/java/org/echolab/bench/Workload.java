package org.echolab.bench;

import java.time.Duration;
import org.echolab.protocol.Durations;

/**
 * What the server does for each request of a benchmark cell: {@code sleep} for a while (like
 * waiting on a database), compute ({@code cpu}) for a while, or {@code none} (answer at once, so
 * only the model's own overhead is measured).
 */
public record Workload(String kind, Duration perRequest) {

    public Workload {
        if (!kind.equals("sleep") && !kind.equals("cpu") && !kind.equals("none")) {
            throw new IllegalArgumentException(
                    "workload must be sleep:DURATION, cpu:DURATION or none (got '" + kind + "')");
        }
        if (kind.equals("none")) {
            perRequest = Duration.ZERO;
        } else if (perRequest == null || perRequest.isZero() || perRequest.isNegative()) {
            throw new IllegalArgumentException("workload " + kind + " needs a wait above 0, e.g. " + kind + ":100ms");
        }
    }

    /** {@code sleep:100ms}, {@code cpu:10ms} or {@code none}. */
    public static Workload parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 0) {
            return new Workload(t, null);
        }
        return new Workload(t.substring(0, colon), Durations.parse(t.substring(colon + 1)));
    }

    /** The work= value sent with each request; {@code none} sends a zero wait. */
    public String work() {
        return kind.equals("cpu") ? "cpu" : "sleep";
    }

    /** e.g. {@code sleep 100ms}. */
    public String label() {
        return kind.equals("none") ? "none" : kind + " " + Durations.format(perRequest);
    }

    /** e.g. {@code sleep-100ms}, for file names. */
    public String slug() {
        return label().replace(' ', '-');
    }
}
