package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.echolab.protocol.ProtocolDetector.Protocol;
import org.junit.jupiter.api.Test;

class ProtocolDetectorTest {

    private static Protocol detect(String s, int max) {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        Protocol p = ProtocolDetector.detect(b, max);
        assertThat(b.position()).as("detection consumes nothing").isZero();
        return p;
    }

    @Test
    void tellsHttpFromTcpByTheFirstLine() {
        assertThat(detect("GET /echo HTTP/1.1\r\n", 100)).isEqualTo(Protocol.HTTP);
        assertThat(detect("\r\nPOST /x HTTP/1.0\n", 100)).isEqualTo(Protocol.HTTP);
        assertThat(detect("PRI * HTTP/2.0\r\n", 100))
                .as("goes to the parser, which answers 505")
                .isEqualTo(Protocol.HTTP);
        assertThat(detect("hello world\n", 100)).isEqualTo(Protocol.TCP);
        assertThat(detect("GET me a coffee\n", 100))
                .as("a method and a space: malformed HTTP, answered 400")
                .isEqualTo(Protocol.HTTP);
        assertThat(detect("GET /echo\r\n", 100)).isEqualTo(Protocol.HTTP);
        assertThat(detect("GETAWAY car\n", 100)).isEqualTo(Protocol.TCP);
        assertThat(detect("BREW /pot HTTP/1.1\r\n", 100))
                .as("any token with an HTTP version")
                .isEqualTo(Protocol.HTTP);
        assertThat(detect("[wait=1s] hi\n", 100)).isEqualTo(Protocol.TCP);
    }

    @Test
    void waitsForTheEndOfTheFirstLine() {
        assertThat(detect("GET /echo HTT", 100)).isNull();
        assertThat(detect("hello", 100)).isNull();
    }

    @Test
    void anOverlongFirstLineIsHttpOnlyIfItStartsWithAMethod() {
        assertThat(detect("GET /" + "a".repeat(200), 100)).isEqualTo(Protocol.HTTP);
        assertThat(detect("GETTING " + "a".repeat(200), 100)).isEqualTo(Protocol.TCP);
        assertThat(detect("x".repeat(200), 100)).isEqualTo(Protocol.TCP);
    }
}
