package org.echolab.protocol;

/**
 * Size limits the parsers enforce. Each limit, when crossed, has its own answer: a request line
 * over {@code maxRequestLine} gets 414, headers over {@code maxHeaderBytes} or
 * {@code maxHeaderCount} get 431, a body over {@code maxBody} gets 413, and a TCP line over
 * {@code maxLine} gets an error line and a close.
 */
public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, int maxBody, int maxLine) {

    public static final Limits DEFAULT = new Limits(8 * 1024, 32 * 1024, 100, 1024 * 1024, 8 * 1024);

    public Limits {
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaderCount < 1 || maxBody < 0 || maxLine < 1) {
            throw new IllegalArgumentException("limits too small: " + maxRequestLine + "/" + maxHeaderBytes + "/"
                    + maxHeaderCount + "/" + maxBody + "/" + maxLine);
        }
    }

    /** @throws IllegalArgumentException for a negative size, in the CLI's words */
    public Limits withMaxBody(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("--max-body must be 0 or more bytes (got " + bytes + ")");
        }
        return new Limits(maxRequestLine, maxHeaderBytes, maxHeaderCount, bytes, maxLine);
    }
}
