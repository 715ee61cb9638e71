package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Prometheus's own parser and linter, {@code promtool check metrics} (Debian's {@code prometheus} package). */
final class Promtool {

    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private Promtool() {}

    /** Fails unless promtool parses {@code metrics} and finds nothing to complain of. */
    static void check(String metrics) throws IOException, InterruptedException {
        org.echolab.testing.Tools.require(PROMTOOL, "apt-get install prometheus");
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("promtool check metrics said:\n" + out + "\nof:\n" + metrics)
                .isZero();
    }
}
