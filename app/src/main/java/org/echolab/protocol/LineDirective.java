package org.echolab.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A TCP line's optional directive, {@code [wait=250ms work=cpu] text}: what the line asks for and
 * the text to echo. Pure: bytes in, values out; the values are checked by whoever applies them.
 *
 * @param waitText the {@code wait=} value as written, or null when the line names none
 * @param workText the {@code work=} value as written, or null
 * @param text the bytes to echo: the line without its directive and the one space after it
 */
public record LineDirective(String waitText, String workText, byte[] text) {

    /** A directive that cannot be read; the message says how to write one. */
    public static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super(message, null);
        }
    }

    /**
     * Reads {@code line} (without its line ending).
     *
     * @throws Malformed for {@code [} without {@code ]} or an unknown key
     */
    public static LineDirective parse(byte[] line) {
        if (line.length == 0 || line[0] != '[') {
            return new LineDirective(null, null, line);
        }
        int end = indexOf(line, (byte) ']');
        if (end < 0) {
            throw new Malformed("directive '[' without ']'; use e.g. [wait=250ms work=cpu] text");
        }
        String wait = null;
        String work = null;
        for (String part :
                new String(line, 1, end - 1, StandardCharsets.US_ASCII).strip().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "wait" -> wait = value;
                case "work" -> work = value;
                default -> throw new Malformed("unknown directive '" + key + "'; use wait= and work=");
            }
        }
        int start = end + 1;
        if (start < line.length && line[start] == ' ') {
            start++;
        }
        return new LineDirective(wait, work, Arrays.copyOfRange(line, start, line.length));
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
