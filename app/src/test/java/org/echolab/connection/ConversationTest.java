package org.echolab.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.echolab.config.ServerConfig;
import org.echolab.config.ServerConfig.ProtocolChoice;
import org.echolab.process.Budget;
import org.echolab.process.Readiness;
import org.echolab.process.Resources;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.service.EchoService;
import org.echolab.service.Reply;
import org.echolab.state.AtomicState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conversation step with no sockets: every model's decisions (protocol, parse results,
 * timeouts, overload, drain) made once, here. Each input is played whole, byte by byte and in
 * random fragments, and must give the same transcript.
 */
class ConversationTest {

    private static final ServerConfig CONFIG =
            ServerConfig.builder().model("test").build();

    /** What a model did, played from the conversation's steps: the bytes written, the waits, and how it ended. */
    private record Transcript(String written, List<Duration> waits, String end, long served, long inFlight) {}

    /**
     * Plays the part of a model: feeds {@code input} in pieces of the given sizes (cycled) when
     * asked to read, writes what it is told, "waits" by noting the wait, and stops on a close.
     */
    private static Transcript play(ServerConfig config, String input, boolean draining, int... pieces) {
        return play(config, input.getBytes(StandardCharsets.UTF_8), draining, pieces);
    }

    private static Transcript play(ServerConfig config, byte[] bytes, boolean draining, int... pieces) {
        Served service = new Served(config);
        Conversation c = service.conversation(config, "127.0.0.1");
        ByteBuffer in =
                ByteBuffer.allocate(Conversation.readBufferSize(config.limits)).flip();
        StringBuilder written = new StringBuilder();
        List<Duration> waits = new ArrayList<>();
        int offset = 0;
        int piece = 0;
        String end;
        loop:
        while (true) {
            switch (c.next(in, draining)) {
                case Conversation.Read r -> {
                    if (offset == bytes.length) {
                        end = c.midRequest(in) ? "end of input mid-request" : "end of input between requests";
                        break loop;
                    }
                    int n = Math.min(pieces[piece++ % pieces.length], bytes.length - offset);
                    in.compact().put(bytes, offset, n).flip();
                    offset += n;
                }
                case Conversation.Write w -> {
                    written.append(text(w.bytes()));
                    if (w.close()) {
                        end = "closed after a refusal";
                        break loop;
                    }
                }
                case Conversation.Answer a -> {
                    waits.add(a.reply().delay());
                    Reply reply = c.reply(draining);
                    written.append(text(reply.bytes()));
                    c.replied(true);
                    if (reply.close()) {
                        end = "closed after an answer";
                        break loop;
                    }
                }
            }
        }
        Map<String, Object> stats = service.stats();
        return new Transcript(
                written.toString(),
                waits,
                end,
                (long) stats.get("requestsServed"),
                ((Number) stats.get("requestsInFlight")).longValue());
    }

    /** Response text without the Date header, which changes every second. */
    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replaceAll("Date: [^\r]*\r\n", "");
    }

    static Stream<String> conversations() {
        return Stream.of(
                "GET /echo?msg=a HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?msg=b&wait=5ms HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
                "GET /echo?msg=last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n",
                "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                "hello\n[wait=5ms work=sleep] with a directive\r\n[bogus=1] x\nplain again\n",
                "x".repeat(9000) + "\n");
    }

    @ParameterizedTest
    @MethodSource("conversations")
    void sameTranscriptWholeByteByByteAndInRandomFragments(String input) {
        Transcript whole = play(CONFIG, input, false, Integer.MAX_VALUE);
        assertThat(play(CONFIG, input, false, 1)).isEqualTo(whole);
        Random random = new Random(7);
        for (int trial = 0; trial < 30; trial++) {
            assertThat(play(CONFIG, input, false, random.ints(6, 1, 40).toArray()))
                    .isEqualTo(whole);
        }
        assertThat(whole.inFlight())
                .as("every answer reported, none left in flight")
                .isZero();
    }

    /** A WebSocket handshake of {@code target}, then {@code frames}. */
    private static byte[] webSocket(String target, byte[]... frames) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("GET " + target + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static byte[] frame(boolean fin, int opcode, String payload) {
        return WebSocketFrames.masked(fin, opcode, payload.getBytes(StandardCharsets.UTF_8), new byte[] {9, 8, 7, 6});
    }

    @Test
    void aWebSocketConversationIsTheSameWholeByteByByteAndInFragments() {
        byte[] input = webSocket(
                "/ws?wait=5ms",
                frame(true, WebSocketFrames.TEXT, "hello"),
                frame(true, WebSocketFrames.BINARY, "\u0001\u0002"),
                frame(false, WebSocketFrames.TEXT, "[wait=7ms] frag"),
                frame(true, WebSocketFrames.PING, "p"),
                frame(true, 0, "mented"),
                WebSocketFrames.masked(
                        true, WebSocketFrames.CLOSE, new byte[] {0x0f, (byte) 0xa1}, new byte[] {1, 2, 3, 4}));
        Transcript whole = play(CONFIG, input, false, Integer.MAX_VALUE);
        assertThat(whole.written())
                .startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
                .endsWith(text(WebSocketFrames.frame(WebSocketFrames.TEXT, "hello".getBytes(StandardCharsets.US_ASCII)))
                        + text(WebSocketFrames.frame(WebSocketFrames.BINARY, new byte[] {1, 2}))
                        + text(WebSocketFrames.frame(WebSocketFrames.PONG, new byte[] {'p'}))
                        + text(WebSocketFrames.frame(
                                WebSocketFrames.TEXT, "fragmented".getBytes(StandardCharsets.US_ASCII)))
                        + text(WebSocketFrames.close(4001, "")));
        assertThat(whole.waits())
                .as("the handshake, then each message's wait")
                .containsExactly(Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(7));
        assertThat(whole.end()).isEqualTo("closed after a refusal");
        assertThat(whole.served()).as("the handshake and three messages").isEqualTo(4);
        assertThat(play(CONFIG, input, false, 1)).isEqualTo(whole);
        Random random = new Random(11);
        for (int trial = 0; trial < 30; trial++) {
            assertThat(play(CONFIG, input, false, random.ints(6, 1, 40).toArray()))
                    .isEqualTo(whole);
        }
    }

    /** Between messages the idle timeout governs; within a frame the body timeout, after which a close 1008. */
    @Test
    void aWebSocketWaitsForMessagesWithinTheIdleTimeoutAndForAFrameWithinTheBodyTimeout() {
        Served service = new Served(CONFIG);
        Conversation c = service.conversation(CONFIG, "c");
        ByteBuffer in = ByteBuffer.allocate(1024).put(webSocket("/ws")).flip();
        assertThat(c.next(in, false)).isInstanceOf(Conversation.Answer.class);
        c.replied(true);
        Conversation.Read idle = (Conversation.Read) c.next(in, false);
        assertThat(idle.kind()).isEqualTo(Deadlines.Kind.IDLE);
        assertThat(c.timedOut()).as("an idle WebSocket closes quietly").isNull();
        byte[] half = frame(true, WebSocketFrames.TEXT, "hello");
        in.compact().put(half, 0, 4).flip();
        Conversation.Read frame = (Conversation.Read) c.next(in, false);
        assertThat(frame.kind()).isEqualTo(Deadlines.Kind.BODY);
        assertThat(c.midRequest(in)).isTrue();
        assertThat(c.timedOut()).isEqualTo(WebSocketFrames.close(1008, "message not complete within the body timeout"));
        in.compact().put(half, 4, half.length - 4).flip();
        assertThat(c.next(in, false)).isInstanceOf(Conversation.Answer.class);
        c.replied(true);
        assertThat(((Conversation.Read) c.next(in, false)).kind()).isEqualTo(Deadlines.Kind.IDLE);
    }

    @Test
    void aBrokenWebSocketRuleClosesWithItsCodeAndADrainingServerSaysGoingAway() {
        byte[] unmasked = webSocket("/ws", WebSocketFrames.frame(WebSocketFrames.TEXT, new byte[] {'x'}));
        assertThat(play(CONFIG, unmasked, false, 3).written())
                .endsWith(text(WebSocketFrames.close(1002, "client frames must be masked")));
        Transcript draining = play(CONFIG, webSocket("/ws"), true, Integer.MAX_VALUE);
        assertThat(draining.written()).as("no upgrade while stopping").startsWith("HTTP/1.1 503 ");
        Conversation c = new Served(CONFIG).conversation(CONFIG, "c");
        ByteBuffer in = ByteBuffer.wrap(webSocket("/ws", frame(true, WebSocketFrames.TEXT, "last")));
        assertThat(c.next(in, false)).isInstanceOf(Conversation.Answer.class);
        c.replied(true);
        assertThat(c.next(in, false)).isInstanceOf(Conversation.Answer.class);
        Reply last = c.reply(true); // the drain began during the message's wait
        assertThat(last.close()).isTrue();
        assertThat(text(last.bytes()))
                .isEqualTo(text(WebSocketFrames.frame(WebSocketFrames.TEXT, "last".getBytes(StandardCharsets.US_ASCII)))
                        + text(WebSocketFrames.close(WebSocketFrames.GOING_AWAY, "the server is stopping")));
        c.replied(true);
        ServerConfig small =
                ServerConfig.builder().model("test").wsMaxMessage(200).build();
        byte[] big = webSocket("/ws", frame(true, WebSocketFrames.BINARY, "x".repeat(201)));
        assertThat(play(small, big, false, 7).written())
                .endsWith(text(WebSocketFrames.close(1009, "message over the limit of 200 bytes")));
    }

    @Test
    void httpKeepAliveAndPipelining() {
        Transcript t = play(
                CONFIG,
                "GET /echo?msg=a HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?msg=b&wait=5ms HTTP/1.1\r\nHost: x\r\n\r\n",
                false,
                Integer.MAX_VALUE);
        assertThat(t.written())
                .startsWith("HTTP/1.1 200 OK")
                .contains("X-Echo-Request: 1")
                .contains("X-Echo-Request: 2")
                .doesNotContain("Connection: close")
                .endsWith("\r\n\r\nb");
        assertThat(t.waits()).containsExactly(Duration.ZERO, Duration.ofMillis(5));
        assertThat(t.end()).isEqualTo("end of input between requests");
        assertThat(t.served()).isEqualTo(2);
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBody() {
        Transcript t = play(
                CONFIG,
                "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
                false,
                Integer.MAX_VALUE);
        assertThat(t.written())
                .startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
                .endsWith("hello");
        assertThat(t.served()).as("the 100 is not an answer").isEqualTo(1);
    }

    @Test
    void aRefusedRequestIsAnsweredWithItsStatusAndCloses() {
        Transcript t = play(
                CONFIG,
                "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                false,
                Integer.MAX_VALUE);
        assertThat(t.written()).startsWith("HTTP/1.1 400 Bad Request").contains("Connection: close");
        assertThat(t.end()).isEqualTo("closed after a refusal");
        assertThat(t.served()).isZero();
    }

    @Test
    void connectionCloseEndsTheConversationAfterItsAnswer() {
        Transcript t = play(
                CONFIG,
                "GET /echo?msg=last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n",
                false,
                Integer.MAX_VALUE);
        assertThat(t.written()).endsWith("last").doesNotContain("never");
        assertThat(t.end()).isEqualTo("closed after an answer");
    }

    @Test
    void tcpLinesKeepTheirDirectiveWaitsAndABadDirectiveIsAnErrLine() {
        Transcript t = play(
                CONFIG,
                "hello\n[wait=5ms work=sleep] with a directive\r\n[bogus=1] x\nplain again\n",
                false,
                Integer.MAX_VALUE);
        assertThat(t.written())
                .as("each echo with its line's own ending")
                .isEqualTo(
                        "hello\nwith a directive\r\nERR unknown directive 'bogus'; use wait= and work=\nplain again\n");
        assertThat(t.waits()).containsExactly(Duration.ZERO, Duration.ofMillis(5), Duration.ZERO, Duration.ZERO);
    }

    /** The client half-closes after a line without its newline: that line is the last answer, as it came. */
    @Test
    void aLastLineWithoutANewlineIsAnsweredAtTheEndOfInput() {
        for (int piece : new int[] {1, 4, Integer.MAX_VALUE}) {
            Served service = new Served(CONFIG);
            Conversation c = service.conversation(CONFIG, "127.0.0.1");
            byte[] bytes = "one\r\n[wait=5ms] two".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer in = ByteBuffer.allocate(64).flip();
            StringBuilder written = new StringBuilder();
            for (int offset = 0; ; ) {
                Conversation.Step step = c.next(in, false);
                if (step instanceof Conversation.Read && offset == bytes.length) {
                    break; // all sent, and the conversation waits for more
                }
                switch (step) {
                    case Conversation.Read r -> {
                        int n = Math.min(piece, bytes.length - offset);
                        in.compact().put(bytes, offset, n).flip();
                        offset += n;
                    }
                    case Conversation.Answer a -> {
                        written.append(text(c.reply(false).bytes()));
                        c.replied(true);
                    }
                    case Conversation.Write w -> throw new AssertionError("no refusal expected: " + text(w.bytes()));
                }
            }
            Conversation.Step last = c.endOfInput(in);
            assertThat(last).isInstanceOf(Conversation.Answer.class);
            Reply reply = ((Conversation.Answer) last).reply();
            assertThat(reply.delay()).isEqualTo(Duration.ofMillis(5));
            assertThat(reply.close()).as("the last answer on the connection").isTrue();
            written.append(text(reply.bytes()));
            c.replied(true);
            assertThat(written.toString()).as("pieces of " + piece).isEqualTo("one\r\ntwo");
            assertThat(c.endOfInput(in)).as("nothing more").isNull();
        }
        assertThat(new Served(CONFIG)
                        .conversation(CONFIG, "127.0.0.1")
                        .endOfInput(ByteBuffer.wrap("GET /echo HTTP/1.1".getBytes(StandardCharsets.US_ASCII))))
                .as("a request line cut short is no TCP line")
                .isNull();
    }

    @Test
    void anOverlongLineGetsAnErrLineAndACloseNotAnHttpStatus() {
        Transcript t = play(CONFIG, "x".repeat(9000) + "\n", false, Integer.MAX_VALUE);
        assertThat(t.written()).isEqualTo("ERR line longer than 8192 bytes; closing\n");
        assertThat(t.end()).isEqualTo("closed after a refusal");
    }

    @Test
    void whileDrainingEveryAnswerIsTheLastInEitherProtocol() {
        Transcript http = play(
                CONFIG,
                "GET /echo?msg=a HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?msg=b HTTP/1.1\r\nHost: x\r\n\r\n",
                true,
                Integer.MAX_VALUE);
        assertThat(http.written()).contains("Connection: close").endsWith("a");
        assertThat(http.end()).isEqualTo("closed after an answer");
        Transcript tcp = play(CONFIG, "one\ntwo\n", true, Integer.MAX_VALUE);
        assertThat(tcp.written()).isEqualTo("one\n");
        assertThat(tcp.end()).isEqualTo("closed after an answer");
    }

    @Test
    void aBegunRequestIsMidRequestAndTheGapBetweenRequestsIsNot() {
        Transcript partial = play(CONFIG, "GET /echo?msg=a HTTP/1.1\r\nHo", false, Integer.MAX_VALUE);
        assertThat(partial.end()).isEqualTo("end of input mid-request");
        assertThat(play(CONFIG, "", false, 1).end()).isEqualTo("end of input between requests");
        assertThat(play(CONFIG, "partial line", false, 3).end()).isEqualTo("end of input mid-request");
    }

    /** Each read says which timeout governs it, and a new phase begins whenever that changes. */
    @Test
    void everyReadNamesItsTimeoutAndItsPhase() {
        Served service = new Served(CONFIG);
        Conversation c = service.conversation(CONFIG, "c");
        ByteBuffer in = ByteBuffer.allocate(1024).flip();
        Conversation.Read fresh = (Conversation.Read) c.next(in, false);
        assertThat(fresh.kind())
                .as("a new connection that sent nothing: the header timeout")
                .isEqualTo(Deadlines.Kind.HEADER);
        in.compact()
                .put("POST /echo HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII))
                .flip();
        Conversation.Read head = (Conversation.Read) c.next(in, false);
        assertThat(head).as("the same head, still arriving: the same phase").isEqualTo(fresh);
        in.compact()
                .put("st: x\r\nContent-Length: 4\r\n\r\nab".getBytes(StandardCharsets.US_ASCII))
                .flip();
        Conversation.Read body = (Conversation.Read) c.next(in, false);
        assertThat(body.kind()).isEqualTo(Deadlines.Kind.BODY);
        assertThat(body.phase()).isGreaterThan(head.phase());
        in.compact().put("cd".getBytes(StandardCharsets.US_ASCII)).flip();
        assertThat(c.next(in, false)).isInstanceOf(Conversation.Answer.class);
        c.replied(true);
        Conversation.Read idle = (Conversation.Read) c.next(in, false);
        assertThat(idle.kind()).isEqualTo(Deadlines.Kind.IDLE);
        assertThat(idle.phase()).isGreaterThan(body.phase());
        in.compact().put("GET /".getBytes(StandardCharsets.US_ASCII)).flip();
        Conversation.Read next = (Conversation.Read) c.next(in, false);
        assertThat(next.kind()).isEqualTo(Deadlines.Kind.HEADER);
        assertThat(next.phase())
                .as("the next request's head starts a phase of its own")
                .isGreaterThan(idle.phase());
    }

    /** What a conversation holds it takes from the process's budgets, and gives back; beyond them, 503. */
    @Test
    void budgetsRefuseWhatWouldGoOverThemAndGetEverythingBack() {
        ServerConfig small = ServerConfig.builder()
                .model("test")
                .memoryBudget(4096)
                .cpuBudget(Duration.ofMillis(100))
                .build();
        Served service = new Served(small);
        Conversation big = service.conversation(small, "c");
        Conversation.Step refused = big.next(
                ByteBuffer.wrap(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)),
                false);
        assertThat(refused).isInstanceOf(Conversation.Write.class);
        assertThat(text(((Conversation.Write) refused).bytes()))
                .startsWith("HTTP/1.1 503")
                .contains("Retry-After: 1");
        big.end();

        Conversation cpu = service.conversation(small, "c");
        assertThat(cpu.next(
                        ByteBuffer.wrap("GET /echo?work=cpu&wait=80ms HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII)),
                        false))
                .isInstanceOf(Conversation.Answer.class);
        Conversation second = service.conversation(small, "c");
        Conversation.Step overCpu = second.next(
                ByteBuffer.wrap(
                        "GET /echo?work=cpu&wait=80ms HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                false);
        assertThat(text(((Conversation.Write) overCpu).bytes()))
                .startsWith("HTTP/1.1 503")
                .contains("--cpu-budget");
        assertThat(service.stats()).containsEntry("requestsInFlight", 1);
        cpu.end();
        second.end();
        assertThat(service.memory().used()).isZero();
        assertThat(service.cpu().used()).isZero();
        assertThat(service.stats()).containsEntry("requestsInFlight", 0).containsEntry("refusedOverBudget", 2L);
    }

    @Test
    void timeoutAndOverloadAnswersSpeakTheConnectionsProtocol() {
        Served service = new Served(CONFIG);
        Conversation unknown = service.conversation(CONFIG, "c");
        assertThat(unknown.timedOut())
                .as("nothing to say before the protocol is known")
                .isNull();
        assertThat(text(unknown.busy("full")))
                .startsWith("HTTP/1.1 503 Service Unavailable")
                .contains("Retry-After: 1");

        Conversation http = service.conversation(CONFIG, "c");
        http.next(ByteBuffer.wrap("GET /echo HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)), false);
        assertThat(text(http.timedOut()))
                .startsWith("HTTP/1.1 408 Request Timeout")
                .contains("Connection: close");
        Conversation silent = service.conversation(
                ServerConfig.builder()
                        .model("test")
                        .protocol(ProtocolChoice.HTTP)
                        .build(),
                "c");
        silent.next(ByteBuffer.allocate(0), false);
        assertThat(silent.timedOut())
                .as("a connection that sent nothing is closed without a word")
                .isNull();

        Conversation tcp = service.conversation(CONFIG, "c");
        tcp.next(ByteBuffer.wrap("half a li".getBytes(StandardCharsets.US_ASCII)), false);
        tcp.next(ByteBuffer.wrap("ne\n".getBytes(StandardCharsets.US_ASCII)), false);
        assertThat(text(tcp.timedOut())).isEqualTo("ERR line not complete within the header timeout; closing\n");
        assertThat(text(tcp.busy("the --offload pool's queue is full")))
                .isEqualTo("ERR busy: the --offload pool's queue is full; closing\n");
        tcp.replied(false);

        ServerConfig tcpOnly = ServerConfig.builder()
                .model("test")
                .protocol(ProtocolChoice.TCP)
                .build();
        assertThat(text(service.conversation(tcpOnly, "c").busy("full"))).startsWith("ERR busy");
    }

    @Test
    void anAbandonedAnswerLeavesNothingInFlightAndCountsNoServedRequest() {
        Served service = new Served(CONFIG);
        Conversation c = service.conversation(CONFIG, "c");
        assertThat(c.next(
                        ByteBuffer.wrap("GET /echo?msg=a&wait=1s HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII)),
                        false))
                .isInstanceOf(Conversation.Answer.class);
        assertThat(service.stats()).containsEntry("requestsInFlight", 1);
        assertThat(c.midRequest(null)).isTrue();
        c.replied(false);
        c.replied(false); // a second report (a close after an error) changes nothing
        assertThat(service.stats()).containsEntry("requestsInFlight", 0).containsEntry("requestsServed", 0L);
    }

    /** One process's application and resources, as a model's stack holds them. */
    private record Served(EchoService echo, Resources process) {

        Served(ServerConfig config) {
            this(config, Resources.of(config, new AtomicState(), Map::of, new Readiness(), null));
        }

        private Served(ServerConfig config, Resources process) {
            this(new EchoService(config, process), process);
        }

        Conversation conversation(ServerConfig config, String client) {
            return new Conversation(config, echo, process, client);
        }

        Map<String, Object> stats() {
            return process.stats().figures();
        }

        Budget memory() {
            return process.memory();
        }

        Budget cpu() {
            return process.cpu();
        }
    }
}
