package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental parser for the line-based TCP echo: bytes in, lines out (without CR LF). Pure and
 * not thread-safe, like {@link HttpParser}.
 */
public final class LineParser {

    public sealed interface Result permits NeedMore, Line, TooLong {}

    public record NeedMore() implements Result {}

    /** One line's bytes, CR LF removed. */
    public record Line(byte[] bytes) implements Result {}

    /** The line grew past the limit: answer with an error line and close. */
    public record TooLong(int limit) implements Result {}

    private static final NeedMore NEED_MORE = new NeedMore();

    private final int maxLine;
    private byte[] line = new byte[128];
    private int length;

    public LineParser(int maxLine) {
        this.maxLine = maxLine;
    }

    /** True when part of a line has been read. */
    public boolean midLine() {
        return length > 0;
    }

    public Result parse(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                length = 0;
                return n > maxLine ? new TooLong(maxLine) : new Line(Arrays.copyOf(line, n));
            }
            if (length > maxLine) {       // one byte of slack for the CR of CR LF
                return new TooLong(maxLine);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, maxLine + 2));
            }
            line[length++] = b;
        }
        return NEED_MORE;
    }
}
