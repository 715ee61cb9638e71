package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP parser with no sockets: whole, byte by byte, in random fragments, and every failure. */
class HttpParserTest {

    private static final String GET = "GET /echo?msg=hi HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n";
    private static final String POST =
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 5\r\n\r\nhello";
    private static final String CHUNKED = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n";

    /** Feeds {@code input} in pieces of the given sizes (cycled) and collects every result. */
    private static List<HttpParser.Result> feed(String input, int... pieces) {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        List<HttpParser.Result> results = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length).flip();
        int offset = 0;
        int piece = 0;
        while (offset < bytes.length) {
            int n = Math.min(pieces[piece++ % pieces.length], bytes.length - offset);
            buffer.compact().put(bytes, offset, n).flip();
            offset += n;
            HttpParser.Result r;
            do {
                r = parser.parse(buffer);
                if (!(r instanceof HttpParser.NeedMore)) {
                    results.add(r);
                }
            } while (!(r instanceof HttpParser.NeedMore) && !(r instanceof HttpParser.Failure));
            if (r instanceof HttpParser.Failure) {
                break;
            }
        }
        return results;
    }

    private static HttpRequest only(List<HttpParser.Result> results) {
        assertThat(results).hasSize(1).first().isInstanceOf(HttpParser.Complete.class);
        return ((HttpParser.Complete) results.getFirst()).request();
    }

    static Stream<String> validRequests() {
        return Stream.of(GET, POST, CHUNKED, "GET / HTTP/1.0\r\n\r\n", "\r\nGET /health HTTP/1.1\nHost: y\n\n");
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void sameRequestWholeByteByByteAndInRandomFragments(String input) {
        HttpRequest whole = only(feed(input, Integer.MAX_VALUE));
        HttpRequest bytewise = only(feed(input, 1));
        assertThat(bytewise.method()).isEqualTo(whole.method());
        assertThat(bytewise.target()).isEqualTo(whole.target());
        assertThat(bytewise.headers()).isEqualTo(whole.headers());
        assertThat(bytewise.body()).isEqualTo(whole.body());
        Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            int[] pieces = random.ints(8, 1, 9).toArray();
            HttpRequest fragmented = only(feed(input, pieces));
            assertThat(fragmented.headers()).isEqualTo(whole.headers());
            assertThat(fragmented.body()).isEqualTo(whole.body());
        }
    }

    /** The request line's limit counts its bytes without the line's end (CRLF or a bare LF), in any pieces. */
    @ParameterizedTest
    @MethodSource("lineEndsAndPieces")
    void aRequestLineAtTheLimitIsReadAndOneByteMoreIs414(String end, int piece) {
        int max = Limits.DEFAULT.maxRequestLine();
        String frame = "GET / HTTP/1.1";
        String atLimit = "GET /" + "a".repeat(max - frame.length()) + " HTTP/1.1";
        assertThat(atLimit).hasSize(max);
        String over = "GET /" + "a".repeat(max - frame.length() + 1) + " HTTP/1.1";
        String headers = "Host: x" + end + end;

        assertThat(only(feed(atLimit + end + headers, piece)).target()).hasSize(max - "GET  HTTP/1.1".length());
        assertThat(feed(over + end + headers, piece))
                .singleElement()
                .isInstanceOfSatisfying(
                        HttpParser.Failure.class, f -> assertThat(f.status()).isEqualTo(414));
    }

    static Stream<Arguments> lineEndsAndPieces() {
        return Stream.of("\r\n", "\n")
                .flatMap(end -> Stream.of(1, 7, 4096, Integer.MAX_VALUE).map(piece -> Arguments.of(end, piece)));
    }

    /** Header names are matched in any case: the framing headers too, whatever case a client sends them in. */
    @Test
    void framingHeadersAreReadInAnyCase() {
        HttpRequest lengthed = only(feed("POST /echo HTTP/1.1\r\nHOST: x\r\ncontent-LENGTH: 5\r\n\r\nhello", 3));
        assertThat(lengthed.body()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
        assertThat(lengthed.header("host")).isEqualTo("x");

        HttpRequest chunked = only(
                feed("POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 5));
        assertThat(chunked.body()).asString(StandardCharsets.US_ASCII).isEqualTo("hi");

        assertThat(feed("GET / HTTP/1.1\r\nhost: a\r\nHOST: b\r\n\r\n", 100))
                .singleElement()
                .isInstanceOfSatisfying(
                        HttpParser.Failure.class, f -> assertThat(f.detail()).isEqualTo("more than one Host header"));
    }

    /** Common methods and names are given as the parser's own constants; others as sent, case kept. */
    @Test
    void methodsAndNamesKeepTheirSpellingWhetherCommonOrNot() {
        HttpRequest common = only(feed("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\n", 1));
        assertThat(common.method()).isEqualTo("GET");
        assertThat(common.headers()).extracting(HttpRequest.Header::name).containsExactly("Host", "User-Agent");
        HttpRequest rare = only(feed("PROPFIND / HTTP/1.0\r\nhOsT: x\r\nX-Mine: m\r\n\r\n", 2));
        assertThat(rare.method()).isEqualTo("PROPFIND");
        assertThat(rare.minorVersion()).isZero();
        assertThat(rare.headers()).extracting(HttpRequest.Header::name).containsExactly("hOsT", "X-Mine");
        HttpRequest lower = only(feed("get / HTTP/1.1\r\nHost: x\r\n\r\n", 100));
        assertThat(lower.method())
                .as("methods are case-sensitive (RFC 9110 9.1)")
                .isEqualTo("get");
    }

    /**
     * A kept-alive connection that waits for its next request holds no parser buffer: the bytes
     * of a request under way are held (even pipelined, in pieces), and none once it is answered.
     */
    @Test
    void betweenRequestsTheParserHoldsNoBuffer() {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        assertThat(parser.bytesHeld()).as("a new connection").isZero();
        for (String request : List.of(GET, POST, CHUNKED)) {
            byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer head = ByteBuffer.wrap(bytes, 0, 10);
            assertThat(parser.parse(head)).isInstanceOf(HttpParser.NeedMore.class);
            assertThat(parser.bytesHeld()).as("mid request line").isPositive();
            ByteBuffer rest = ByteBuffer.wrap(bytes, 10, bytes.length - 10);
            assertThat(parser.parse(rest)).isInstanceOf(HttpParser.Complete.class);
            assertThat(parser.bytesHeld())
                    .as("after " + request.lines().findFirst().orElseThrow())
                    .isZero();
        }
        ByteBuffer pipelined = ByteBuffer.wrap((GET + GET).getBytes(StandardCharsets.ISO_8859_1));
        assertThat(parser.parse(pipelined)).isInstanceOf(HttpParser.Complete.class);
        assertThat(parser.parse(pipelined)).isInstanceOf(HttpParser.Complete.class);
        assertThat(parser.parse(pipelined)).isInstanceOf(HttpParser.NeedMore.class);
        assertThat(parser.bytesHeld()).as("after two pipelined requests").isZero();
    }

    @Test
    void parsesRequestLineHeadersAndQuery() {
        HttpRequest r = only(feed(GET, 7));
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/echo");
        assertThat(r.rawQuery()).isEqualTo("msg=hi");
        assertThat(r.header("x-a")).isEqualTo("1");
        assertThat(r.minorVersion()).isEqualTo(1);
        assertThat(r.keepAlive()).isTrue();
    }

    /** What /anything reports: header names as sent, in order, repeats kept, in any fragmentation. */
    @Test
    void headersKeepTheirCaseOrderAndRepeats() {
        String input =
                "GET /anything HTTP/1.1\r\nhost: x\r\nX-Mixed-CASE: a\r\nx-mixed-case: b\r\nACCEPT:  */*  \r\n\r\n";
        List<HttpRequest.Header> expected = List.of(
                new HttpRequest.Header("host", "x"),
                new HttpRequest.Header("X-Mixed-CASE", "a"),
                new HttpRequest.Header("x-mixed-case", "b"),
                new HttpRequest.Header("ACCEPT", "*/*"));
        for (int piece : new int[] {1, 3, 7, Integer.MAX_VALUE}) {
            assertThat(only(feed(input, piece)).headers())
                    .as("pieces of " + piece)
                    .isEqualTo(expected);
        }
    }

    /** RFC 9112 3.2.2: a server accepts the absolute form that proxies get. */
    @Test
    void anAbsoluteFormTargetHasThePathAndQueryOfItsOriginForm() {
        HttpRequest r = only(feed("GET http://example.test:8080/echo?msg=x HTTP/1.1\r\nHost: example.test\r\n\r\n", 5));
        assertThat(r.path()).isEqualTo("/echo");
        assertThat(r.rawQuery()).isEqualTo("msg=x");
        HttpRequest bare = only(feed("GET HTTPS://example.test HTTP/1.1\r\nHost: example.test\r\n\r\n", 5));
        assertThat(bare.path()).isEqualTo("/");
        assertThat(bare.rawQuery()).isEmpty();
    }

    /** The parser asks before it allocates a body, and a refusal is a 503 that names the reason. */
    @Test
    void aBodyIsAllocatedOnlyWithTheAllowancesConsent() {
        List<Integer> asked = new java.util.ArrayList<>();
        HttpParser yes = new HttpParser(Limits.DEFAULT, bytes -> asked.add(bytes));
        assertThat(yes.parse(ByteBuffer.wrap(POST.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(HttpParser.Complete.class);
        assertThat(asked).containsExactly(5);
        HttpParser no = new HttpParser(Limits.DEFAULT, bytes -> false);
        assertThat(no.parse(ByteBuffer.wrap(CHUNKED.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOfSatisfying(
                        HttpParser.Failure.class, f -> assertThat(f.status()).isEqualTo(503));
    }

    @Test
    void decodesContentLengthAndChunkedBodies() {
        assertThat(new String(only(feed(POST, 3)).body(), StandardCharsets.US_ASCII))
                .isEqualTo("hello");
        assertThat(new String(only(feed(CHUNKED, 2)).body(), StandardCharsets.US_ASCII))
                .isEqualTo("hello world");
    }

    @Test
    void pipelinedRequestsComeOutInOrder() {
        List<HttpParser.Result> results = feed(GET.replace("hi", "one") + POST + GET.replace("hi", "three"), 5);
        assertThat(results).hasSize(3).allMatch(r -> r instanceof HttpParser.Complete);
        assertThat(results)
                .extracting(r -> ((HttpParser.Complete) r).request().method())
                .containsExactly("GET", "POST", "GET");
        assertThat(((HttpParser.Complete) results.get(2)).request().rawQuery()).isEqualTo("msg=three");
    }

    @Test
    void expectContinueIsAnnouncedOnceBeforeTheBody() {
        String input = "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
        List<HttpParser.Result> results = feed(input, 4);
        assertThat(results).hasSize(2);
        assertThat(results.get(0)).isInstanceOf(HttpParser.ExpectContinue.class);
        assertThat(results.get(1)).isInstanceOf(HttpParser.Complete.class);
    }

    @Test
    void keepAliveFollowsVersionAndConnectionHeader() {
        assertThat(only(feed("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 100))
                        .keepAlive())
                .isFalse();
        assertThat(only(feed("GET / HTTP/1.0\r\n\r\n", 100)).keepAlive()).isFalse();
        assertThat(only(feed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 100))
                        .keepAlive())
                .isTrue();
    }

    @Test
    void midRequestIsFalseBetweenRequestsAndTrueOnceAByteArrives() {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        assertThat(parser.midRequest()).isFalse();
        parser.parse(ByteBuffer.wrap("\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(parser.midRequest())
                .as("empty lines before a request do not start one")
                .isFalse();
        parser.parse(ByteBuffer.wrap("GE".getBytes(StandardCharsets.US_ASCII)));
        assertThat(parser.midRequest()).isTrue();
        parser.parse(ByteBuffer.wrap("T / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(parser.midRequest()).isFalse();
    }

    static Stream<Arguments> badRequests() {
        String longTarget = "/" + "a".repeat(8 * 1024);
        String manyHeaders = "X-H: v\r\n".repeat(101);
        String bigHeader = "X-Big: " + "v".repeat(33 * 1024) + "\r\n";
        return Stream.of(
                Arguments.of("request line over 8 KiB", "GET " + longTarget + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                Arguments.of("headers over 32 KiB", "GET / HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n", 431),
                Arguments.of("over 100 header fields", "GET / HTTP/1.1\r\nHost: x\r\n" + manyHeaders + "\r\n", 431),
                Arguments.of(
                        "body over the limit", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 413),
                Arguments.of(
                        "chunked body over the limit",
                        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n",
                        413),
                Arguments.of("malformed request line", "GET /\r\n\r\n", 400),
                Arguments.of("lower-case garbage", "hello there friend\r\n\r\n", 400),
                Arguments.of(
                        "unsupported coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
                Arguments.of("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
                Arguments.of("bad version syntax", "GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of(
                        "Content-Length with Transfer-Encoding",
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400),
                Arguments.of(
                        "repeated Content-Length",
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
                        400),
                Arguments.of(
                        "non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400),
                Arguments.of(
                        "negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
                Arguments.of("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("repeated Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
                Arguments.of("obsolete line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400),
                Arguments.of("control character in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n", 400),
                Arguments.of(
                        "bad chunk size",
                        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                        400),
                Arguments.of(
                        "negative chunk size",
                        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
                        400),
                Arguments.of(
                        "signed chunk size",
                        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "Transfer-Encoding on HTTP/1.0",
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "chunk without CRLF",
                        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
                        400),
                Arguments.of(
                        "unknown expectation",
                        "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\na",
                        417));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badRequests")
    void badInputFailsWithItsStatusWholeAndByteByByte(String what, String input, int status) {
        for (int piece : new int[] {Integer.MAX_VALUE, 1, 3}) {
            List<HttpParser.Result> results = feed(input, piece);
            assertThat(results).as(what + " in pieces of " + piece).isNotEmpty();
            assertThat(results.getLast())
                    .isInstanceOfSatisfying(
                            HttpParser.Failure.class,
                            f -> assertThat(f.status()).as(what).isEqualTo(status));
        }
    }

    @Test
    void limitsAreInclusive() {
        String target = "/" + "a".repeat(8 * 1024 - "GET  HTTP/1.1".length() - 1);
        String line = "GET " + target + " HTTP/1.1";
        assertThat(line).hasSize(8 * 1024);
        only(feed(line + "\r\nHost: x\r\n\r\n", 1000));
        only(feed("GET / HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(99) + "\r\n", 1000));
    }

    @Test
    void aFailedParserStaysFailed() {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        assertThat(parser.parse(ByteBuffer.wrap("BAD\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(HttpParser.Failure.class);
        assertThat(parser.parse(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(HttpParser.Failure.class);
    }
}
