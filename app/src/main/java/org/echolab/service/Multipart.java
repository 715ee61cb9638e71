package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code multipart/form-data} body (RFC 7578) taken apart into its parts, for the {@code form}
 * and {@code files} of {@link HttpbinJson}: each part's field name, its file name (null for a plain
 * field) and its content. Bytes in, parts out: no I/O. Stateless and thread-safe.
 */
final class Multipart {

    private Multipart() {}

    /** One part: {@code filename} null for a plain field. */
    record Part(String name, String filename, byte[] content) {}

    /** The {@code boundary} parameter of a Content-Type, unquoted, or null. */
    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
                String b = p.substring(9);
                return b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
            }
        }
        return null;
    }

    /**
     * The parts of {@code body}, delimited by {@code boundary}.
     *
     * @throws IllegalArgumentException saying where the body breaks the format
     */
    static List<Part> parse(byte[] body, String boundary) {
        if (boundary == null || boundary.isEmpty()) {
            throw new IllegalArgumentException("multipart body without a boundary in its Content-Type");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("multipart body without its boundary");
        }
        List<Part> parts = new ArrayList<>();
        at += delimiter.length;
        while (true) {
            if (startsWith(body, at, "--")) {
                return parts; // the close delimiter
            }
            if (!startsWith(body, at, "\r\n")) {
                throw new IllegalArgumentException("multipart boundary not followed by CRLF");
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("multipart part without the end of its headers");
            }
            String headers = new String(body, at + 2, Math.max(0, headersEnd - at - 2), StandardCharsets.UTF_8);
            int contentEnd = indexOf(body, next, headersEnd + 4);
            if (contentEnd < 0) {
                throw new IllegalArgumentException("multipart part without a boundary after it");
            }
            String disposition = null;
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                    disposition = line.substring(colon + 1);
                }
            }
            String name = disposition == null ? null : param(disposition, "name");
            if (name != null) {
                byte[] content = Arrays.copyOfRange(body, headersEnd + 4, contentEnd);
                parts.add(new Part(name, param(disposition, "filename"), content));
            }
            at = contentEnd + next.length;
        }
    }

    /** A parameter of a Content-Disposition value ({@code name="x"}), unquoted, or null. */
    private static String param(String disposition, String key) {
        for (String p : disposition.split(";")) {
            String s = p.strip();
            int eq = s.indexOf('=');
            if (eq > 0 && s.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals(key)) {
                String v = s.substring(eq + 1).strip();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = Math.max(0, from); i + what.length <= b.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
