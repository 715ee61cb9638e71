package org.echolab.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real clients (curl, openssl) run as child processes by tests. */
public final class Tools {

    private Tools() {}

    /**
     * Skips the test where {@code tool} is not installed, but fails it under CI ({@code CI=true}),
     * where {@code .ci/run} installs every tool the tests use: a missing install step must not
     * pass unseen as a skipped test.
     *
     * @param install what installs it, e.g. {@code apt-get install haproxy}
     */
    public static void require(java.nio.file.Path tool, String install) {
        if (java.nio.file.Files.isExecutable(tool)) {
            return;
        }
        String why = tool + " is not installed (" + install + ")";
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(why + ", and CI=true: .ci/run must install it");
        }
        org.junit.jupiter.api.Assumptions.abort(why);
    }

    /**
     * A new file for what a child process writes to stderr: under {@code target/test-logs/}, kept
     * after the run for a reader to look at, and never left in /tmp.
     */
    public static java.nio.file.Path logFile(String prefix) throws IOException {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "test-logs"));
        return java.nio.file.Files.createTempFile(dir, prefix, ".log").toAbsolutePath();
    }

    /** What a finished tool said. */
    public record Result(int status, String stdout, String stderr) {}

    /** Runs a tool with nothing on its stdin, to its end (60 s at most). */
    public static Result run(String... command) throws IOException, InterruptedException {
        return runWithInput("", command);
    }

    /** Runs a tool with {@code input} on its stdin, to its end (60 s at most). */
    public static Result runWithInput(String input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException closedEarly) {
            // the tool ended before it read all of its input: what it printed says why
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 60 s; stderr: " + err.getNow(""));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /**
     * Runs a tool with {@code input} on its stdin, reads {@code n} lines of its stdout, then ends
     * it: for a client that keeps its connection open after its input ends.
     */
    public static List<String> firstLines(int n, String input, String... command)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.ISO_8859_1));
            }
            CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
                List<String> got = new ArrayList<>();
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; got.size() < n && (line = r.readLine()) != null; ) {
                        got.add(line);
                    }
                } catch (IOException ended) {
                    // destroyed: what was read is the answer
                }
                return got;
            });
            try {
                return lines.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(String.join(" ", command) + " gave fewer than " + n + " lines within 60 s", e);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static CompletableFuture<String> drain(java.io.InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
