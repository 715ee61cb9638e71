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
import org.echolab.config.Settings;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./echolab serve} on one core ({@code taskset -c 0}) starts the server's JVM with the flags
 * {@code scripts/server-jvm.sh} declares for its {@code --model} (a bounded young generation for
 * the models whose connections hold no platform thread, none for those that block one per
 * connection: docs/performance.md), read from the running server's own command line; on more
 * cores it leaves the JVM its own choices; {@code ECHOLAB_SERVER_JVM_OPTS} replaces them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LauncherIT {

    private static final Path SCRIPTS = Path.of(System.getProperty("echolab.scripts", "../scripts"));
    private static final Path LAUNCHER = SCRIPTS.resolveSibling("echolab");

    /**
     * The JVM arguments of {@code ./echolab serve MODEL_ARGS}, read while it serves; {@code env}
     * adds to its environment.
     */
    private static List<String> serverJvmArguments(boolean oneCore, List<String> modelArgs, String... env)
            throws Exception {
        assumeLauncherWillNotBuild();
        List<String> command = new java.util.ArrayList<>(oneCore ? List.of("taskset", "-c", "0") : List.of());
        command.addAll(List.of("bash", LAUNCHER.toString(), "serve", "--port", "0", "--monitor-port", "-1"));
        command.addAll(modelArgs);
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

    /** What scripts/server-jvm.sh declares for {@code model}'s server on one core, as the launcher sources it. */
    private static List<String> declared(String model) throws Exception {
        Tools.Result r = Tools.run(
                "bash",
                "-c",
                "unset ECHOLAB_SERVER_JVM_OPTS; source \"$1\"; echolab_one_core_jvm_opts \"$2\"",
                "-",
                SCRIPTS.resolve("server-jvm.sh").toString(),
                model);
        return Arrays.stream(r.stdout().trim().split(" +")).toList();
    }

    @Test
    void serveGetsTheFlagsDeclaredForItsModel() throws Exception {
        List<String> eventloop = declared("eventloop"), pool = declared("pool");
        assertThat(eventloop).as("a bounded young generation").contains("-XX:+UseSerialGC", "-Xmn16m");
        assertThat(pool)
                .as("the JVM's young generation")
                .contains("-XX:+UseSerialGC")
                .noneMatch(f -> f.startsWith("-Xmn"));

        assertThat(serverJvmArguments(true, List.of("--model", "eventloop"))).containsSubsequence(eventloop);
        assertThat(serverJvmArguments(true, List.of("--model=pool")))
                .containsSubsequence(pool)
                .noneMatch(f -> f.startsWith("-Xmn"));
    }

    @Test
    void withoutModelServeGetsTheDefaultModelsFlags() throws Exception {
        List<String> byDefault = declared(Settings.MODEL.defaultValue());
        assertThat(declared("")).isEqualTo(byDefault);

        assertThat(serverJvmArguments(true, List.of())).containsSubsequence(byDefault);
    }

    @Test
    void onMoreThanOneCoreTheJvmMakesItsOwnChoices() throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "this machine has one core");

        assertThat(serverJvmArguments(false, List.of("--model", "eventloop")))
                .doesNotContainAnyElementsOf(declared("eventloop"));
    }

    @Test
    void anEmptyEchoLabServerJvmOptsLeavesTheJvmItsOwnChoices() throws Exception {
        List<String> declared = declared("eventloop");

        assertThat(serverJvmArguments(true, List.of("--model", "eventloop"), "ECHOLAB_SERVER_JVM_OPTS", ""))
                .doesNotContainAnyElementsOf(declared);
    }
}
