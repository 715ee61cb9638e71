package org.echolab.protocol;

import java.time.Duration;

/**
 * Parses and prints the short durations used on the wire and on the command line: 250ms, 1.5s, 2m,
 * 0. A number needs its unit: {@code wait=5} could mean 5 ms (as it once did here) or 5 s (as
 * httpbin's {@code /delay/5} and wrk's {@code -d 5} do), so it is refused rather than guessed;
 * only 0 is the same in every unit.
 */
public final class Durations {

    /** The units a duration may have, as the messages name them. */
    public static final String UNITS = "ns, us, ms, s, m";

    private Durations() {}

    /**
     * Parses {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 500us}, {@code 2m}, or {@code 0}.
     *
     * @throws IllegalArgumentException with a message that says what a valid value looks like
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        int unitAt = 0;
        while (unitAt < s.length() && (Character.isDigit(s.charAt(unitAt)) || s.charAt(unitAt) == '.')) {
            unitAt++;
        }
        String number = s.substring(0, unitAt);
        String unit = s.substring(unitAt);
        double nanosPerUnit = switch (unit) {
            case "ms" -> 1e6;
            case "us" -> 1e3;
            case "ns" -> 1;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "" -> 0; // a bare number: only 0, checked below
            default -> -1;
        };
        if (!number.matches("\\d+(\\.\\d*)?|\\.\\d+") || nanosPerUnit < 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use e.g. 250ms, 1s, 1.5s or 2m (units: " + UNITS + ")");
        }
        if (unit.isEmpty()) {
            if (Double.parseDouble(number) != 0) {
                throw new IllegalArgumentException("'" + text + "' has no unit; write " + number + "ms or " + number
                        + "s (units: " + UNITS + "; only 0 stands alone)");
            }
            return Duration.ZERO;
        }
        double nanos = Double.parseDouble(number) * nanosPerUnit;
        if (nanos > 1e9 * 86_400 * 365) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A short form for humans: 0, 250ms, 1.5s, 2m. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0";
        }
        if (nanos % 60_000_000_000L == 0) {
            return nanos / 60_000_000_000L + "m";
        }
        if (nanos >= 1_000_000_000L) {
            return strip(nanos / 1e9) + "s";
        }
        if (nanos >= 1_000_000L) {
            return strip(nanos / 1e6) + "ms";
        }
        return strip(nanos / 1e3) + "us";
    }

    private static String strip(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
