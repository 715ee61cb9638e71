package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./echolab serve} on one core ({@code taskset -c 0}) starts the server's JVM with the flags
 * {@code scripts/server-jvm.sh} declares (a bounded young generation: docs/performance.md, "Memory
 * per idle connection"), read from the running server's own command line; on more cores it leaves
 * the JVM its own choices; {@code ECHOLAB_SERVER_JVM_OPTS} replaces them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LauncherIT {

    private static final Path SCRIPTS = Path.of(System.getProperty("echolab.scripts", "../scripts"));
    private static final Path LAUNCHER = SCRIPTS.resolveSibling("echolab");

    /** The JVM arguments of {@code ./echolab serve}, read while it serves; {@code env} adds to its environment. */
    private static List<String> serverJvmArguments(boolean oneCore, String... env) throws Exception {
        assumeLauncherWillNotBuild();
        List<String> command = new java.util.ArrayList<>(oneCore ? List.of("taskset", "-c", "0") : List.of());
        command.addAll(List.of(
                "bash", LAUNCHER.toString(), "serve", "--port", "0", "--model", "eventloop", "--monitor-port", "-1"));
        ProcessBuilder pb = new ProcessBuilder(command);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Path err = Tools.logFile("launcher-");
        Process server = pb.redirectError(err.toFile()).start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String startup = out.readLine(); // the launcher execs java: this is the server speaking
            assertThat(startup)
                    .as("startup line; stderr: %s", Files.readString(err))
                    .contains("listening on");
            String[] args = server.info().arguments().orElseThrow();
            return Arrays.stream(args).takeWhile(a -> !a.equals("-jar")).toList();
        } finally {
            server.destroy(); // SIGTERM
            server.waitFor(30, TimeUnit.SECONDS);
            server.destroyForcibly();
            Files.deleteIfExists(err);
        }
    }

    /** The launcher builds the jar when a source is newer: a test must not start a build. */
    private static void assumeLauncherWillNotBuild() throws IOException {
        Path app = LAUNCHER.resolveSibling("app");
        Path jar = app.resolve("target/echolab.jar");
        Assumptions.assumeTrue(Files.exists(jar), "no app/target/echolab.jar: the launcher would build it");
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (Stream<Path> sources = Files.walk(app.resolve("src/main"))) {
            Assumptions.assumeTrue(
                    sources.noneMatch(p -> p.toFile().lastModified() > built),
                    "a source is newer than app/target/echolab.jar: the launcher would build it");
        }
    }

    /** What scripts/server-jvm.sh declares, as the launcher sources it. */
    private static List<String> declared() throws Exception {
        Tools.Result r = Tools.run(
                "bash",
                "-c",
                "unset ECHOLAB_SERVER_JVM_OPTS; source \"$1\"; echo \"$echolab_one_core_jvm_opts\"",
                "-",
                SCRIPTS.resolve("server-jvm.sh").toString());
        return Arrays.stream(r.stdout().trim().split(" +")).toList();
    }

    @Test
    void serveGetsTheServerFlagsDeclaredOnce() throws Exception {
        List<String> declared = declared();
        assertThat(declared).as("a bounded young generation").anyMatch(f -> f.startsWith("-Xmn"));

        assertThat(serverJvmArguments(true)).containsSubsequence(declared);
    }

    @Test
    void onMoreThanOneCoreTheJvmMakesItsOwnChoices() throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "this machine has one core");

        assertThat(serverJvmArguments(false)).doesNotContainAnyElementsOf(declared());
    }

    @Test
    void anEmptyEchoLabServerJvmOptsLeavesTheJvmItsOwnChoices() throws Exception {
        List<String> declared = declared();

        assertThat(serverJvmArguments(true, "ECHOLAB_SERVER_JVM_OPTS", "")).doesNotContainAnyElementsOf(declared);
    }
}
