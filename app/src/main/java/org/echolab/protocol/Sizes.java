package org.echolab.protocol;

import java.util.Locale;

/**
 * Parses and prints sizes in bytes, on the wire ({@code size=64KiB}) and on the command line
 * ({@code --max-body 2m}): {@code 512B}, {@code 64KiB}, {@code 2MiB}, {@code 1GiB}; {@code k},
 * {@code m} and {@code g} are the same binary units, as nginx reads them ({@code 2m} is 2 MiB);
 * {@code kB}, {@code MB} and {@code GB} are decimal. A number needs its unit, as a duration does
 * ({@link Durations}): only 0 stands alone. Pure.
 */
public final class Sizes {

    /** The units a size may have, as the messages name them. */
    public static final String UNITS = "B, KiB, MiB, GiB (or k, m, g, as nginx), kB, MB, GB";

    private Sizes() {}

    /**
     * Parses a whole number of bytes with its unit, or {@code 0}.
     *
     * @throws IllegalArgumentException naming the units
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.strip();
        int unitAt = 0;
        while (unitAt < s.length() && Character.isDigit(s.charAt(unitAt))) {
            unitAt++;
        }
        String number = s.substring(0, unitAt);
        String unit = s.substring(unitAt).strip();
        long bytesPerUnit = switch (unit.toLowerCase(Locale.ROOT)) {
            case "b" -> 1;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "kb" -> 1_000;
            case "mb" -> 1_000_000;
            case "gb" -> 1_000_000_000;
            case "" -> 0; // a bare number: only 0, checked below
            default -> -1;
        };
        if (number.isEmpty() || number.length() > 12 || bytesPerUnit < 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size; use e.g. 512B, 64KiB or 2MiB (units: " + UNITS + ")");
        }
        long n = Long.parseLong(number);
        if (unit.isEmpty() && n != 0) {
            throw new IllegalArgumentException("'" + text + "' has no unit; write " + n + "B, or e.g. " + suggestion(n)
                    + " (units: " + UNITS + "; only 0 stands alone)");
        }
        try {
            return Math.multiplyExact(n, unit.isEmpty() ? 1 : bytesPerUnit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    /** As {@link #parse}, within {@code [0, max]}. */
    public static long parse(String text, long max) {
        long n = parse(text);
        if (n > max) {
            throw new IllegalArgumentException("'" + text.strip() + "' is above the limit of " + format(max));
        }
        return n;
    }

    /** The shortest exact form: 0, 512B, 64KiB, 2MiB, 1GiB. */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
            long per = unit.equals("GiB") ? 1L << 30 : unit.equals("MiB") ? 1L << 20 : 1L << 10;
            if (bytes % per == 0) {
                return bytes / per + unit;
            }
        }
        return bytes + "B";
    }

    /** {@code n} bytes in the largest binary unit that keeps it whole, to show what the user may have meant. */
    private static String suggestion(long n) {
        return n % 1024 == 0 ? format(n) : n + "KiB";
    }
}
