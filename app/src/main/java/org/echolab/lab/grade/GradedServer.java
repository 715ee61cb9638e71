package org.echolab.lab.grade;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.models.tree.ChildJvm;

/**
 * The model under grading, served by {@code echolab serve} in a JVM of its own, with this JVM's
 * class path (the jar and the student's classes) plus any given.
 *
 * <p>Why a process of its own: what the checks read from /proc ({@code task/}, {@code stat},
 * {@code fd/}, the children) is then the server's alone, not mixed with the grader's clients and
 * JIT; a worker that spins or never ends is killed with its JVM, not left burning in the grader;
 * and a stop is what a user does, SIGTERM, after which the whole process must end.
 *
 * <p><b>Threads:</b> one caller; a daemon thread reads the server's standard output for its
 * startup line.
 */
final class GradedServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    /** A JVM starts in about a second here; a loaded 2-core machine may take several. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /**
     * How long a server still running at close() has to end on SIGTERM before it is killed: as
     * long as the stop checks wait, since a process model's stop() may wait its grace, the header
     * timeout and 5 s more for children that are never reaped (Lab.finishChildren).
     */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(40);

    private final Process process;
    private final int port;
    private final Path log;

    private GradedServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * The main class of EchoLab's command line, whose {@code serve} the grader starts: the CLI names
     * it in the {@code echolab.main} property (the lab, below the CLI, does not name it).
     */
    private static String serveMain() {
        String main = System.getProperty("echolab.main");
        if (main == null) {
            throw new IllegalStateException("the grader starts `echolab serve`: run it through EchoLab's command line,"
                    + " or name the CLI's main class in the echolab.main property");
        }
        return main;
    }

    /**
     * Starts {@code serve --model model} with {@code args}; the server's standard error goes to
     * {@code log}.
     *
     * @throws IOException with the server's last words when it did not start
     */
    static GradedServer start(String model, List<String> args, List<Path> extraClassPath, Path log) throws IOException {
        List<String> classPath =
                new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        extraClassPath.forEach(p -> classPath.add(p.toAbsolutePath().toString()));
        List<String> cmd = new ArrayList<>(List.of(javaCommand()));
        cmd.addAll(ChildJvm.cacheFlags(classPath.getFirst()));
        cmd.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", // C1 only: a grade is short, and C2's compiler threads would count as CPU
                "-cp",
                String.join(File.pathSeparator, classPath),
                serveMain(),
                "serve",
                "--port",
                "0",
                "--bind",
                "127.0.0.1",
                "--model",
                model,
                "--monitor-port",
                "-1",
                "--max-per-client",
                "0")); // every client of the checks comes from 127.0.0.1
        cmd.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("graded-server-stdout-" + p.pid()).start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(l);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(2)));
                    }
                }
            } catch (IOException e) {
                // the server ended
            }
            listening.completeExceptionally(new IOException("ended without a startup line"));
        });
        try {
            return new GradedServer(p, listening.get(START_LIMIT.toSeconds(), TimeUnit.SECONDS), log);
        } catch (ExecutionException | TimeoutException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(10));
            throw new IOException(String.join(" ", cmd.subList(cmd.indexOf("serve"), cmd.size())) + ": did not start: "
                    + firstError(log));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the server");
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, as Ctrl-C: the server drains, runs the model's stop(), and exits. The exit code, or -1 if it did not end within {@code limit}. */
    int stop(Duration limit) throws InterruptedException {
        process.destroy();
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The server's log (its standard error) so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Ends the server if it still runs, first as Ctrl-C would, so that it removes what it made (a
     * process model's board in /dev/shm), as when a grade leaves out the stop check; then kills
     * what is left, by pid (the server and any child it left). Safe to call twice.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList()); // before they lose their parent
        if (process.isAlive()) {
            process.destroy();
            waitFor(process, CLOSE_GRACE);
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitFor(process, Duration.ofSeconds(10));
        tree.forEach(h -> h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join());
    }

    private static void waitFor(Process p, Duration limit) {
        try {
            p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first line of the log that names an exception or an error, else its last line. */
    static String firstError(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (l.contains("Exception")
                        || l.contains("Error")
                        || l.contains("ERROR")
                        || l.startsWith("echolab serve:")) {
                    String next = i + 1 < lines.size() && lines.get(i + 1).contains("Exception")
                            ? " " + lines.get(i + 1).strip()
                            : "";
                    return (l.strip() + next).strip();
                }
            }
            return lines.isEmpty() ? "(nothing logged)" : lines.getLast();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
