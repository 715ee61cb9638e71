package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.echolab.protocol.WebSocketDecoder.Close;
import org.echolab.protocol.WebSocketDecoder.Failure;
import org.echolab.protocol.WebSocketDecoder.Message;
import org.echolab.protocol.WebSocketDecoder.Ping;
import org.echolab.protocol.WebSocketDecoder.Pong;
import org.echolab.protocol.WebSocketDecoder.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WebSocket frame decoder and encoder with no sockets: every conversation whole, byte by byte
 * and in random fragments (through a buffer no larger than a frame header needs), every broken
 * rule with its close code, and the handshake's accept key from RFC 6455's own example.
 */
class WebSocketDecoderTest {

    private static final byte[] MASK = {(byte) 0x37, (byte) 0xfa, (byte) 0x21, (byte) 0x3d};
    private static final int LIMIT = 70_000;

    private static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return WebSocketFrames.masked(fin, opcode, payload, MASK);
    }

    private static byte[] frame(boolean fin, int opcode, String text) {
        return frame(fin, opcode, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Feeds {@code input} in pieces of the given sizes (cycled) through a buffer of at most 32
     * bytes, as a read buffer would hold them, and collects every result up to the first failure.
     */
    private static List<Result> feed(byte[] input, int... pieces) {
        WebSocketDecoder decoder = new WebSocketDecoder(LIMIT, LIMIT);
        List<Result> results = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(32).flip();
        int offset = 0;
        int piece = 0;
        while (offset < input.length) {
            buffer.compact();
            int n = Math.min(Math.min(pieces[piece++ % pieces.length], input.length - offset), buffer.remaining());
            buffer.put(input, offset, n).flip();
            offset += n;
            for (Result r; !((r = decoder.next(buffer)) instanceof WebSocketDecoder.NeedMore); ) {
                results.add(r);
                if (r instanceof Failure) {
                    return results;
                }
            }
        }
        return results;
    }

    /** Results compared by value (records with arrays compare by identity). */
    private static List<String> described(List<Result> results) {
        return results.stream()
                .map(r -> switch (r) {
                    case Message m ->
                        (m.text() ? "text:" : "binary:") + new String(m.payload(), StandardCharsets.ISO_8859_1);
                    case Ping p -> "ping:" + new String(p.payload(), StandardCharsets.ISO_8859_1);
                    case Pong p -> "pong:" + new String(p.payload(), StandardCharsets.ISO_8859_1);
                    default -> r.toString();
                })
                .toList();
    }

    static Stream<Arguments> conversations() {
        byte[] big = new byte[LIMIT];
        new Random(3).nextBytes(big);
        return Stream.of(
                Arguments.of("one text", frame(true, 1, "hello"), List.of("text:hello")),
                Arguments.of("empty text", frame(true, 1, ""), List.of("text:")),
                Arguments.of(
                        "binary with a 16-bit length",
                        frame(true, 2, new byte[300]),
                        List.of("binary:" + new String(new byte[300], StandardCharsets.ISO_8859_1))),
                Arguments.of(
                        "binary with a 64-bit length, at the limit",
                        frame(true, 2, big),
                        List.of("binary:" + new String(big, StandardCharsets.ISO_8859_1))),
                Arguments.of(
                        "fragments with a ping between",
                        concat(
                                frame(false, 1, "frag"),
                                frame(true, 9, "p"),
                                frame(false, 0, "men"),
                                frame(true, 0, "ted")),
                        List.of("ping:p", "text:fragmented")),
                Arguments.of(
                        "a character split across fragments",
                        concat(frame(false, 1, new byte[] {(byte) 0xC3}), frame(true, 0, new byte[] {(byte) 0xB6})),
                        List.of("text:"
                                + new String("ö".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))),
                Arguments.of(
                        "pong, then close with a code and reason",
                        concat(
                                frame(true, 10, "x"),
                                frame(
                                        true,
                                        8,
                                        concat(
                                                new byte[] {0x0f, (byte) 0xa1},
                                                "bye".getBytes(StandardCharsets.US_ASCII)))),
                        List.of("pong:x", new Close(4001, "bye").toString())),
                Arguments.of(
                        "close without a code",
                        frame(true, 8, ""),
                        List.of(new Close(WebSocketFrames.NO_STATUS, "").toString())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void sameResultsWholeByteByByteAndInRandomFragments(String name, byte[] input, List<String> expected) {
        assertThat(described(feed(input, Integer.MAX_VALUE))).isEqualTo(expected);
        assertThat(described(feed(input, 1))).isEqualTo(expected);
        Random random = new Random(42);
        for (int trial = 0; trial < 30; trial++) {
            assertThat(described(feed(input, random.ints(8, 1, 20).toArray()))).isEqualTo(expected);
        }
    }

    static Stream<Arguments> brokenRules() {
        byte[] unmasked = WebSocketFrames.frame(1, "hi".getBytes(StandardCharsets.US_ASCII));
        byte[] rsv = frame(true, 1, "hi");
        rsv[0] |= 0x40;
        return Stream.of(
                Arguments.of("unmasked client frame", unmasked, 1002),
                Arguments.of("reserved bit without an extension", rsv, 1002),
                Arguments.of("unknown data opcode", frame(true, 3, "x"), 1002),
                Arguments.of("unknown control opcode", frame(true, 11, "x"), 1002),
                Arguments.of("ping of 126 bytes", frame(true, 9, new byte[126]), 1002),
                Arguments.of("fragmented ping", frame(false, 9, "p"), 1002),
                Arguments.of("continuation with nothing to continue", frame(true, 0, "x"), 1002),
                Arguments.of(
                        "new message inside a fragmented one", concat(frame(false, 1, "a"), frame(true, 1, "b")), 1002),
                Arguments.of("close with a one-byte payload", frame(true, 8, new byte[] {3}), 1002),
                Arguments.of(
                        "close with a code that may not be sent", frame(true, 8, new byte[] {0x03, (byte) 0xed}), 1002),
                Arguments.of("invalid UTF-8 in text", frame(true, 1, new byte[] {'a', (byte) 0xff}), 1007),
                Arguments.of(
                        "truncated UTF-8 at the end of a text",
                        frame(true, 1, new byte[] {(byte) 0xE2, (byte) 0x82}),
                        1007),
                Arguments.of(
                        "invalid UTF-8 in a close reason",
                        frame(true, 8, new byte[] {0x03, (byte) 0xe8, (byte) 0xC0}),
                        1007),
                Arguments.of("a frame over the limit", frame(true, 2, new byte[LIMIT + 1]), 1009),
                Arguments.of(
                        "fragments over the message limit",
                        concat(frame(false, 2, new byte[LIMIT - 10]), frame(true, 0, new byte[11])),
                        1009));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void eachBrokenRuleHasItsCloseCodeWholeAndInPieces(String name, byte[] input, int code) {
        for (int piece : new int[] {Integer.MAX_VALUE, 1, 3}) {
            List<Result> results = feed(input, piece);
            assertThat(results)
                    .as(name)
                    .last()
                    .isInstanceOfSatisfying(
                            Failure.class, f -> assertThat(f.code()).isEqualTo(code));
        }
    }

    @Test
    void aBufferedFrameIsAskedForBeforeItIsHeldAndARefusalIs1013() {
        List<Integer> asked = new ArrayList<>();
        WebSocketDecoder yes = new WebSocketDecoder(LIMIT, LIMIT, n -> asked.add(n));
        yes.next(ByteBuffer.wrap(concat(frame(false, 1, "abc"), frame(true, 0, "de"))));
        assertThat(asked).containsExactly(3, 2);
        WebSocketDecoder no = new WebSocketDecoder(LIMIT, LIMIT, n -> false);
        assertThat(no.next(ByteBuffer.wrap(frame(true, 2, "x"))))
                .isInstanceOfSatisfying(Failure.class, f -> assertThat(f.code()).isEqualTo(1013));
    }

    @Test
    void midMessageWhileAFrameOrAFragmentedMessageIsUnderWay() {
        WebSocketDecoder d = new WebSocketDecoder(LIMIT, LIMIT);
        byte[] first = frame(false, 1, "ab");
        assertThat(d.next(ByteBuffer.wrap(first, 0, 1))).isInstanceOf(WebSocketDecoder.NeedMore.class);
        assertThat(d.midMessage()).as("a header begun").isTrue();
        assertThat(d.next(ByteBuffer.wrap(first, 0, first.length - 1))).isInstanceOf(WebSocketDecoder.NeedMore.class);
        assertThat(d.midMessage()).isTrue();
        d.next(ByteBuffer.wrap(first, first.length - 1, 1));
        assertThat(d.midMessage()).as("between fragments").isTrue();
        d.next(ByteBuffer.wrap(frame(true, 0, "c")));
        assertThat(d.midMessage()).isFalse();
    }

    @Test
    void serverFramesAreUnmaskedAndUseTheShortestLength() {
        assertThat(WebSocketFrames.frame(1, "hi".getBytes(StandardCharsets.US_ASCII)))
                .containsExactly(0x81, 2, 'h', 'i');
        assertThat(WebSocketFrames.frame(2, new byte[126])).startsWith(0x82, 126, 0, 126);
        assertThat(WebSocketFrames.frame(2, new byte[65536])).startsWith(0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0);
        assertThat(WebSocketFrames.close(1009, "too big")).startsWith(0x88, 9, 0x03, (byte) 0xf1);
        assertThat(WebSocketFrames.close(WebSocketFrames.NO_STATUS, "")).containsExactly(0x88, 0);
        byte[] longReason = WebSocketFrames.close(1000, "ö".repeat(100));
        assertThat(longReason.length - 2)
                .as("a reason is cut to fit a control frame, on a character boundary")
                .isEqualTo(124);
    }

    @Test
    void theAcceptKeyOfRfc6455sExample() {
        assertThat(WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void handshakeRefusalsSayWhy() {
        HttpRequest good = new HttpRequest(
                "GET",
                "/ws",
                1,
                List.of(
                        new HttpRequest.Header("Upgrade", "WebSocket"),
                        new HttpRequest.Header("Connection", "keep-alive, Upgrade"),
                        new HttpRequest.Header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                        new HttpRequest.Header("Sec-WebSocket-Version", "13")),
                new byte[0]);
        assertThat(WebSocketHandshake.check(good))
                .isEqualTo(new WebSocketHandshake.Accept("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        HttpRequest plain = new HttpRequest("GET", "/ws", 1, List.of(), new byte[0]);
        assertThat(WebSocketHandshake.check(plain))
                .isInstanceOfSatisfying(
                        WebSocketHandshake.Refuse.class,
                        r -> assertThat(r.status()).isEqualTo(426));
        HttpRequest head = new HttpRequest("HEAD", "/ws", 1, good.headers(), new byte[0]);
        assertThat(WebSocketHandshake.check(head))
                .isInstanceOfSatisfying(
                        WebSocketHandshake.Refuse.class,
                        r -> assertThat(r.status()).isEqualTo(405));
        HttpRequest http10 = new HttpRequest("GET", "/ws", 0, good.headers(), new byte[0]);
        assertThat(WebSocketHandshake.check(http10))
                .isInstanceOfSatisfying(
                        WebSocketHandshake.Refuse.class,
                        r -> assertThat(r.status()).isEqualTo(400));
    }
}
