package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.bench.ProcStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab as a student meets it: {@code echolab lab init DIR} from the packaged jar, then the
 * workspace's own launcher, a real child process that compiles the student's code and grades it.
 * The untouched skeletons fail with hints; the answer key (test resources, never in a workspace)
 * passes every section. Each classic mistake, caught with its hint, is a case of
 * {@link org.echolab.lab.grade.LabMistakesTest}, which grades the catalogue of mistaken solutions.
 */
class LabIT {

    private static final Path JAR = Path.of(System.getProperty("echolab.jar"));
    /** The project: the jar is app/target/echolab.jar. */
    private static final Path HOME = JAR.toAbsolutePath().getParent().getParent().getParent();
    private static final Path ANSWERS = Path.of("src/test/resources/lab-solutions/lab").toAbsolutePath();

    @TempDir
    static Path workspaces;

    private record Run(int exit, String out, String err) {}

    private static Run run(Path dir, List<String> cmd) throws Exception {
        return run(dir, cmd, true);
    }

    /** {@code home}: whether ECHOLAB_HOME names the project (false: as on a student's machine, unset). */
    private static Run run(Path dir, List<String> cmd, boolean home) throws Exception {
        Path err = workspaces.resolve("stderr-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        if (home) {
            pb.environment().put("ECHOLAB_HOME", HOME.toString());
        } else {
            pb.environment().remove("ECHOLAB_HOME");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("finished within 4 minutes").isTrue();
        String errText = Files.readString(err);
        Files.delete(err);
        return new Run(p.exitValue(), out, errText);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A fresh workspace made the way the README says, from the packaged jar. */
    private static Path init(String name) throws Exception {
        Path dir = workspaces.resolve(name);
        Run r = run(workspaces, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(), "lab", "init", dir.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("A lab workspace is ready in " + dir);
        return dir;
    }

    private static Run grade(Path ws, String... items) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ws.resolve("echolab").toString(), "lab", "grade"));
        cmd.addAll(List.of(items));
        return run(ws, cmd);
    }

    private static void answer(Path ws, String file) throws IOException {
        Files.copy(ANSWERS.resolve(file), ws.resolve("src/lab").resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Changes {@code from} to {@code to} in one of the workspace's files; the change must apply. */
    private static void edit(Path ws, String file, String from, String to) throws IOException {
        Path f = ws.resolve("src/lab").resolve(file);
        String text = Files.readString(f);
        assertThat(text).as(file).contains(from);
        Files.writeString(f, text.replace(from, to));
    }

    @BeforeAll
    static void noChildrenBefore() {
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid())).isEmpty();
    }

    @Test
    void aNewWorkspaceHoldsSkeletonsAndNoSolution() throws Exception {
        Path ws = init("fresh");
        try (Stream<Path> files = Files.walk(ws)) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> ws.relativize(p).toString()).sorted().toList();
            assertThat(names).containsExactlyInAnyOrder("README.md", "REPORT.md", "echolab",
                    "src/lab/ProcessPerClient.java", "src/lab/ThreadPool.java", "src/lab/StudentState.java",
                    "src/lab/Registration.java", "src/META-INF/services/org.echolab.models.Models$Plugin",
                    "src/META-INF/services/org.echolab.state.States$Plugin");
        }
        for (String skeleton : List.of("ProcessPerClient.java", "ThreadPool.java", "StudentState.java")) {
            String text = Files.readString(ws.resolve("src/lab").resolve(skeleton));
            assertThat(text).as(skeleton).contains("TODO").doesNotContain("ANSWER KEY");
        }
        assertThat(Files.readString(ws.resolve("src/lab/ProcessPerClient.java"))).doesNotContain("lab.fork(client);");
        assertThat(Files.readString(ws.resolve("echolab"))).contains(HOME.toString()).doesNotContain("@ECHOLAB_HOME@");
        Run again = run(workspaces, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "lab", "init", ws.toString()));
        assertThat(again.exit()).as("a workspace is never overwritten").isEqualTo(2);
        assertThat(again.err()).contains("is not empty; choose a new directory");
    }

    @Test
    void theUntouchedSkeletonsFailEverySectionWithHintsAStudentCanActOn() throws Exception {
        Path ws = init("untouched");
        Run r = grade(ws, "processes", "threads", "races");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("1. A process per client  (src/lab/ProcessPerClient.java)")
                .contains("FAIL  echoes right over real sockets: GET /echo: no answer within 5 s")
                .contains("lab.fork(client) (TODO 3)")
                .containsPattern("FAIL  clients served at once: 4 clients waiting 1.5 s each, arriving one by one: [01] requests? in service at once")
                .contains("the accept thread serves each client itself")
                .contains("hand each connection to the workers through the queue (TODO 4)")
                .contains("FAIL  unique request numbers")
                .contains("FAIL  stress")
                .doesNotContain("All ");
        assertThat(ws.resolve("grade/sheet.txt")).content().isEqualTo(r.out());
        assertThat(r.out()).as("the sheet names what it graded").startsWith("Grade sheet of the workspace " + ws)
                .containsPattern("EchoLab \\d+\\.\\d+\\.\\d+, Java 25")
                .containsPattern("  [0-9a-f]{64}  src/lab/ThreadPool.java\n")
                .containsPattern("  [0-9a-f]{64}  REPORT.md\n")
                .contains("Integrity scan: your compiled classes name none of EchoLab's models or state variants.");
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid())).as("the grader left no process").isEmpty();
    }

    /**
     * The answer key with a report whose predictions are written first: the costs item measures
     * and compares, the answers are then written citing its figures, and a full grade passes
     * every check, within the time a student waits for it.
     */
    @Test
    void theAnswerKeyWithAReasonedReportPassesEverySection() throws Exception {
        Path ws = init("solved");
        for (String file : List.of("ProcessPerClient.java", "ThreadPool.java", "StudentState.java")) {
            answer(ws, file);
        }
        Path report = ws.resolve("REPORT.md");
        Files.writeString(report, Files.readString(report)
                .replace("| sequential | ? | ? | ? |", "| sequential | 10 | 1 | 0.1 |")
                .replace("| thread | ? | ? | ? |", "| thread | 100 | 1 | 0.2 |")
                .replace("| pool, 4 threads | ? | ? | ? |", "| pool, 4 threads | 40 | 1 | 0.2 |")
                .replace("| process | ? | ? | ? |", "| process | 100 | 200 | 20 |"));
        Run first = grade(ws, "costs");
        assertThat(first.out()).as(first.err())
                .contains("PASS  your predictions are in REPORT.md")
                .contains("FAIL  every question has an answer")
                .containsPattern("\\| pool \\(student-pool\\) \\| 40 / [\\d.]+ / 40 \\|");
        // the answers, citing this workspace's first byte of a process per client
        String processFirstByte = first.out().lines().filter(l -> l.contains("| process (student-process) |")).findFirst()
                .orElseThrow().split("\\|")[3].split("/")[1].strip();
        StringBuilder answered = new StringBuilder();
        for (String line : Files.readString(report).lines().toList()) {
            answered.append(line).append('\n');
            if (line.startsWith("### ")) {
                answered.append("Here a new connection to a process per client took ").append(processFirstByte)
                        .append(" ms to its first byte, a JVM start, where a thread answers in about a millisecond.\n");
            }
        }
        Files.writeString(report, answered);

        long t0 = System.nanoTime();
        Run r = grade(ws);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("All \\d+ checks pass.").doesNotContain("FAIL")
                .contains("FOR YOUR TEACHER (not graded here)  whether each answer is right");
        assertThat(ws.resolve("grade/costs.md")).content().contains("| process (student-process) |").contains("Little's law");
        assertThat(seconds).as("a full grade of a correct workspace, on a busy 2-core machine").isLessThan(150);
        System.err.printf("LabIT: a full grade of the answer key took %.1f s%n%s%n", seconds, r.out());
    }

    @Test
    void aReferenceRunIsHeadedAsOneAndSavesNoSheet() throws Exception {
        Path ws = init("reference");
        Run r = grade(ws, "races", "--process-model", "process", "--thread-model", "pool", "--state", "atomic");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("REFERENCE RUN: EchoLab's own models graded").doesNotContain("src/lab/StudentState.java\n")
                .contains("no sheet was saved");
        assertThat(ws.resolve("grade/sheet.txt")).doesNotExist();
    }

    @Test
    void echoLabsOwnModelsAndStateInTheStudentsCodeFailWithAClearMessage() throws Exception {
        Path ws = init("cheat");
        edit(ws, "Registration.java", "LabModel.threads(\"student-pool\", \"your thread pool (lab/ThreadPool.java)\", ThreadPool::new)",
                "new Models.Entry(\"student-pool\", \"pool\", new Models.Traits(Models.Interleaving.THREADS, Models.PerConnection.NOTHING, false, 8), org.echolab.models.PoolModel::new)");
        edit(ws, "StudentState.java", "    public StudentState(RaceWindow window) {",
                "    private final ServerState inside = new org.echolab.state.AtomicState();\n\n    public StudentState(RaceWindow window) {");
        Run r = grade(ws, "threads", "races");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("Integrity scan: FAILED")
                .contains("FAIL  your code is your own (no EchoLab model or state variant in it): lab.Registration uses org.echolab.models.PoolModel")
                .contains("lab.StudentState uses org.echolab.state.AtomicState")
                .contains("a grade of them is not a grade of your work");
    }

    @Test
    void aFileThatDoesNotCompileFailsItsSectionAndTheOthersAreGraded() throws Exception {
        Path ws = init("one-broken");
        answer(ws, "StudentState.java");
        edit(ws, "ThreadPool.java", "public void run() throws InterruptedException {", "public void run() throws InterruptedException { int x = ;");
        Run r = grade(ws, "threads", "races");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  your file compiles: 1 compiler error(s):")
                .contains("src/lab/ThreadPool.java:")
                .contains("3. Race conditions  (src/lab/StudentState.java)")
                .contains("PASS  unique request numbers");
        Run serve = run(ws, List.of(ws.resolve("echolab").toString(), "models"));
        assertThat(serve.exit()).as("a broken file is never run but by the grader").isEqualTo(2);
        assertThat(serve.err()).contains("src/lab/ThreadPool.java:").contains("fix these first");

        Files.writeString(ws.resolve("src/lab/Registration.java"), "package lab; final class Registration { oops }");
        Run none = grade(ws, "races");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(ws.resolve("grade/sheet.txt")).content().contains("NOT GRADED: your code does not compile.")
                .contains("src/lab/Registration.java").doesNotContain("PASS");
    }

    @Test
    void aThrowInTheStudentsCodeIsShownWithTheFramesInTheirFile() throws Exception {
        Path ws = init("throws");
        answer(ws, "ThreadPool.java");
        edit(ws, "ThreadPool.java", "            queue.put(client);", "            if (client != null) throw new IllegalStateException(\"boom\");");
        Run r = grade(ws, "threads");
        assertThat(r.exit()).isEqualTo(1);
        // the graded server runs in a JVM of its own; its log names the frame in the student's file
        assertThat(r.out()).contains("your run() threw java.lang.IllegalStateException: boom at ThreadPool.java:30");
    }

    /** A teacher's hand-out: EchoLab, the handout and a workspace that runs wherever it is copied, and no answer key. */
    @Test
    void aHandOutHoldsEchoLabTheHandoutAndAWorkspaceButNoAnswerKey() throws Exception {
        Path made = workspaces.resolve("handout");
        Run r = run(workspaces, List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(), "lab", "handout", made.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        Path copied = workspaces.resolve("elsewhere/lab");
        Files.createDirectories(copied.getParent());
        Files.move(made, copied);                      // the student's copy, elsewhere
        try (Stream<Path> files = Files.walk(copied)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all.stream().map(p -> copied.relativize(p).toString()))
                    .contains("echolab", "scripts/find-jdk.sh", "docs/lab.md", "app/target/echolab.jar", "workspace/REPORT.md",
                            "workspace/src/lab/ThreadPool.java", "README.md")
                    .noneMatch(p -> p.contains("lab-solutions"));
            for (Path p : all) {
                if (!p.toString().endsWith(".jar") && !p.toString().endsWith(".aot") && !p.toString().endsWith(".png")) {
                    assertThat(Files.readString(p)).as(p.toString()).doesNotContain("ANSWER KEY");
                }
            }
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(copied.resolve("app/target/echolab.jar").toFile())) {
            assertThat(jar.stream().map(java.util.zip.ZipEntry::getName))
                    .noneMatch(n -> n.contains("lab-solutions") || n.startsWith("lab/"));
        }
        Run models = run(copied.resolve("workspace"), List.of(copied.resolve("workspace/echolab").toString(), "models"), false);
        assertThat(models.exit()).as(models.err()).isZero();
        assertThat(models.out()).contains("student-pool").contains("student-process");
    }
}
