package org.echolab.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A student's workspace, made by {@code echolab lab init DIR}: the skeletons to fill in, the file
 * that registers them with EchoLab, a launcher that compiles them and runs EchoLab with them, a
 * README and a report to write. It holds none of the project's reference solutions.
 */
public final class Workspace {

    /** Every file of a new workspace, as stored in the jar under {@code org/echolab/lab/workspace/}. */
    static final List<String> FILES = List.of(
            "README.md",
            "REPORT.md",
            "echolab",
            "src/lab/ProcessPerClient.java",
            "src/lab/ThreadPool.java",
            "src/lab/StudentState.java",
            "src/lab/Registration.java",
            "src/META-INF/services/org.echolab.models.Models$Plugin",
            "src/META-INF/services/org.echolab.state.States$Plugin");

    private Workspace() {}

    /**
     * Writes a new workspace into {@code dir} (made if missing) that uses the EchoLab at
     * {@code echolabHome}.
     *
     * @throws IllegalArgumentException if {@code dir} exists and is not empty
     */
    public static void create(Path dir, Path echolabHome) throws IOException {
        requireEmpty(dir);
        for (String file : FILES) {
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = Workspace.class.getResourceAsStream("workspace/" + file)) {
                if (in == null) {
                    throw new IOException("the EchoLab jar lacks its lab file " + file + "; rebuild it");
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .replace(
                                "@ECHOLAB_HOME@",
                                echolabHome.toAbsolutePath().normalize().toString());
                Files.writeString(target, text);
            }
        }
        Files.setPosixFilePermissions(dir.resolve("echolab"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** @throws IllegalArgumentException if {@code dir} exists and is not an empty directory */
    static void requireEmpty(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty; choose a new directory");
                }
            }
        } else if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " is a file; choose a new directory");
        }
    }
}
