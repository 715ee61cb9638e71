package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bench's nginx in a folder given by a relative path (as {@code bench --out results} gives it):
 * nginx reads relative paths under its prefix, so every path it is given must be absolute.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxStartTest {

    @Test
    void startsInAFolderGivenByARelativePathAndEchoes() throws Exception {
        Nginx nginx = Nginx.find("nginx")
                .nginx()
                .orElseThrow(() -> new AssertionError("nginx with its echo module: " + Nginx.INSTALL));
        Path relative =
                Path.of("target", "nginx-relative-" + ProcessHandle.current().pid());
        assertThat(relative.isAbsolute()).isFalse();
        try (ServerProcess server = nginx.start(
                        new Workload("sleep", Duration.ofMillis(1)), 100, relative, relative.resolve("nginx.out"));
                HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo?msg=hi"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hi");
        } finally {
            try (Stream<Path> files = Files.walk(relative)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
