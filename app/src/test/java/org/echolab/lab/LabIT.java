package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lab as a student meets it ({@link StudentWorkspaces}): a new workspace, a reference run,
 * what the grader refuses to grade and how it shows a student's errors, a teacher's hand-out.
 * The untouched skeletons fail with hints ({@link FirstGradeIT}); the answer key (test
 * resources, never in a workspace) passes every section ({@link AnswerKeyIT}). Each classic
 * mistake, caught with its hint, is a case of the mistake catalogue
 * ({@code org.echolab.lab.grade.LabMistakes}), which grades the catalogue of mistaken solutions.
 */
class LabIT extends StudentWorkspaces {

    @Test
    void aNewWorkspaceHoldsSkeletonsAndNoSolution() throws Exception {
        Path ws = init("fresh");
        try (Stream<Path> files = Files.walk(ws)) {
            List<String> names = files.filter(Files::isRegularFile)
                    .map(p -> ws.relativize(p).toString())
                    .sorted()
                    .toList();
            assertThat(names)
                    .containsExactlyInAnyOrder(
                            "README.md",
                            "REPORT.md",
                            "echolab",
                            "src/lab/ProcessPerClient.java",
                            "src/lab/ThreadPool.java",
                            "src/lab/StudentState.java",
                            "src/lab/Registration.java",
                            "src/META-INF/services/org.echolab.models.Models$Plugin",
                            "src/META-INF/services/org.echolab.state.States$Plugin");
        }
        for (String skeleton : List.of("ProcessPerClient.java", "ThreadPool.java", "StudentState.java")) {
            String text = Files.readString(ws.resolve("src/lab").resolve(skeleton));
            assertThat(text).as(skeleton).contains("TODO").doesNotContain("ANSWER KEY");
        }
        assertThat(Files.readString(ws.resolve("src/lab/ProcessPerClient.java")))
                .doesNotContain("lab.fork(client);");
        assertThat(Files.readString(ws.resolve("echolab")))
                .contains(HOME.toString())
                .doesNotContain("@ECHOLAB_HOME@");
        Run again = run(
                workspaces,
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.toString(),
                        "lab",
                        "init",
                        ws.toString()));
        assertThat(again.exit()).as("a workspace is never overwritten").isEqualTo(2);
        assertThat(again.err()).contains("is not empty; choose a new directory");
    }

    @Test
    void aReferenceRunIsHeadedAsOneAndSavesNoSheet() throws Exception {
        Path ws = init("reference");
        Run r = grade(ws, "races", "--process-model", "process", "--thread-model", "pool", "--state", "atomic");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .startsWith("REFERENCE RUN: EchoLab's own models graded")
                .doesNotContain("src/lab/StudentState.java\n")
                .contains("no sheet was saved");
        assertThat(ws.resolve("grade/sheet.txt")).doesNotExist();
    }

    @Test
    void echoLabsOwnModelsAndStateInTheStudentsCodeFailWithAClearMessage() throws Exception {
        Path ws = init("cheat");
        edit(
                ws,
                "Registration.java",
                "LabModel.threads(\"student-pool\", \"your thread pool (lab/ThreadPool.java)\", ThreadPool::new)",
                "new Models.Entry(\"student-pool\", \"pool\", new Models.Traits(Models.Interleaving.THREADS, Models.PerConnection.NOTHING, false, 8), org.echolab.models.PoolModel::new)");
        edit(
                ws,
                "StudentState.java",
                "    public StudentState(RaceWindow window) {",
                "    private final ServerState inside = new org.echolab.state.AtomicState();\n\n    public StudentState(RaceWindow window) {");
        Run r = grade(ws, "threads", "races");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .contains("Integrity scan: FAILED")
                .contains(
                        "FAIL  your code is your own (no EchoLab model or state variant in it): lab.Registration uses org.echolab.models.PoolModel")
                .contains("lab.StudentState uses org.echolab.state.AtomicState")
                .contains("a grade of them is not a grade of your work");
    }

    @Test
    void aFileThatDoesNotCompileFailsItsSectionAndTheOthersAreGraded() throws Exception {
        Path ws = init("one-broken");
        answer(ws, "StudentState.java");
        edit(
                ws,
                "ThreadPool.java",
                "public void run() throws InterruptedException {",
                "public void run() throws InterruptedException { int x = ;");
        Run r = grade(ws, "threads", "races");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .contains("FAIL  your file compiles: 1 compiler error(s):")
                .contains("src/lab/ThreadPool.java:")
                .contains("3. Race conditions  (src/lab/StudentState.java)")
                .contains("PASS  unique request numbers");
        Run serve = run(ws, List.of(ws.resolve("echolab").toString(), "models"));
        assertThat(serve.exit())
                .as("a broken file is never run but by the grader")
                .isEqualTo(2);
        assertThat(serve.err()).contains("src/lab/ThreadPool.java:").contains("fix these first");

        Files.writeString(ws.resolve("src/lab/Registration.java"), "package lab; final class Registration { oops }");
        Run none = grade(ws, "races");
        assertThat(none.exit()).as(none.out() + none.err()).isEqualTo(2);
        assertThat(ws.resolve("grade/sheet.txt"))
                .content()
                .contains("NOT GRADED: your code does not compile.")
                .contains("src/lab/Registration.java")
                .doesNotContain("PASS");
    }

    @Test
    void aThrowInTheStudentsCodeIsShownWithTheFramesInTheirFile() throws Exception {
        Path ws = init("throws");
        answer(ws, "ThreadPool.java");
        edit(
                ws,
                "ThreadPool.java",
                "            queue.put(client);",
                "            if (client != null) throw new IllegalStateException(\"boom\");");
        Run r = grade(ws, "threads");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        // the graded server runs in a JVM of its own; its log names the frame in the student's file
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .contains("your run() threw java.lang.IllegalStateException: boom at ThreadPool.java:30");
    }

    @Test
    void aDeadlockInTheStudentsStateFailsItsChecksAndTheGradeEnds() throws Exception {
        Path ws = init("deadlock");
        // two locks taken in opposite orders: a worker that deadlocks never returns, and neither did the grade
        Files.copy(
                Path.of("src/test/resources/lab-mistakes/state-two-locks-in-opposite-orders/lab/StudentState.java"),
                ws.resolve("src/lab/StudentState.java"),
                StandardCopyOption.REPLACE_EXISTING);
        Run r = grade(ws, "races");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .containsPattern(
                        "FAIL  stress: .*: round \\d+: a deadlock: stress-\\d waits for java.lang.Object@\\p{XDigit}+"
                                + " held by stress-\\d at lab.StudentState.\\w+\\(StudentState.java:\\d+\\)")
                .containsPattern("at lab.StudentState.(requestServed|connectionClosed)\\(StudentState.java:\\d+\\)")
                .contains("take them in one order everywhere")
                // the server's workers deadlock too when a close falls in a served request's window (most runs)
                .containsPattern(
                        "FAIL  the race experiment runs: .*: a deadlock: [\\w-]+ waits for|PASS  the counts add up")
                .doesNotContain("Exception in thread");
    }

    /** A teacher's hand-out: EchoLab, the handout and a workspace that runs wherever it is copied, and no answer key. */
    @Test
    void aHandOutHoldsEchoLabTheHandoutAndAWorkspaceButNoAnswerKey() throws Exception {
        Path made = workspaces.resolve("handout");
        Run r = run(
                workspaces,
                List.of(
                        java(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-jar",
                        JAR.toString(),
                        "lab",
                        "handout",
                        made.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        Path copied = workspaces.resolve("elsewhere/lab");
        Files.createDirectories(copied.getParent());
        Files.move(made, copied); // the student's copy, elsewhere
        try (Stream<Path> files = Files.walk(copied)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all.stream().map(p -> copied.relativize(p).toString()))
                    .contains(
                            "echolab",
                            "scripts/find-jdk.sh",
                            "docs/lab.md",
                            "app/target/echolab.jar",
                            "workspace/REPORT.md",
                            "workspace/src/lab/ThreadPool.java",
                            "README.md")
                    .noneMatch(p -> p.contains("lab-solutions"));
            for (Path p : all) {
                if (!p.toString().endsWith(".jar")
                        && !p.toString().endsWith(".aot")
                        && !p.toString().endsWith(".png")) {
                    assertThat(Files.readString(p)).as(p.toString()).doesNotContain("ANSWER KEY");
                }
            }
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(
                copied.resolve("app/target/echolab.jar").toFile())) {
            assertThat(jar.stream().map(java.util.zip.ZipEntry::getName))
                    .noneMatch(n -> n.contains("lab-solutions") || n.startsWith("lab/"));
        }
        Run models = run(
                copied.resolve("workspace"),
                List.of(copied.resolve("workspace/echolab").toString(), "models"),
                false);
        assertThat(models.exit()).as(models.err()).isZero();
        assertThat(models.out()).contains("student-pool").contains("student-process");
    }
}
