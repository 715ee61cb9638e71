package org.echolab.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.echolab.lab.Workspace;
import org.echolab.lab.grade.Grader;
import org.echolab.lab.grade.Section;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code echolab lab}: make a student's workspace, and grade it. */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = {LabCommand.Init.class, LabCommand.Grade.class},
        description = "The concurrency lab: 'lab init DIR' makes a workspace for a student, './echolab lab grade' in it grades it. "
                + "The handout is docs/lab.md.")
final class LabCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("echolab lab: say 'init DIR' or 'grade'; see 'echolab lab --help'");
        return ExitCode.USAGE.code;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Make a student's workspace in DIR: the skeletons to fill in, a launcher, a README. No solutions.")
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
            System.out.println("  ./echolab serve --model student-pool     # your thread pool (src/lab/ThreadPool.java)");
            System.out.println("  ./echolab lab grade                       # the grade sheet");
            return ExitCode.OK.code;
        }

        /** Where EchoLab lives: the launcher says so; else two folders above the jar (app/target/echolab.jar). */
        private static Path echolabHome() {
            String home = System.getenv("ECHOLAB_HOME");
            if (home != null && !home.isBlank()) {
                return Path.of(home);
            }
            try {
                Path jar = Path.of(LabCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                return jar.toAbsolutePath().getParent().getParent().getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "grade", mixinStandardHelpOptions = true,
            description = "Grade the workspace's models and state: processes, threads, races, costs (all by default). "
                    + "Exit 0 when every check passes, 1 when one fails.")
    static final class Grade implements Callable<Integer> {

        @Parameters(paramLabel = "ITEM", arity = "0..*", description = "Grade only these: processes, threads, races, costs.")
        List<String> items = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", description = "Where the sheet and the costs table go. Default: grade/ in the workspace.")
        Path out;

        @Option(names = "--process-model", paramLabel = "MODEL", defaultValue = "student-process",
                description = "The model graded as a process per client. Default: ${DEFAULT-VALUE}; 'process' grades the project's own.")
        String processModel;

        @Option(names = "--thread-model", paramLabel = "MODEL", defaultValue = "student-pool",
                description = "The model graded as a thread pool. Default: ${DEFAULT-VALUE}; 'pool' grades the project's own.")
        String threadModel;

        @Option(names = "--state", paramLabel = "VARIANT", defaultValue = "student",
                description = "The state graded for races. Default: ${DEFAULT-VALUE}; 'atomic' grades the project's own.")
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
            String workspace = System.getProperty("echolab.lab.workspace");
            Path results = out != null ? out : Path.of(workspace != null ? workspace : ".").resolve("grade");
            List<Section> sections;
            try {
                sections = Grader.grade(chosen, new Grader.Subjects(processModel, threadModel, state), results, System.err);
            } catch (IllegalArgumentException e) {
                System.err.println("echolab lab grade: " + e.getMessage() + ". Grade inside a workspace, with its own"
                        + " launcher: 'echolab lab init DIR', then 'cd DIR && ./echolab lab grade'");
                return ExitCode.USAGE.code;
            }
            String sheet = Grader.sheet(sections);
            System.out.print(sheet);
            try {
                Files.createDirectories(results);
                Files.writeString(results.resolve("sheet.txt"), sheet);
            } catch (IOException e) {
                System.err.println("echolab lab grade: could not save the sheet in " + results + ": " + e.getMessage());
            }
            return sections.stream().allMatch(Section::passed) ? ExitCode.OK.code : ExitCode.FAILED.code;
        }
    }
}
