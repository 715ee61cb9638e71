package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmallPartsTest {

    @Test
    void durationsParseTheShortForms() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("500us")).isEqualTo(Duration.ofNanos(500_000));
        assertThat(Durations.parse("0")).isZero();
        for (String bad : new String[] {"", "-1s", "1h", "abc", "1..2s", "ms"}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("e.g. 250ms");
        }
    }

    @Test
    void durationsFormatRoundTrips() {
        for (String s : new String[] {"0", "250ms", "1.5s", "10s", "2m", "500us"}) {
            assertThat(Durations.format(Durations.parse(s))).isEqualTo(s);
        }
    }

    @Test
    void queryDecodesFirstValues() {
        assertThat(Query.parse("msg=a%20b&wait=1s&msg=second&flag"))
                .containsEntry("msg", "a b")
                .containsEntry("wait", "1s")
                .containsEntry("flag", "");
        assertThatThrownBy(() -> Query.parse("msg=%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Query.parse("msg=%f")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A value is its bytes, one char each: %ff is the byte 0xff, not U+FFFD; UTF-8 escapes stay UTF-8. */
    @Test
    void queryValuesAreBytesExactly() {
        assertThat(Query.parse("msg=%ff%00a+b").get("msg").getBytes(StandardCharsets.ISO_8859_1))
                .containsExactly(0xff, 0x00, 'a', ' ', 'b');
        assertThat(Query.parse("msg=caf%C3%A9").get("msg").getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo("café".getBytes(StandardCharsets.UTF_8));
    }

    /** The filler streamed in slices is the filler built whole. */
    @Test
    void payloadInSlicesOfTheSharedBlockIsThePayloadBuiltWhole() {
        byte[] m = "id-42".getBytes(StandardCharsets.US_ASCII);
        int size = 200_000;
        java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
        streamed.writeBytes(Payload.prefix(m, size));
        for (long left = size - Payload.prefix(m, size).length; left > 0; ) {
            java.nio.ByteBuffer slice = Payload.filler(left);
            left -= slice.remaining();
            while (slice.hasRemaining()) {
                streamed.write(slice.get());
            }
        }
        assertThat(streamed.toByteArray()).isEqualTo(Payload.of(m, size));
        assertThat(Payload.prefix(m, 3)).containsExactly('i', 'd', '-');
    }

    @Test
    void payloadStartsWithTheMessageAndHasExactlyTheSize() {
        byte[] m = "id-42".getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(Payload.of(m, 12), StandardCharsets.US_ASCII)).isEqualTo("id-42-abcdef");
        assertThat(Payload.of(m, 3)).containsExactly('i', 'd', '-');
        assertThat(Payload.of(m, 4000)).hasSize(4000);
        assertThat(Payload.of(m, 4000)).isEqualTo(Payload.of(m, 4000));
    }

    @Test
    void lineDirectiveSplitsWhatTheLineAsksForFromItsText() {
        LineDirective plain = LineDirective.parse("just text".getBytes(StandardCharsets.UTF_8));
        assertThat(plain.waitText()).isNull();
        assertThat(plain.workText()).isNull();
        assertThat(plain.text()).asString(StandardCharsets.UTF_8).isEqualTo("just text");

        LineDirective d = LineDirective.parse("[ wait=250ms  work=cpu ] hi there".getBytes(StandardCharsets.UTF_8));
        assertThat(d.waitText()).isEqualTo("250ms");
        assertThat(d.workText()).isEqualTo("cpu");
        assertThat(d.text()).asString(StandardCharsets.UTF_8).isEqualTo("hi there");

        assertThat(LineDirective.parse("[]".getBytes(StandardCharsets.UTF_8)).text())
                .isEmpty();
        assertThatThrownBy(() -> LineDirective.parse("[wait=1s no end".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(LineDirective.Malformed.class)
                .hasMessageContaining("without ']'");
        assertThatThrownBy(() -> LineDirective.parse("[speed=9] x".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("unknown directive 'speed'; use wait= and work=");
    }
}
