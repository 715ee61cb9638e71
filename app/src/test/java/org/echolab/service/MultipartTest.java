package org.echolab.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Multipart}: the parts of a form as curl -F sends it, and bodies that break the format. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MultipartTest {

    private static final String TYPE = "multipart/form-data; boundary=------------------------abc123";
    private static final String BODY = "--------------------------abc123\r\n"
            + "Content-Disposition: form-data; name=\"field\"\r\n\r\n"
            + "one value\r\n"
            + "--------------------------abc123\r\n"
            + "Content-Disposition: form-data; name=\"upload\"; filename=\"notes.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\n"
            + "line 1\r\nline 2\r\n"
            + "--------------------------abc123--\r\n";

    @Test
    void fieldsAndFilesComeApartWithTheirNames() {
        List<Multipart.Part> parts = Multipart.parse(bytes(BODY), Multipart.boundary(TYPE));
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).name()).isEqualTo("field");
        assertThat(parts.get(0).filename()).isNull();
        assertThat(new String(parts.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("one value");
        assertThat(parts.get(1).name()).isEqualTo("upload");
        assertThat(parts.get(1).filename()).isEqualTo("notes.txt");
        assertThat(new String(parts.get(1).content(), StandardCharsets.UTF_8))
                .as("CRLF inside a part kept")
                .isEqualTo("line 1\r\nline 2");
    }

    @Test
    void aQuotedBoundaryIsUnquoted() {
        assertThat(Multipart.boundary("multipart/form-data; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(Multipart.boundary("multipart/form-data")).isNull();
    }

    @Test
    void brokenBodiesAreRefusedWithTheReason() {
        String b = Multipart.boundary(TYPE);
        assertThatThrownBy(() -> Multipart.parse(bytes("no boundary at all"), b))
                .hasMessageContaining("without its boundary");
        assertThatThrownBy(() -> Multipart.parse(bytes(BODY.substring(0, BODY.indexOf("line 2"))), b))
                .hasMessageContaining("without a boundary after it");
        assertThatThrownBy(() -> Multipart.parse(bytes(BODY), null))
                .hasMessageContaining("without a boundary in its Content-Type");
        assertThatThrownBy(
                        () -> Multipart.parse(bytes("--------------------------abc123\r\nContent-Disposition: x"), b))
                .hasMessageContaining("end of its headers");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
