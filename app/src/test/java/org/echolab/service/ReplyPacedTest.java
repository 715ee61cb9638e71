package org.echolab.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.echolab.protocol.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Reply#paced}: what goes out at once and what later, byte for byte, for a body within its length and a chunked one. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReplyPacedTest {

    private static HttpResponse body(String text) {
        return new HttpResponse(200, "OK").body(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyWithinItsContentLengthGoesAPieceAtATime() {
        Reply r = Reply.paced(
                body("*****"), false, Duration.ofMillis(5), new Reply.Pace(5, Duration.ofMillis(100), false), null);
        String first = new String(r.bytes(), StandardCharsets.US_ASCII);
        assertThat(first)
                .contains("Content-Length: 5\r\n")
                .doesNotContain("chunked")
                .endsWith("\r\n\r\n*");
        assertThat(r.later()).hasSize(4).allSatisfy(p -> assertThat(p).containsExactly('*'));
        assertThat(r.interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(r.delay()).isEqualTo(Duration.ofMillis(5));
        assertThat(r.held()).isEqualTo(r.bytes().length + 4);
    }

    @Test
    void moreBytesThanPiecesGoSeveralToAPiece() {
        Reply r = Reply.paced(
                body("abcdefghij"), false, Duration.ZERO, new Reply.Pace(3, Duration.ofMillis(1), false), null);
        assertThat(new String(r.bytes(), StandardCharsets.US_ASCII)).endsWith("\r\n\r\nabc");
        assertThat(r.later())
                .extracting(p -> new String(p, StandardCharsets.US_ASCII))
                .containsExactly("def", "ghij");
    }

    @Test
    void chunkedWithNoIntervalGoesAtOnceAndEndsWithTheLastChunk() {
        Reply r = Reply.paced(body("l1\nl2\n"), false, Duration.ZERO, new Reply.Pace(2, Duration.ZERO, true), null);
        assertThat(r.later()).isEmpty();
        assertThat(new String(all(r), StandardCharsets.US_ASCII))
                .contains("Transfer-Encoding: chunked\r\n")
                .doesNotContain("Content-Length")
                .endsWith("\r\n\r\n3\r\nl1\n\r\n3\r\nl2\n\r\n0\r\n\r\n");
    }

    @Test
    void headAndEmptyBodiesAreNotPaced() {
        Reply head =
                Reply.paced(body("*****"), true, Duration.ZERO, new Reply.Pace(5, Duration.ofMillis(100), false), null);
        assertThat(head.later()).isEmpty();
        assertThat(new String(head.bytes(), StandardCharsets.US_ASCII))
                .contains("Content-Length: 5")
                .endsWith("\r\n\r\n");
        Reply empty =
                Reply.paced(body(""), false, Duration.ZERO, new Reply.Pace(5, Duration.ofMillis(100), true), null);
        assertThat(empty.later()).isEmpty();
        assertThat(new String(empty.bytes(), StandardCharsets.US_ASCII)).contains("Content-Length: 0");
    }

    @Test
    void theLastReplyOfADrainKeepsItsPace() {
        Reply r = Reply.paced(
                        body("*****"), false, Duration.ZERO, new Reply.Pace(5, Duration.ofMillis(100), false), null)
                .closing();
        assertThat(new String(r.bytes(), StandardCharsets.US_ASCII)).contains("Connection: close");
        assertThat(r.later()).hasSize(4);
        assertThat(r.close()).isTrue();
    }

    private static byte[] all(Reply r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Outgoing o = r.outgoing();
        for (ByteBuffer s; (s = o.slice()) != null; ) {
            byte[] b = new byte[s.remaining()];
            s.get(b);
            out.writeBytes(b);
        }
        r.later().forEach(out::writeBytes);
        return out.toByteArray();
    }
}
