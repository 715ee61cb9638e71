package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each of the student's files compiles on its own: a broken one is named with the compiler's
 * words and stood in for by its skeleton, so the others are compiled (and graded); a workspace
 * with nothing that compiles has no classes; every compile removes the sheet of the code before.
 */
@Timeout(60)
class WorkspaceCompilerTest {

    private static final Path CLASS_PATH = Path.of(System.getProperty("java.class.path"));

    @TempDir
    Path dir;

    @Test
    void aBrokenFileIsNamedAndTheOthersCompile() throws Exception {
        Path ws = dir.resolve("ws");
        Workspace.create(ws, dir);
        Files.createDirectories(ws.resolve("grade"));
        Files.writeString(ws.resolve("grade/sheet.txt"), "All 17 checks pass.");
        Path pool = ws.resolve("src/lab/ThreadPool.java");
        Files.writeString(pool, Files.readString(pool).replaceFirst("public void run\\(\\)", "public void run( {"));

        WorkspaceCompiler.Result r = WorkspaceCompiler.compile(ws, CLASS_PATH);

        assertThat(r.outcome()).isEqualTo(WorkspaceCompiler.Outcome.SOME_FILES_BROKEN);
        assertThat(r.errors()).containsOnlyKeys("src/lab/ThreadPool.java");
        assertThat(r.errors().get("src/lab/ThreadPool.java")).startsWith("src/lab/ThreadPool.java:");
        assertThat(WorkspaceCompiler.errors(ws)).isEqualTo(r.errors());
        assertThat(ws.resolve("build/classes/lab/ProcessPerClient.class")).exists();
        assertThat(ws.resolve("build/classes/lab/ThreadPool.class"))
                .as("its skeleton, standing in")
                .exists();
        assertThat(ws.resolve("build/classes/META-INF/services/org.echolab.models.Models$Plugin"))
                .exists();
        assertThat(ws.resolve("grade/sheet.txt"))
                .as("the old sheet is gone with the code it graded")
                .doesNotExist();
        assertThat(ws.resolve("build/skeletons")).doesNotExist();
    }

    @Test
    void aWorkspaceThatDoesNotCompileAtAllHasNoClasses() throws Exception {
        Path ws = dir.resolve("ws");
        Workspace.create(ws, dir);
        Files.writeString(ws.resolve("src/lab/Registration.java"), "package lab; class Registration { oops }");

        WorkspaceCompiler.Result r = WorkspaceCompiler.compile(ws, CLASS_PATH);

        assertThat(r.outcome()).isEqualTo(WorkspaceCompiler.Outcome.NOTHING_COMPILES);
        assertThat(r.errors()).containsKey("src/lab/Registration.java");
        assertThat(ws.resolve("build/classes")).doesNotExist();
    }

    @Test
    void anUntouchedWorkspaceCompiles() throws Exception {
        Path ws = dir.resolve("ws");
        Workspace.create(ws, dir);
        assertThat(WorkspaceCompiler.compile(ws, CLASS_PATH).outcome()).isEqualTo(WorkspaceCompiler.Outcome.COMPILED);
        assertThat(ws.resolve("build/classes/.compiled")).exists();
        assertThat(WorkspaceCompiler.errors(ws)).isEmpty();
    }
}
