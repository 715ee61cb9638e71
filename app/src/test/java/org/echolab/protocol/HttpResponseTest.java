package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A response's head: each header one line, whatever its value holds. */
@Timeout(10)
class HttpResponseTest {

    @Test
    void aValueCannotEndItsHeaderNorStartAnother() {
        String head = new String(
                new HttpResponse(302, "Found")
                        .header("Location", "/a\r\nX-Injected: 1")
                        .header("X-Nul", "a\u0000b\nc")
                        .header("X-Wide", "caf\u00e9 \u20ac \u010d")
                        .encode(true),
                StandardCharsets.ISO_8859_1);
        assertThat(head.split("\r\n"))
                .contains("Location: /a  X-Injected: 1", "X-Nul: a b c", "X-Wide: caf\u00e9 ? ?")
                .noneMatch(line -> line.startsWith("X-Injected"));
        assertThat(head).doesNotContain("\n\n").doesNotContain("\u0000").endsWith("\r\n\r\n");
    }
}
