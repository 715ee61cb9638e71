package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.echolab.lab.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The integrity scan over classes compiled for real: the workspace's own files and the answer key
 * name only the lab's API; a registration of EchoLab's models, a state that wraps one of its
 * variants, or a class loaded by name are each found.
 */
@Timeout(60)
class IntegrityTest {

    @TempDir
    Path dir;

    private Path compile(Map<String, String> sources) throws IOException {
        Path src = dir.resolve("src/lab");
        Files.createDirectories(src);
        List<String> args = new ArrayList<>(List.of(
                "--release",
                "25",
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                dir.resolve("classes").toString()));
        for (var e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
                .isZero();
        return dir.resolve("classes");
    }

    private static String skeleton(String file) throws IOException {
        try (InputStream in = Workspace.class.getResourceAsStream("workspace/src/lab/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String answer(String file) throws IOException {
        return Files.readString(Path.of("src/test/resources/lab-solutions/lab").resolve(file));
    }

    @Test
    void theWorkspaceAndTheAnswerKeyNameOnlyTheLabsApi() throws IOException {
        Path classes = compile(Map.of(
                "Registration.java",
                skeleton("Registration.java"),
                "ProcessPerClient.java",
                answer("ProcessPerClient.java"),
                "ThreadPool.java",
                answer("ThreadPool.java"),
                "StudentState.java",
                answer("StudentState.java")));
        assertThat(Integrity.scan(classes)).isEmpty();
    }

    @Test
    void eachWayOfUsingEchoLabsOwnAnswersIsFound() throws IOException {
        String registration = skeleton("Registration.java")
                .replace(
                        "LabModel.threads(\"student-pool\", \"your thread pool (lab/ThreadPool.java)\", ThreadPool::new)",
                        "new Models.Entry(\"student-pool\", \"pool\", new Models.Traits(Models.Interleaving.THREADS, Models.PerConnection.NOTHING, false, 8), org.echolab.models.PoolModel::new)");
        assertThat(registration).contains("PoolModel");
        Path classes = compile(Map.of(
                "Registration.java",
                registration,
                "ProcessPerClient.java",
                skeleton("ProcessPerClient.java"),
                "ThreadPool.java",
                skeleton("ThreadPool.java"),
                "StudentState.java",
                skeleton("StudentState.java"),
                "Wrapper.java",
                """
                        package lab;
                        final class Wrapper {
                            private org.echolab.state.AtomicState inside;
                            Object byName() throws Exception { return Class.forName("org.echolab.models.ProcessModel"); }
                        }
                        """));
        assertThat(Integrity.scan(classes))
                .extracting(Integrity.Finding::describe)
                .anySatisfy(
                        d -> assertThat(d).startsWith("lab.Registration uses").contains("org.echolab.models.PoolModel"))
                .anySatisfy(d -> assertThat(d)
                        .isEqualTo("lab.Wrapper uses org.echolab.models.ProcessModel, org.echolab.state.AtomicState"))
                .hasSize(2);
    }
}
