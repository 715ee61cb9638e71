package org.echolab.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental parser for the line-based TCP echo: bytes in, lines out, each with the ending it
 * came with (CR LF, LF, or none for a last line cut short by the end of input, {@link #finish}),
 * so that the echo can keep what the client sent. Pure and not thread-safe, like {@link HttpParser}.
 */
public final class LineParser {

    public sealed interface Result permits NeedMore, Line, TooLong {}

    public record NeedMore() implements Result {}

    /** One line's bytes, its ending removed; {@code ending} is CR LF, LF, or empty (the input ended). */
    public record Line(byte[] bytes, byte[] ending) implements Result {}

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LF = {'\n'};
    private static final byte[] NONE = {};

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
                boolean cr = length > 0 && line[length - 1] == '\r';
                int n = cr ? length - 1 : length;
                length = 0;
                return n > maxLine ? new TooLong(maxLine) : new Line(Arrays.copyOf(line, n), cr ? CRLF : LF);
            }
            if (length > maxLine) { // one byte of slack for the CR of CR LF
                return new TooLong(maxLine);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, maxLine + 2));
            }
            line[length++] = b;
        }
        return NEED_MORE;
    }

    /**
     * The input ended: the bytes of a last line that had no line ending, or null if there are
     * none. A lone CR at the end stays part of that line's bytes.
     */
    public Line finish() {
        if (length == 0) {
            return null;
        }
        Line last = new Line(Arrays.copyOf(line, length), NONE);
        length = 0;
        return last;
    }
}
