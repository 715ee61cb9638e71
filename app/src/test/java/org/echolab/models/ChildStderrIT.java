package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stderr of a server whose children are JVMs, as users see it: the packaged jar under
 * {@code prefork} with {@code -v}, its workers serving, then the parent killed (SIGKILL), so that
 * every worker notices on its own and stops. Every line on the one stderr, the parent's and each
 * worker's, is in the one log format, and names the process that wrote it.
 */
@Timeout(180)
class ChildStderrIT {

    /** The one format ({@code logging.Logs}): time, level, role and pid, logger, message. */
    private static final String LINE =
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|WARN |INFO |DEBUG|TRACE)"
                    + " \\[(echolab|worker) \\d+\\] [\\w.-]+: .*";

    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");

    @Test
    void everyLineOfTheParentAndItsWorkersIsInTheOneFormat() throws Exception {
        Path err = Tools.logFile("child-stderr-");
        Process server = prefork(err, "-v");
        List<ProcessHandle> workers = new ArrayList<>();
        try {
            String startup = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            Matcher m = PORT.matcher(String.valueOf(startup));
            assertThat(m.find()).as(startup).isTrue();
            for (int i = 0; i < 4; i++) {
                Tools.Result r =
                        Tools.run("curl", "-sS", "--max-time", "30", "http://127.0.0.1:" + m.group(1) + "/echo?msg=hi");
                assertThat(r.stdout()).as(r.stderr()).isEqualTo("hi");
            }
            workers.addAll(server.descendants().toList());
            assertThat(workers).hasSize(2);

            server.destroyForcibly(); // SIGKILL: the workers find out alone, and say so on the shared stderr
            for (ProcessHandle w : workers) {
                w.onExit().get(60, TimeUnit.SECONDS);
            }
            await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> Files.readString(err)
                                    .lines()
                                    .filter(l -> l.contains("is gone; stopping"))
                                    .count()
                            == 2);

            List<String> lines = Files.readAllLines(err);
            assertThat(lines)
                    .as("the worker lines of -v")
                    .anyMatch(l -> l.matches("\\d.* DEBUG \\[worker \\d+\\] process.Connections: .*"));
            assertThat(lines)
                    .as("each worker says why it stops")
                    .filteredOn(l -> l.contains("is gone; stopping"))
                    .hasSize(2)
                    .allMatch(l -> l.matches(".* WARN  \\[worker \\d+\\] models.ChildSetup: parent " + server.pid()
                            + " is gone; stopping"));
            assertThat(lines).as("every line of stderr").allMatch(l -> l.matches(LINE));
        } finally {
            server.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
            deleteBoard(server.pid()); // the parent was killed: its board is left for us to delete
        }
    }

    /**
     * The parent killed while its workers are still starting (their JVMs boot after the startup
     * line): each worker must still notice that its parent is gone, though by the time it looks
     * the kernel has already made init its parent, and stop.
     */
    @Test
    void workersWhoseParentDiedWhileTheyStartedStopToo() throws Exception {
        Path err = Tools.logFile("early-orphans-");
        Process server = prefork(err);
        List<ProcessHandle> workers = new ArrayList<>();
        try {
            String startup = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(PORT.matcher(String.valueOf(startup)).find()).as(startup).isTrue();
            workers.addAll(server.descendants().toList());
            assertThat(workers).as("the workers, spawned").hasSize(2);
            server.destroyForcibly(); // SIGKILL at once: the workers' JVMs are still starting
            for (ProcessHandle w : workers) {
                w.onExit().get(60, TimeUnit.SECONDS);
            }
            assertThat(Files.readString(err).lines().filter(l -> l.contains("is gone; stopping")))
                    .as("each worker says why it stops")
                    .hasSize(2);
        } finally {
            server.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
            deleteBoard(server.pid());
        }
    }

    /** The packaged jar under {@code prefork} with two workers, its stderr to {@code err}. */
    private static Process prefork(Path err, String... more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                System.getProperty("echolab.jar"),
                "serve",
                "--model",
                "prefork",
                "--workers",
                "2",
                "--port",
                "0",
                "--monitor-port",
                "-1"));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    }

    /** A killed parent's board of the process tree is left for the test to delete. */
    private static void deleteBoard(long parent) {
        for (String dir : List.of("/dev/shm", System.getProperty("java.io.tmpdir"))) {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(Path.of(dir), "echolab-tree-" + parent + "-*")) {
                for (Path p : left) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // no such folder
            }
        }
    }
}
