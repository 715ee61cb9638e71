package org.echolab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * What a teacher gives a student ({@code echolab lab handout DIR}): EchoLab's jar (with its AOT
 * cache for child JVMs) and launcher, laid out as in EchoLab's own folder so that both find it,
 * the handout ({@code docs/lab.md} and its pictures), and a workspace beside them whose launcher
 * finds EchoLab one folder up wherever the hand-out is copied. It holds no answer key: the
 * project's answers live only in its test sources, which are never in the jar.
 */
public final class Handout {

    /** The workspace's folder in the hand-out. */
    public static final String WORKSPACE = "workspace";

    /** Files copied from EchoLab's folder, as they lie there. */
    static final List<String> FROM_HOME = List.of(
            "echolab", "scripts/find-jdk.sh", "docs/lab.md", "docs/live/sequential.png", "docs/live/process.png");

    private Handout() {}

    /**
     * Makes the hand-out in {@code dir} (made if missing) from the EchoLab at {@code home}, whose jar is {@code jar}.
     *
     * @throws IllegalArgumentException if {@code dir} exists and is not empty
     */
    public static void create(Path dir, Path home, Path jar) throws IOException {
        Workspace.requireEmpty(dir);
        for (String file : FROM_HOME) {
            Path from = home.resolve(file);
            if (!Files.isRegularFile(from)) {
                throw new IOException(
                        "EchoLab at " + home + " lacks " + file + "; make the hand-out from an EchoLab checkout");
            }
            copy(from, dir.resolve(file));
        }
        Path target = dir.resolve("app/target/echolab.jar");
        copy(jar, target);
        Path cache = jar.resolveSibling(jar.getFileName() + ".child.aot");
        if (Files.isRegularFile(cache)) {
            copy(cache, target.resolveSibling(cache.getFileName())); // child JVMs start from it, as at home
        }
        Files.setPosixFilePermissions(dir.resolve("echolab"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Workspace.create(dir.resolve(WORKSPACE), dir);
        Files.writeString(dir.resolve("README.md"), """
                # The EchoLab concurrency lab

                - `docs/lab.md`: the handout, step by step, with the questions to answer.
                - `workspace/`: your workspace; start there with `cd workspace && cat README.md`.
                - `echolab`, `app/target/echolab.jar`, `scripts/`: EchoLab itself (needs Linux and a JDK 25).

                Every command of the handout runs from `workspace/` with its `./echolab`.
                """);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
