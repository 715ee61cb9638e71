package org.echolab.protocol;

import java.nio.ByteBuffer;

/**
 * Tells HTTP from the line-based TCP echo by the first line, without consuming it: a first line
 * that starts with a standard method and a space ({@code GET }, {@code POST }, ...), or that reads
 * {@code TOKEN SP target SP HTTP/x.y}, is HTTP (so a malformed request still gets its 400, and an
 * over-long request line its 414); anything else is a TCP line.
 */
public final class ProtocolDetector {

    /** What a connection speaks; WEBSOCKET is never detected: an HTTP connection switches to it by Upgrade. */
    public enum Protocol {
        HTTP,
        TCP,
        WEBSOCKET
    }

    private ProtocolDetector() {}

    /** HTTP, TCP, or null when more bytes are needed to decide. */
    public static Protocol detect(ByteBuffer buffered, int maxLine) {
        int start = buffered.position();
        int end = buffered.limit();
        // skip empty lines that may precede an HTTP request
        while (start < end && (buffered.get(start) == '\r' || buffered.get(start) == '\n')) {
            start++;
        }
        for (int i = start; i < end; i++) {
            if (buffered.get(i) == '\n') {
                return startsWithMethod(buffered, start, i) || looksLikeRequestLine(buffered, start, i)
                        ? Protocol.HTTP
                        : Protocol.TCP;
            }
        }
        if (end - start > maxLine) {
            return startsWithMethod(buffered, start, end) ? Protocol.HTTP : Protocol.TCP;
        }
        return null;
    }

    /** The input ended before a whole first line: HTTP if it starts like a request, else a TCP line. */
    public static Protocol detectAtEnd(ByteBuffer buffered) {
        return startsWithMethod(buffered, buffered.position(), buffered.limit()) ? Protocol.HTTP : Protocol.TCP;
    }

    private static boolean looksLikeRequestLine(ByteBuffer b, int from, int lf) {
        int to = lf > from && b.get(lf - 1) == '\r' ? lf - 1 : lf;
        int firstSpace = indexOf(b, ' ', from, to);
        int lastSpace = lastIndexOf(b, ' ', from, to);
        if (firstSpace <= from || lastSpace <= firstSpace + 1) {
            return false;
        }
        for (int i = from; i < firstSpace; i++) {
            byte c = b.get(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        // the version part: HTTP/ followed by anything, so HTTP/2.0 still goes to the parser's 505
        return to - lastSpace > 5 && matches(b, lastSpace + 1, "HTTP/");
    }

    private static final String[] METHODS = {
        "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "TRACE ", "CONNECT "
    };

    private static boolean startsWithMethod(ByteBuffer b, int from, int end) {
        for (String m : METHODS) {
            if (end - from >= m.length() && matches(b, from, m)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(ByteBuffer b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (at + i >= b.limit() || b.get(at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteBuffer b, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(ByteBuffer b, char c, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b.get(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
