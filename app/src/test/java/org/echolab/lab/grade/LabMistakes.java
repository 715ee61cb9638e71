package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.echolab.bench.ProcStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mistake catalogue: each case in {@code src/test/resources/lab-mistakes/} is the answer key
 * with one mistake in one file, and its first lines say which check must fail and words its hint
 * must hold ({@code // FAILS: check name | word; word}; "A or B": either may catch it, "A and B":
 * each must); a {@code // CORRECT:} case, and the
 * answer key itself, must pass every check of its item. Each case is compiled with the answer
 * key's other files and graded on the item its file belongs to, as a student's workspace is: a
 * mistake with only the check(s) it names ({@code lab grade --only}), since the others are not
 * what it tests and would take most of the time; a correct case with every check.
 *
 * <p>All cases are graded once, several at a time (each server is a process of its own, and most
 * of a check is waiting for clients), before the assertions; each case is then a test of its own.
 * {@code -Decholab.lab.correctRounds=N} grades the correct ones N times; {@code -Decholab.lab.cases=REGEX}
 * grades only the cases whose name matches.
 *
 * <p>Each subclass grades the cases of one lab item (the file they change), so that the items are
 * graded in different test JVMs at once rather than one after another in one;
 * {@link LabMistakesCatalogueTest} checks the catalogue as a whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // the graded results are this class's, kept by its one instance
@Timeout(value = 15, unit = TimeUnit.MINUTES)
abstract class LabMistakes {

    private static final Path MISTAKES =
            Path.of("src/test/resources/lab-mistakes").toAbsolutePath();
    private static final Path ANSWERS =
            Path.of("src/test/resources/lab-solutions/lab").toAbsolutePath();
    private static final Path WORKSPACE =
            Path.of("src/main/resources/org/echolab/lab/workspace/src").toAbsolutePath();
    private static final int AT_ONCE = 4;
    private static final int CORRECT_ROUNDS = Integer.getInteger("echolab.lab.correctRounds", 1);

    /** One case: where its classes are, the file it changes, and what its header expects. */
    record Case(String name, String file, boolean correct, String check, List<String> hintWords) {
        @Override
        public String toString() {
            return name;
        }
    }

    private record Graded(List<Check> checks, double seconds) {}

    /** The file this class's cases change: the lab item they are graded on. */
    private final String file;

    private final Map<String, List<Graded>> results = new ConcurrentHashMap<>();
    private Path work;

    LabMistakes(String file) {
        this.file = file;
    }

    /** This item's cases, or those of them whose name matches {@code -Decholab.lab.cases=REGEX}. */
    List<Case> cases() throws IOException {
        String only = System.getProperty("echolab.lab.cases", ".*");
        return allCases().stream()
                .filter(c -> c.file().equals(file) && c.name().matches(only))
                .toList();
    }

    static List<Case> allCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(MISTAKES)) {
            for (Path dir : dirs.sorted().toList()) {
                Path source;
                try (Stream<Path> files = Files.list(dir.resolve("lab"))) {
                    source = files.findFirst().orElseThrow();
                }
                List<String> head = Files.readAllLines(source).subList(0, 2);
                if (head.get(0).startsWith("// CORRECT:")) {
                    cases.add(new Case(
                            dir.getFileName().toString(), source.getFileName().toString(), true, "", List.of()));
                    continue;
                }
                assertThat(head.get(0)).as(source + " names its mistake").startsWith("// MISTAKE: ");
                assertThat(head.get(1))
                        .as(source + " names the check and hint words")
                        .startsWith("// FAILS: ")
                        .contains(" | ");
                String[] fails = head.get(1).substring("// FAILS: ".length()).split(" \\| ");
                cases.add(new Case(
                        dir.getFileName().toString(),
                        source.getFileName().toString(),
                        false,
                        fails[0].strip(),
                        Stream.of(fails[1].split(";")).map(String::strip).toList()));
            }
        }
        for (String file : List.of("ThreadPool.java", "ProcessPerClient.java", "StudentState.java")) {
            cases.add(new Case("answer-key-" + file.replace(".java", ""), file, true, "", List.of()));
        }
        return cases;
    }

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a class's @Timeout leaves its lifecycle methods at the default
    void gradeEveryCase(@TempDir Path work) throws Exception {
        this.work = work;
        List<Case> cases = cases();
        for (Case c : cases) {
            compile(c);
        }
        try (ExecutorService graders = Executors.newFixedThreadPool(AT_ONCE)) {
            List<Future<?>> running = new ArrayList<>();
            for (Case c : cases) {
                for (int round = 0; round < (c.correct() ? CORRECT_ROUNDS : 1); round++) {
                    running.add(graders.submit(() -> {
                        results.computeIfAbsent(c.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(grade(c));
                        return null;
                    }));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
    }

    @AfterAll
    void nothingLeftRunning() {
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid()))
                .as("no server or child left")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true) // -Decholab.lab.cases may name none of this item's
    @MethodSource("cases")
    void eachMistakeFailsItsCheckWithItsHintAndEachCorrectSolutionPasses(Case c) {
        for (Graded g : results.get(c.name())) {
            String sheet = sheet(c, g);
            if (c.correct()) {
                assertThat(g.checks()).as(sheet).allMatch(Check::passed);
                continue;
            }
            // a race may be seen first by any of several checks ("stress or the counts add up"): which
            // one depends on the schedule, so a case names each that may catch it; a mistake that two
            // checks must each catch names both ("A and B"); a check run again on a second server
            // ("with --threads 2 --queue 0 (a hand-off): <check>") is the same check
            List<Check> failing = new ArrayList<>();
            for (String each : c.check().split(" and ")) {
                List<String> checks = List.of(each.split(" or "));
                List<Check> caught = g.checks().stream()
                        .filter(k -> !k.passed() && checks.stream().anyMatch(k.name()::contains))
                        .toList();
                assertThat(caught).as("'" + each + "' fails\n" + sheet).isNotEmpty();
                failing.addAll(caught);
            }
            assertThat(failing)
                    .as("the hint names " + c.hintWords() + "\n" + sheet)
                    .anySatisfy(k -> {
                        for (String word : c.hintWords()) {
                            assertThat(k.hint().toLowerCase(Locale.ROOT)).contains(word.toLowerCase(Locale.ROOT));
                        }
                    });
        }
    }

    private Graded grade(Case c) throws Exception {
        Path classes = work.resolve(c.name()).resolve("classes");
        Path logs = Files.createTempDirectory(work.resolve(c.name()), "logs");
        Only only = c.correct() ? Only.ALL : new Only(List.of(c.check().split(" and | or ")));
        long started = System.nanoTime();
        List<Check> checks = switch (c.file()) {
            case "ThreadPool.java" ->
                ThreadChecks.run("student-pool", List.of(classes), logs, only).checks();
            case "ProcessPerClient.java" ->
                ProcessChecks.run("student-process", List.of(classes), logs, only)
                        .checks();
            default -> racesInAJvmOfTheirOwn(classes, logs, only);
        };
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.printf("graded %s in %.1f s%n", c.name(), seconds);
        return new Graded(checks, seconds);
    }

    /** The state is loaded by name in the grader's own JVM, so each case's {@code lab.StudentState} needs a JVM of its own. */
    private static List<Check> racesInAJvmOfTheirOwn(Path classes, Path logs, Only only) throws Exception {
        Path err = logs.resolve("races.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path") + File.pathSeparator + classes,
                GradeOne.class.getName(),
                "races",
                logs.toString()));
        command.addAll(only.texts());
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("graded within 2 minutes")
                .isTrue();
        List<Check> checks = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split("\t", -1);
            if (f.length == 4) {
                checks.add(new Check(f[1], f[0].equals("PASS"), f[2], f[3]));
            }
        }
        assertThat(checks)
                .as("the races were graded: " + out + Files.readString(err))
                .isNotEmpty();
        return checks;
    }

    /** The case's file with the answer key's other files and the workspace's registration, compiled as the launcher does. */
    private void compile(Case c) throws IOException {
        Path src = work.resolve(c.name()).resolve("src/lab");
        Path classes = work.resolve(c.name()).resolve("classes");
        Files.createDirectories(src);
        Files.createDirectories(classes);
        for (String file : List.of("ThreadPool.java", "ProcessPerClient.java", "StudentState.java")) {
            Path from = !c.name().startsWith("answer-key") && file.equals(c.file())
                    ? MISTAKES.resolve(c.name()).resolve("lab").resolve(file)
                    : ANSWERS.resolve(file);
            Files.copy(from, src.resolve(file));
        }
        Files.copy(WORKSPACE.resolve("lab/Registration.java"), src.resolve("Registration.java"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        List<String> args = new ArrayList<>(List.of(
                "--release",
                "25",
                "-encoding",
                "UTF-8",
                "-nowarn",
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                classes.toString()));
        boolean ok;
        try (var fileManager = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
                Stream<Path> files = Files.list(src)) {
            ok = javac.getTask(
                            messages,
                            fileManager,
                            null,
                            args,
                            null,
                            fileManager.getJavaFileObjectsFromPaths(files.toList()))
                    .call();
        }
        assertThat(ok).as(c.name() + " compiles: " + messages).isTrue();
        Path services = classes.resolve("META-INF/services");
        Files.createDirectories(services);
        try (Stream<Path> files = Files.list(WORKSPACE.resolve("META-INF/services"))) {
            for (Path f : files.toList()) {
                Files.copy(f, services.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String sheet(Case c, Graded g) {
        StringBuilder s = new StringBuilder(c.name()).append(String.format(" (%.1f s)%n", g.seconds()));
        for (Check k : g.checks()) {
            s.append(k.passed() ? "  PASS  " : "  FAIL  ")
                    .append(k.name())
                    .append(": ")
                    .append(k.saw())
                    .append('\n');
            if (!k.passed()) {
                s.append("        hint: ").append(k.hint()).append('\n');
            }
        }
        return s.toString();
    }
}
