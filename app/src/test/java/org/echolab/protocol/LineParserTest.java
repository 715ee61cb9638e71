package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineParserTest {

    private static List<String> lines(LineParser parser, String input, int piece) {
        List<String> out = new ArrayList<>();
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < bytes.length; off += piece) {
            ByteBuffer b = ByteBuffer.wrap(bytes, off, Math.min(piece, bytes.length - off));
            LineParser.Result r;
            while (!((r = parser.parse(b)) instanceof LineParser.NeedMore)) {
                out.add(r instanceof LineParser.Line l ? new String(l.bytes(), StandardCharsets.UTF_8) : "TOO LONG");
            }
        }
        return out;
    }

    @Test
    void splitsLinesOnLfAndStripsCr() {
        for (int piece : new int[] {1, 2, 5, 100}) {
            assertThat(lines(new LineParser(100), "one\r\ntwo\n\nthree ü\r\n", piece))
                    .as("pieces of " + piece).containsExactly("one", "two", "", "three ü");
        }
    }

    @Test
    void keepsAnUnfinishedLineForLater() {
        LineParser p = new LineParser(100);
        assertThat(lines(p, "par", 10)).isEmpty();
        assertThat(p.midLine()).isTrue();
        assertThat(lines(p, "tial\n", 10)).containsExactly("partial");
        assertThat(p.midLine()).isFalse();
    }

    @Test
    void aLineOverTheLimitIsTooLongAndOneAtTheLimitIsNot() {
        assertThat(lines(new LineParser(4), "abcd\r\n", 1)).containsExactly("abcd");
        assertThat(lines(new LineParser(4), "abcdef\n", 1)).first().isEqualTo("TOO LONG");
        assertThat(lines(new LineParser(4), "abcde\n", 10)).containsExactly("TOO LONG");
    }
}
