package org.echolab.protocol;

import java.time.Duration;

/** Parses and prints the short durations used on the wire and on the command line: 250ms, 1.5s, 2m, 0. */
public final class Durations {

    private Durations() {}

    /**
     * Parses {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 500us}, {@code 2m}; a bare number means
     * milliseconds.
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
            case "", "ms" -> 1e6;
            case "us" -> 1e3;
            case "ns" -> 1;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> -1;
        };
        if (number.isEmpty() || nanosPerUnit < 0 || number.chars().filter(c -> c == '.').count() > 1) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 250ms, 1s, 1.5s or 2m");
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
