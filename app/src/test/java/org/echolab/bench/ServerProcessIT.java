package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A benchmark cell's server, started as the bench starts it: {@link ServerProcess#awaitAnswer}
 * returns only once every worker of a multi-worker model accepts, not when the first answers.
 * Six worker JVMs starting at once on two cores often do not start together (the first answer
 * then comes while others still start; {@code ServerProcessTest} makes that happen every time
 * with a stand-in); each worker that accepts has its accept thread ({@code echolab-accept}),
 * which {@code /proc} shows.
 */
@Timeout(180)
class ServerProcessIT {

    @ParameterizedTest(name = "--model {0}")
    @ValueSource(strings = {"prefork", "prefork-pass"})
    void awaitAnswerReturnsOnceEveryWorkerAccepts(String model) throws Exception {
        Path jar = Path.of(System.getProperty("echolab.jar"));
        try (ServerProcess server =
                ServerProcess.start(jar, model, List.of("--workers", "6"), Tools.logFile("server-process-"))) {
            server.awaitAnswer();

            List<ProcessHandle> workers =
                    ProcessHandle.of(server.pid()).orElseThrow().children().toList();
            assertThat(workers).hasSize(6);
            assertThat(workers)
                    .as("every worker has its accept thread the moment awaitAnswer returns")
                    .allMatch(w -> threadNames(w.pid()).contains("echolab-accept"));
        }
    }

    /** A pinned run's server runs on the server's core, its JVM started with the pinning's flags for its model. */
    @org.junit.jupiter.api.Test
    void aPinnedServerRunsOnItsCoreWithItsModelsOneCoreFlags() throws Exception {
        Tools.require(Path.of("/usr/bin/taskset"), "apt-get install util-linux");
        Path jar = Path.of(System.getProperty("echolab.jar"));
        Pinning pinning = new Pinning(
                true,
                0,
                1,
                "server on core 0",
                Map.of("eventloop", List.of("-XX:+UseSerialGC", "-Xmn16m"), "pool", List.of("-XX:+UseSerialGC")));
        for (String model : List.of("eventloop", "pool")) {
            try (ServerProcess server =
                    ServerProcess.start(jar, model, List.of(), Tools.logFile("server-process-"), pinning)) {
                server.awaitAnswer();
                String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
                assertThat(Pinning.cpuList(status)).as(model).containsExactly(0);
                List<String> args = List.of(ProcessHandle.of(server.pid())
                        .orElseThrow()
                        .info()
                        .arguments()
                        .orElseThrow());
                List<String> jvm = args.subList(0, args.indexOf("serve"));
                assertThat(args).as(model).containsSubsequence("serve", "--model", model);
                if (model.equals("pool")) {
                    assertThat(jvm).contains("-XX:+UseSerialGC").noneMatch(a -> a.startsWith("-Xmn"));
                } else {
                    assertThat(jvm).containsSubsequence("-XX:+UseSerialGC", "-Xmn16m");
                }
            }
        }
    }

    /** The names of a process's threads, as the kernel has them (15 characters at most). */
    private static List<String> threadNames(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(t -> {
                        try {
                            return Files.readString(t.resolve("comm")).strip();
                        } catch (IOException e) {
                            return ""; // the thread ended
                        }
                    })
                    .toList();
        } catch (IOException e) {
            return List.of(); // the process ended
        }
    }
}
