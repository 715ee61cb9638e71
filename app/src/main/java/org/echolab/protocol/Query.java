package org.echolab.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Decodes a URL query ({@code a=1&b=two%20words}) into its first value per name. Values are
 * decoded to bytes, not to text: {@code %ff} is the byte 0xff, whatever it means in UTF-8. Each
 * value is returned as a string of those bytes, one char per byte (ISO-8859-1), so
 * {@code value.getBytes(ISO_8859_1)} gives them back exactly.
 */
public final class Query {

    private Query() {}

    /** @throws IllegalArgumentException for a malformed percent escape */
    public static Map<String, String> parse(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        forEachPair(raw, params::putIfAbsent);
        return params;
    }

    /**
     * As {@link #parse}, for a route whose parameters are {@code known}: a known name given twice
     * ({@code wait=1s&wait=2s}, {@code msg=a&msg=b}) is refused, since only one of the two could be
     * obeyed, and so is any other name unless {@code othersAllowed} (a misspelt {@code wiat=2s}
     * would otherwise be ignored without a word).
     *
     * @throws IllegalArgumentException naming the parameter, and for an unknown one those the route takes
     */
    public static Map<String, String> parse(String raw, List<String> known, boolean othersAllowed) {
        Map<String, String> params = new LinkedHashMap<>();
        forEachPair(raw, (name, value) -> {
            if (!known.contains(name)) {
                if (othersAllowed) {
                    params.putIfAbsent(name, value);
                    return;
                }
                String near = known.stream()
                        .filter(k -> distance(k, name) <= 2)
                        .min(java.util.Comparator.comparingInt(k -> distance(k, name)))
                        .map(k -> "did you mean '" + k + "'? ")
                        .orElse("");
                throw new IllegalArgumentException(
                        "unknown parameter '" + name + "'; " + near + "this route takes " + String.join(", ", known));
            }
            if (params.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("parameter '" + name + "' is given twice ('" + params.get(name)
                        + "' and '" + value + "'); give it once");
            }
        });
        return params;
    }

    /** Every name and value in order, repeated names included, decoded as {@link #parse} does. */
    public static List<Map.Entry<String, String>> pairs(String raw) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        forEachPair(raw, (name, value) -> out.add(Map.entry(name, value)));
        return out;
    }

    /** Hands each decoded name and value to {@code to}, in order; an empty pair ({@code a&&b}, a trailing &) is skipped. */
    private static void forEachPair(String raw, BiConsumer<String, String> to) {
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) {
                end = raw.length();
            }
            if (end > start) {
                int eq = raw.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    to.accept(decode(raw, start, end), "");
                } else {
                    to.accept(decode(raw, start, eq), decode(raw, eq + 1, end));
                }
            }
            start = end + 1;
        }
    }

    /** The edit distance between two short names (Levenshtein), to suggest the name a typo meant. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + swap);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Percent escapes to bytes and '+' to a space in {@code raw[from, to)}, as HTML forms encode a query. */
    private static String decode(String raw, int from, int to) {
        String s = raw.substring(from, to);
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s; // nothing to decode: the text is its bytes already
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("incomplete escape '" + s.substring(i) + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape '" + s.substring(i, i + 3) + "'");
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = (byte) (c == '+' ? ' ' : c);
            }
        }
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }
}
