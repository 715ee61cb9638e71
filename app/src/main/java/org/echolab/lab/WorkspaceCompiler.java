package org.echolab.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a workspace's {@code src/} into {@code build/classes} ({@code echolab lab compile},
 * which the workspace's launcher runs when a source has changed), so that each of the student's
 * files compiles on its own: when some do not, each of those is replaced by its skeleton from the
 * jar, the rest are compiled with them, and {@code build/compile-errors.txt} names each file that
 * did not compile with the compiler's messages. The grader grades the files that compiled and
 * fails the others with those messages; any other command refuses to run a broken file.
 *
 * <p>Whenever it compiles, the old grade sheet goes: a sheet must never outlive the code it graded.
 *
 * <p><b>Threads:</b> one caller.
 */
public final class WorkspaceCompiler {

    /** The files a student writes, each graded on its own. */
    public static final List<String> STUDENT_FILES =
            List.of("src/lab/ProcessPerClient.java", "src/lab/ThreadPool.java", "src/lab/StudentState.java");

    /** Where the compiler's messages for the files that did not compile go, one block per file. */
    public static final String ERRORS = "build/compile-errors.txt";

    /** What came of it: every file compiled, some replaced by their skeletons, or nothing. */
    public enum Outcome {
        COMPILED,
        SOME_FILES_BROKEN,
        NOTHING_COMPILES
    }

    /** The outcome, and the compiler's messages by file (workspace-relative) for the files that did not compile. */
    public record Result(Outcome outcome, Map<String, String> errors) {}

    private WorkspaceCompiler() {}

    /** Compiles {@code workspace}'s sources against {@code jar}. */
    public static Result compile(Path workspace, Path jar) throws IOException {
        Path classes = workspace.resolve("build/classes");
        Files.deleteIfExists(workspace.resolve("grade/sheet.txt"));
        Files.deleteIfExists(workspace.resolve(ERRORS));
        List<Path> sources = sources(workspace.resolve("src"));
        Map<String, String> errors = javac(workspace, sources, jar, classes);
        if (errors.isEmpty()) {
            return done(workspace, classes, new Result(Outcome.COMPILED, Map.of()));
        }
        // each file that did not compile is replaced by its skeleton, so that the others are graded
        Path stand = workspace.resolve("build/skeletons");
        deleteTree(stand);
        List<Path> withSkeletons = new ArrayList<>();
        for (Path source : sources) {
            String rel = workspace.relativize(source).toString();
            if (errors.containsKey(rel) && STUDENT_FILES.contains(rel)) {
                Path skeleton = stand.resolve(rel);
                Files.createDirectories(skeleton.getParent());
                Files.writeString(skeleton, skeleton(rel));
                withSkeletons.add(skeleton);
            } else {
                withSkeletons.add(source);
            }
        }
        boolean onlyStudentFiles = STUDENT_FILES.containsAll(errors.keySet());
        Map<String, String> again = onlyStudentFiles ? javac(workspace, withSkeletons, jar, classes) : errors;
        deleteTree(stand);
        StringBuilder text = new StringBuilder();
        errors.forEach((file, messages) -> text.append("FILE ")
                .append(file)
                .append('\n')
                .append(messages.strip())
                .append('\n'));
        Files.createDirectories(workspace.resolve("build"));
        Files.writeString(workspace.resolve(ERRORS), text);
        if (!again.isEmpty()) {
            deleteTree(classes);
            return new Result(Outcome.NOTHING_COMPILES, errors);
        }
        return done(workspace, classes, new Result(Outcome.SOME_FILES_BROKEN, errors));
    }

    /** The files named in {@code build/compile-errors.txt}, with their messages (none: every file compiled). */
    public static Map<String, String> errors(Path workspace) throws IOException {
        Map<String, String> errors = new LinkedHashMap<>();
        Path file = workspace.resolve(ERRORS);
        if (!Files.exists(file)) {
            return errors;
        }
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("FILE ")) {
                if (current != null) {
                    errors.put(current, text.toString().strip());
                }
                current = line.substring(5);
                text.setLength(0);
            } else {
                text.append(line).append('\n');
            }
        }
        if (current != null) {
            errors.put(current, text.toString().strip());
        }
        return errors;
    }

    private static Result done(Path workspace, Path classes, Result result) throws IOException {
        Path services = workspace.resolve("src/META-INF");
        if (Files.isDirectory(services)) {
            try (Stream<Path> files = Files.walk(services)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path target = classes.resolve(
                            workspace.resolve("src").relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(classes.resolve(".compiled"), "");
        return result;
    }

    /** javac into a fresh {@code classes}; the error messages by workspace-relative file (none: it compiled). */
    private static Map<String, String> javac(Path workspace, List<Path> sources, Path jar, Path classes)
            throws IOException {
        deleteTree(classes);
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IOException("this Java has no compiler (a JRE, not a JDK): run EchoLab with a JDK 25");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try (StandardJavaFileManager files =
                javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(
                            new StringWriter(),
                            files,
                            diagnostics,
                            List.of(
                                    "--release",
                                    "25",
                                    "-encoding",
                                    "UTF-8",
                                    "-cp",
                                    jar.toString(),
                                    "-d",
                                    classes.toString()),
                            null,
                            files.getJavaFileObjectsFromPaths(sources))
                    .call();
            Set<String> seen = new TreeSet<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                String file = d.getSource() == null
                        ? "(no file)"
                        : relative(workspace, Path.of(d.getSource().toUri()));
                String line = file + ":" + d.getLineNumber() + ": "
                        + d.getMessage(Locale.ROOT).lines().findFirst().orElse("");
                if (seen.add(line)) {
                    errors.merge(file, line, (a, b) -> a + "\n" + b);
                }
            }
            if (!ok && errors.isEmpty()) {
                errors.put("(no file)", "javac failed without a message");
            }
        }
        return errors;
    }

    /** {@code file} as the student knows it: relative to the workspace (a skeleton stand-in as the file it stands for). */
    private static String relative(Path workspace, Path file) {
        Path stand = workspace.resolve("build/skeletons");
        return file.startsWith(stand)
                ? stand.relativize(file).toString()
                : workspace.relativize(file).toString();
    }

    private static String skeleton(String rel) throws IOException {
        try (InputStream in = WorkspaceCompiler.class.getResourceAsStream("workspace/" + rel)) {
            if (in == null) {
                throw new IOException("the EchoLab jar lacks its lab file " + rel + "; rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Path> sources(Path src) throws IOException {
        try (Stream<Path> files = Files.walk(src)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
