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
                    .as("pieces of " + piece)
                    .containsExactly("one", "two", "", "three ü");
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

    /** The echo keeps each line's own ending: CR LF, LF, or none for a last line the end of input cut short. */
    @Test
    void eachLineKeepsItsEndingAndTheLastLineComesAtTheEnd() {
        for (int piece : new int[] {1, 2, 100}) {
            LineParser p = new LineParser(100);
            List<String> endings = new ArrayList<>();
            byte[] bytes = "a\r\nb\nc\r".getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < bytes.length; off += piece) {
                ByteBuffer b = ByteBuffer.wrap(bytes, off, Math.min(piece, bytes.length - off));
                for (LineParser.Result r; (r = p.parse(b)) instanceof LineParser.Line l; ) {
                    endings.add(new String(l.bytes(), StandardCharsets.US_ASCII) + "|"
                            + new String(l.ending(), StandardCharsets.US_ASCII));
                }
            }
            LineParser.Line last = p.finish();
            endings.add(new String(last.bytes(), StandardCharsets.US_ASCII) + "|"
                    + new String(last.ending(), StandardCharsets.US_ASCII));
            assertThat(endings).as("pieces of " + piece).containsExactly("a|\r\n", "b|\n", "c\r|");
            assertThat(p.finish()).as("nothing left").isNull();
        }
    }
}
