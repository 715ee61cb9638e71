package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * passes every section; each classic mistake is caught with its hint.
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
        Path err = Files.createTempFile("lab", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().put("ECHOLAB_HOME", HOME.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("finished within 4 minutes").isTrue();
        return new Run(p.exitValue(), out, Files.readString(err));
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
                .containsPattern("FAIL  clients served at once: 4 clients waiting 1.5 s each, arriving one by one: 1 requests? in service at once")
                .contains("the accept thread serves each client itself")
                .contains("hand each connection to the workers through the queue (TODO 4)")
                .contains("FAIL  unique request numbers")
                .contains("FAIL  stress")
                .doesNotContain("All ");
        assertThat(ws.resolve("grade/sheet.txt")).content().isEqualTo(r.out());
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid())).as("the grader left no process").isEmpty();
    }

    @Test
    void theAnswerKeyPassesEverySectionIncludingTheSideBySideRun() throws Exception {
        Path ws = init("solved");
        for (String file : List.of("ProcessPerClient.java", "ThreadPool.java", "StudentState.java")) {
            answer(ws, file);
        }
        Run r = grade(ws);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("All 23 checks pass.").doesNotContain("FAIL");
        assertThat(ws.resolve("grade/costs.md")).content()
                .contains("| student-process |").contains("| process |").contains("| student-pool |").contains("| pool |");
    }

    @Test
    void aParentThatKeepsItsCopyOfTheSocketIsCaught() throws Exception {
        Path ws = init("no-close");
        answer(ws, "ProcessPerClient.java");
        edit(ws, "ProcessPerClient.java", "                client.close();", "                // client.close();");
        Run r = grade(ws, "processes");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  the client sees the close when its child is done")
                .contains("the parent still holds a copy of the connection: client.close()")
                .contains("FAIL  no descriptors left open in the parent");
    }

    @Test
    void childrenNeverReapedAreCaughtAsZombies() throws Exception {
        Path ws = init("no-reap");
        answer(ws, "ProcessPerClient.java");
        edit(ws, "ProcessPerClient.java", "Thread.ofPlatform().name(\"reaper\").start(this::reapChildren)",
                "Thread.ofPlatform().name(\"reaper\").unstarted(this::reapChildren)");
        Run r = grade(ws, "processes");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("FAIL  children are reaped: \\d+ children are zombies \\(state Z\\)")
                .contains("lab.waitForChild()")
                .contains("FAIL  stop with a request in flight leaves no child");
        Map<Long, Character> left = ProcStats.childrenOf(ProcessHandle.current().pid());
        assertThat(left).as("the grader's own process is gone, and its children with it").isEmpty();
    }

    @Test
    void aPoolThatStartsAThreadPerConnectionIsCaught() throws Exception {
        Path ws = init("thread-per-connection");
        answer(ws, "ThreadPool.java");
        edit(ws, "ThreadPool.java", "queue.put(client);", "Connection c = client; Thread.ofPlatform().start(() -> lab.echo(c));");
        Run r = grade(ws, "threads");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("FAIL  a bounded number of threads: (\\d+) threads of your model while 14 clients were held \\(\\d+ with none\\), --threads 4")
                .contains("a thread per connection is not a pool");
    }

    @Test
    void aPlainCountPlusPlusIsCaught() throws Exception {
        Path ws = init("count-plus-plus");
        answer(ws, "StudentState.java");
        edit(ws, "StudentState.java", "        return requestNumbers.incrementAndGet();",
                "        long n = requestNumbers.get() + 1;    // count++: read, add, write\n"
                        + "        window.pause();\n        requestNumbers.set(n);\n        return n;");
        edit(ws, "StudentState.java", "    public StudentState(RaceWindow window) {\n        // no gap between a read and its write is left to widen\n    }",
                "    private final RaceWindow window;\n\n    public StudentState(RaceWindow window) {\n        this.window = window;\n    }");
        Run r = grade(ws, "races");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("FAIL  unique request numbers: .*: \\d+ numbers handed out twice")
                .contains("Make the read-add-write one step")
                .contains("PASS  the counts add up").contains("PASS  the peak is right");
    }
}
