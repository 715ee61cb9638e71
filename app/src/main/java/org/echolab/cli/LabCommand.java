package org.echolab.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.echolab.bench.ServerProcess;
import org.echolab.lab.Handout;
import org.echolab.lab.Workspace;
import org.echolab.lab.WorkspaceCompiler;
import org.echolab.lab.grade.Grader;
import org.echolab.lab.grade.Only;
import org.echolab.lab.grade.WorkspaceGrade;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code echolab lab}: make a student's hand-out or workspace, compile it, and grade it. */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        subcommands = {
            LabCommand.MakeHandout.class,
            LabCommand.Init.class,
            LabCommand.Grade.class,
            LabCommand.Compile.class
        },
        description =
                "The concurrency lab: 'lab handout DIR' makes what a teacher gives a student (EchoLab's jar, the handout,"
                        + " a workspace; no answer key), 'lab init DIR' makes a workspace, './echolab lab grade' in it grades it."
                        + " The handout is docs/lab.md.")
final class LabCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("echolab lab: say 'handout DIR', 'init DIR' or 'grade'; see 'echolab lab --help'");
        return ExitCode.USAGE.code;
    }

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description =
                    "Make a student's workspace in DIR: the skeletons to fill in, a launcher, a README. No solutions.")
    static final class Init implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "A new (or empty) directory.")
        Path dir;

        @Override
        public Integer call() {
            try {
                Workspace.create(dir, echolabHome());
            } catch (IllegalArgumentException e) {
                System.err.println("echolab lab init: " + e.getMessage());
                return ExitCode.USAGE.code;
            } catch (IOException e) {
                System.err.println("echolab lab init: cannot write the workspace: " + e.getMessage());
                return ExitCode.CANNOT_START.code;
            }
            System.out.println("A lab workspace is ready in " + dir + ". Start with:");
            System.out.println("  cd " + dir + " && cat README.md");
            System.out.println(
                    "  ./echolab serve --model student-pool     # your thread pool (src/lab/ThreadPool.java)");
            System.out.println("  ./echolab lab grade                       # the grade sheet");
            return ExitCode.OK.code;
        }
    }

    @Command(
            name = "handout",
            mixinStandardHelpOptions = true,
            description =
                    "Make in DIR what a student is given: EchoLab's jar and launcher, the handout (docs/lab.md) and a"
                            + " workspace, which finds EchoLab beside it wherever DIR is copied. It holds no answer key.")
    static final class MakeHandout implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "A new (or empty) directory.")
        Path dir;

        @Override
        public Integer call() {
            try {
                Handout.create(dir, echolabHome(), ServerProcess.ownJar());
            } catch (IllegalArgumentException e) {
                System.err.println("echolab lab handout: " + e.getMessage());
                return ExitCode.USAGE.code;
            } catch (IOException | IllegalStateException e) {
                System.err.println("echolab lab handout: cannot make the hand-out: " + e.getMessage());
                return ExitCode.CANNOT_START.code;
            }
            System.out.println(
                    "A hand-out is ready in " + dir + ": give the student the whole folder. They start with:");
            System.out.println(
                    "  cd " + dir.resolve(Handout.WORKSPACE) + " && cat README.md     # the handout is ../docs/lab.md");
            return ExitCode.OK.code;
        }
    }

    /** Where EchoLab lives: the launcher says so; else two folders above the jar (app/target/echolab.jar). */
    static Path echolabHome() {
        String home = System.getenv("ECHOLAB_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        try {
            Path jar = Path.of(LabCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.toAbsolutePath().getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Command(
            name = "compile",
            mixinStandardHelpOptions = true,
            description =
                    "Compile the workspace's src/ into build/classes, each of your files on its own (the workspace's"
                            + " launcher runs it when a source has changed). Exit 0 when every file compiles, 1 when one does not.")
    static final class Compile implements Callable<Integer> {

        @Override
        public Integer call() {
            Path ws = workspace();
            if (!Files.isDirectory(ws.resolve("src/lab"))) {
                System.err.println("echolab lab compile: " + ws.toAbsolutePath()
                        + " is not a lab workspace (no src/lab);" + " make one with 'echolab lab init DIR'");
                return ExitCode.USAGE.code;
            }
            try {
                WorkspaceCompiler.Result r = WorkspaceCompiler.compile(ws, ServerProcess.ownJar());
                r.errors().forEach((file, messages) -> System.err.println(messages));
                switch (r.outcome()) {
                    case COMPILED -> {
                        return ExitCode.OK.code;
                    }
                    case SOME_FILES_BROKEN -> {
                        System.err.println(
                                "lab: " + String.join(", ", r.errors().keySet()) + " did not compile; the other"
                                        + " files did, and 'lab grade' grades them");
                        return ExitCode.FAILED.code;
                    }
                    default -> {
                        Path sheet = ws.resolve("grade/sheet.txt");
                        Files.createDirectories(sheet.getParent());
                        Files.writeString(sheet, WorkspaceGrade.notCompiled(ws, r.errors()));
                        return ExitCode.FAILED.code;
                    }
                }
            } catch (IOException e) {
                System.err.println("echolab lab compile: " + e.getMessage());
                return ExitCode.CANNOT_START.code;
            }
        }
    }

    /** The workspace the launcher runs in, else the current folder. */
    static Path workspace() {
        String ws = System.getProperty("echolab.lab.workspace");
        return Path.of(ws != null ? ws : ".");
    }

    @Command(
            name = "grade",
            mixinStandardHelpOptions = true,
            description =
                    "Grade the workspace's models and state: processes, threads, races, costs (all by default). "
                            + "Exit 0 when every check passes, 1 when one fails. With --only, a partial grade: only the checks named.")
    static final class Grade implements Callable<Integer> {

        @Parameters(
                paramLabel = "ITEM",
                arity = "0..*",
                description = "Grade only these: processes, threads, races, costs.")
        List<String> items = new ArrayList<>();

        @Option(
                names = "--only",
                paramLabel = "TEXT",
                description = "Run only the checks whose name holds TEXT (ignoring case),"
                        + " e.g. --only 'served at once'; repeat it for several. The sheet says the grade is partial, and exit 0 then"
                        + " means only that the checks that ran pass.")
        List<String> only = new ArrayList<>();

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "Where the sheet and the costs table go. Default: grade/ in the workspace."
                        + " A reference run (EchoLab's own models) saves nothing.")
        Path out;

        @Option(
                names = "--process-model",
                paramLabel = "MODEL",
                defaultValue = "student-process",
                description =
                        "The model graded as a process per client. Default: ${DEFAULT-VALUE}; 'process' grades the project's own.")
        String processModel;

        @Option(
                names = "--thread-model",
                paramLabel = "MODEL",
                defaultValue = "student-pool",
                description =
                        "The model graded as a thread pool. Default: ${DEFAULT-VALUE}; 'pool' grades the project's own.")
        String threadModel;

        @Option(
                names = "--state",
                paramLabel = "VARIANT",
                defaultValue = "student",
                description =
                        "The state graded for races. Default: ${DEFAULT-VALUE}; 'atomic' grades the project's own.")
        String state;

        @Override
        public Integer call() throws InterruptedException {
            List<Grader.Item> chosen = new ArrayList<>();
            try {
                for (String item : items) {
                    chosen.add(Grader.Item.of(item));
                }
            } catch (IllegalArgumentException e) {
                System.err.println("echolab lab grade: " + e.getMessage());
                return ExitCode.USAGE.code;
            }
            if (chosen.isEmpty()) {
                chosen = List.of(Grader.Item.values());
            }
            String unmatched = unmatched(chosen);
            if (unmatched != null) {
                System.err.println("echolab lab grade: " + unmatched);
                return ExitCode.USAGE.code;
            }
            Grader.Subjects subjects = new Grader.Subjects(processModel, threadModel, state);
            try {
                Grader.requireRegistered(subjects);
            } catch (IllegalArgumentException e) {
                System.err.println("echolab lab grade: " + e.getMessage() + ". Grade inside a workspace, with its own"
                        + " launcher: 'echolab lab init DIR', then 'cd DIR && ./echolab lab grade'");
                return ExitCode.USAGE.code;
            }
            boolean reference = WorkspaceGrade.reference(subjects);
            Path ws = workspace();
            Path results = out != null ? out : ws.resolve("grade");
            WorkspaceGrade.Result result;
            Path scratch = null;
            try {
                if (reference) {
                    scratch = Files.createTempDirectory("echolab-reference-grade"); // nothing of it is the student's
                    results = scratch;
                }
                result = WorkspaceGrade.grade(ws, chosen, subjects, results, System.err, new Only(only));
            } catch (IOException e) {
                System.err.println("echolab lab grade: " + e.getMessage());
                return ExitCode.CANNOT_START.code;
            } finally {
                deleteTree(scratch);
            }
            System.out.print(result.sheet());
            if (result.studentsOwn()) {
                try {
                    Files.createDirectories(results);
                    Files.writeString(results.resolve("sheet.txt"), result.sheet());
                } catch (IOException e) {
                    System.err.println(
                            "echolab lab grade: could not save the sheet in " + results + ": " + e.getMessage());
                }
            }
            return result.passed() ? ExitCode.OK.code : ExitCode.FAILED.code;
        }

        /** What is wrong with the --only texts, given the items graded: a blank one, or one that names no check; else null. */
        private String unmatched(List<Grader.Item> chosen) {
            for (String text : only) {
                if (text.isBlank()) {
                    return "--only needs a part of a check's name, e.g. --only 'served at once'";
                }
                if (chosen.stream().noneMatch(item -> Only.of(text).selectsAny(Grader.checkNames(item)))) {
                    StringBuilder s = new StringBuilder("--only '" + text + "' matches no check of "
                            + String.join(
                                    ", ", chosen.stream().map(Grader.Item::word).toList())
                            + "; give a part of one of these names:");
                    for (Grader.Item item : chosen) {
                        s.append("\n  ").append(item.word()).append(":");
                        Grader.checkNames(item)
                                .forEach(name -> s.append("\n    ").append(name));
                    }
                    return s.toString();
                }
            }
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("echolab lab grade: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
