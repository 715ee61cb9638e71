package org.echolab.lab.grade;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The integrity scan: reads the student's compiled classes with Java's class-file API
 * ({@code java.lang.classfile}) and lists every EchoLab class they name, in their constant pool:
 * classes they use, types in their signatures, names in strings (a {@code Class.forName}). A
 * student's class may use the lab's API and the registries its files plug into; one that uses
 * EchoLab's own models or state variants would be graded as the student's while it is the
 * project's, so the grade fails and says which class names which. Pure: class files in, findings out.
 */
final class Integrity {

    /**
     * EchoLab's classes a student's code may name beyond the lab API ({@code org.echolab.lab}, not
     * its grader): the connection it hands out, and the registries and interfaces the workspace's
     * own files plug into.
     */
    static final Set<String> ALLOWED = Set.of("org.echolab.connection.Connection", "org.echolab.state.RaceWindow");

    /** The interfaces and settings a model plugs into (with their nested types): no answer in them. */
    static final Set<String> INTERFACES = Set.of(
            "org.echolab.models.Models",
            "org.echolab.models.ConcurrencyModel",
            "org.echolab.models.ModelContext",
            "org.echolab.config.ServerConfig",
            "org.echolab.state.States",
            "org.echolab.state.ServerState");

    /** An EchoLab class named in a class file as a type ({@code org/echolab/...}) or in a string ({@code org.echolab....}). */
    private static final Pattern ECHOLAB = Pattern.compile("org[/.]echolab[/.][A-Za-z0-9_$/.]*[A-Za-z0-9_$]");

    /** A student's class that names EchoLab classes it may not. */
    record Finding(String studentClass, Set<String> named) {

        /** What the sheet says: which class names which, and why that does not count. */
        String describe() {
            return studentClass + " uses " + String.join(", ", named);
        }
    }

    private Integrity() {}

    /** Every class under {@code classes} that names an EchoLab class outside {@link #ALLOWED}. */
    static List<Finding> scan(Path classes) throws IOException {
        List<Finding> findings = new ArrayList<>();
        if (!Files.isDirectory(classes)) {
            return findings;
        }
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                ClassModel cm = ClassFile.of().parse(Files.readAllBytes(f));
                Set<String> named = new TreeSet<>();
                for (PoolEntry e : cm.constantPool()) {
                    String text = e instanceof ClassEntry c
                            ? c.asInternalName()
                            : e instanceof Utf8Entry u ? u.stringValue() : null;
                    if (text != null) {
                        Matcher m = ECHOLAB.matcher(text);
                        while (m.find()) {
                            String name = m.group().replace('/', '.');
                            if (!allowed(name) && isClassName(name)) {
                                named.add(name);
                            }
                        }
                    }
                }
                if (!named.isEmpty()) {
                    findings.add(new Finding(cm.thisClass().asInternalName().replace('/', '.'), named));
                }
            }
        }
        return findings;
    }

    static boolean allowed(String name) {
        String outer = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
        return ALLOWED.contains(name)
                || INTERFACES.contains(outer)
                || name.startsWith("org.echolab.lab.") && !name.startsWith("org.echolab.lab.grade.");
    }

    /** A class name, not a package or a property name such as {@code org.echolab.lab.workspace}. */
    private static boolean isClassName(String name) {
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return !simple.isEmpty() && Character.isUpperCase(simple.charAt(0));
    }
}
