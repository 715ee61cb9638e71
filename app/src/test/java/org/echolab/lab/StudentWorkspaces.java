package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.bench.ProcStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the lab's end-to-end tests do as a student does: {@code echolab lab init DIR} from the
 * packaged jar, then the workspace's own launcher, a real child process that compiles the
 * student's code and grades it. The tests are in several classes ({@link LabIT}, and the two
 * long grades in {@link AnswerKeyIT} and {@link FirstGradeIT}) so that the test JVMs run them at
 * once; each class has its own folder of workspaces, and one class runs at a time in a JVM.
 */
abstract class StudentWorkspaces {

    static final Path JAR = Path.of(System.getProperty("echolab.jar"));
    /** The project: the jar is app/target/echolab.jar. */
    static final Path HOME = JAR.toAbsolutePath().getParent().getParent().getParent();

    private static final Path ANSWERS =
            Path.of("src/test/resources/lab-solutions/lab").toAbsolutePath();

    @TempDir
    static Path workspaces;

    record Run(int exit, String out, String err) {}

    static Run run(Path dir, List<String> cmd) throws Exception {
        return run(dir, cmd, true);
    }

    /** {@code home}: whether ECHOLAB_HOME names the project (false: as on a student's machine, unset). */
    static Run run(Path dir, List<String> cmd, boolean home) throws Exception {
        Path err = workspaces.resolve("stderr-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        if (home) {
            pb.environment().put("ECHOLAB_HOME", HOME.toString());
        } else {
            pb.environment().remove("ECHOLAB_HOME");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS))
                .as("finished within 4 minutes")
                .isTrue();
        String errText = Files.readString(err);
        Files.delete(err);
        return new Run(p.exitValue(), out, errText);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A fresh workspace made the way the README says, from the packaged jar. */
    static Path init(String name) throws Exception {
        Path dir = workspaces.resolve(name);
        Run r = run(
                workspaces,
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-jar",
                        JAR.toString(),
                        "lab",
                        "init",
                        dir.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("A lab workspace is ready in " + dir);
        return dir;
    }

    static Run grade(Path ws, String... items) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ws.resolve("echolab").toString(), "lab", "grade"));
        cmd.addAll(List.of(items));
        return run(ws, cmd);
    }

    static void answer(Path ws, String file) throws IOException {
        Files.copy(
                ANSWERS.resolve(file),
                ws.resolve("src/lab").resolve(file),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Changes {@code from} to {@code to} in one of the workspace's files; the change must apply. */
    static void edit(Path ws, String file, String from, String to) throws IOException {
        Path f = ws.resolve("src/lab").resolve(file);
        String text = Files.readString(f);
        assertThat(text).as(file).contains(from);
        Files.writeString(f, text.replace(from, to));
    }

    @BeforeAll
    static void noChildrenBefore() {
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid())).isEmpty();
    }
}
