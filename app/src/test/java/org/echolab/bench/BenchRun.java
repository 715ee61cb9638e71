package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.models.tree.ChildJvm;

/**
 * {@code java -jar echolab.jar bench ARGS --out DIR/results} in its own JVM, as {@code ./echolab} runs it (the
 * packaged jar, system property {@code echolab.jar}), and what it printed and wrote.
 */
record BenchRun(int exit, String stdout, String stderr, JsonNode results) {

    static BenchRun of(Path dir, int minutes, String... args) throws Exception {
        Path jar = Path.of(System.getProperty("echolab.jar", "target/echolab.jar"));
        assertThat(jar).as("the packaged jar (system property echolab.jar)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(ChildJvm.cacheFlags(jar.toString())); // as ./echolab starts it
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "bench"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--out", dir.resolve("results").toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
        boolean ended = p.waitFor(minutes, TimeUnit.MINUTES);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        assertThat(ended)
                .as("bench %s ended within %d minutes", String.join(" ", args), minutes)
                .isTrue();
        return new BenchRun(
                p.exitValue(),
                Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8),
                new ObjectMapper().readTree(dir.resolve("results/results.json").toFile()));
    }
}
