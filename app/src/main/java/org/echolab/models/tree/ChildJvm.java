package org.echolab.models.tree;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.echolab.config.ServerConfig;
import org.echolab.config.Setting;
import org.echolab.config.Settings;
import org.echolab.logging.Logs;

/**
 * The command line of the process models' child JVMs: the same {@code java} and class path as the
 * parent, lean flags for a short-lived JVM, every {@code echolab.*} system property of the parent
 * (the race lab's shared-memory state finds its file through one), and the server configuration
 * as {@code name=value} arguments.
 *
 * <p><b>AOT cache</b> (JDK 25, JEP 483/514): when the parent runs from the echolab jar, children
 * start with {@code -XX:AOTCache=echolab.jar.child.aot}: classes already loaded and linked, and
 * profiles. The build makes it ({@code org.echolab.server.AotTraining}, in {@code package}); if it is missing or older
 * than the jar, the first {@code process} child is started with {@code -XX:AOTCacheOutput} and,
 * once it has served its connection and exited, its cache becomes everyone's. A class path that
 * starts with the jar and goes on (a lab workspace's classes after it) uses the cache too, but
 * never trains one: the JVM cannot dump a cache with a directory on the class path.
 * {@code -Decholab.aot=off} turns this off. docs/process-models.md has what each flag saves.
 *
 * <p>Thread-safe: the argument lists are immutable; the cache state changes under a lock.
 */
public final class ChildJvm {

    private static final System.Logger LOG = System.getLogger(ChildJvm.class.getName());

    /**
     * A child serves one connection (or, in prefork, runs a small server): C1 only, the serial
     * collector, small stacks and no perf-data file make it start faster and smaller.
     * {@code -Decholab.childFlags="..."} replaces them (to measure; empty for the JVM's defaults).
     */
    static final List<String> LEAN_FLAGS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss256k", "-Xms8m", "-Xmx256m", "-XX:-UsePerfData");

    /** Always: JVM warnings to stderr, because a {@code process} child's stdout is its client's socket. */
    static final List<String> SAFE_FLAGS =
            List.of("-Xlog:disable", "-Xlog:all=warning:stderr", "--enable-native-access=ALL-UNNAMED");

    private final List<String> base;
    private final Path jar; // null: no AOT cache
    private final Path cache;
    private boolean training; // guarded by this
    private boolean trainingFailed; // guarded by this: train once per parent at most
    private final boolean mayTrainCache; // the class path is the jar alone (a cache is trained on it)

    public ChildJvm(Class<?> main, ServerConfig config, TreeBoard tree) {
        this(main, config, tree, Map.of());
    }

    /** As above, with {@code properties} also given to every child as {@code -Dname=value}. */
    public ChildJvm(Class<?> main, ServerConfig config, TreeBoard tree, Map<String, String> properties) {
        String classPath = System.getProperty("java.class.path");
        // the jar first, then perhaps more (a lab workspace's classes): the cache, trained on the jar
        // alone, serves a class path that starts with it; only the jar alone may train one
        String first = classPath.split(java.io.File.pathSeparator)[0];
        Path jarPath = Path.of(first).toAbsolutePath();
        boolean ours = first.endsWith(".jar")
                && jarPath.getFileName().toString().startsWith("echolab")
                && Files.isRegularFile(jarPath)
                && Files.isWritable(jarPath.getParent());
        this.mayTrainCache = ours && first.equals(classPath);
        if (ours) {
            classPath = jarPath
                    + classPath.substring(first.length()); // the AOT cache checks the class path as it was trained
        }
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("echolab.childFlags");
        argv.addAll(
                flags == null
                        ? LEAN_FLAGS
                        : List.of(flags.split("\\s+")).stream()
                                .filter(f -> !f.isEmpty())
                                .toList());
        argv.addAll(SAFE_FLAGS);
        // the parent's log format; each line says which process wrote it: many processes share one stderr
        argv.add("-Djava.util.logging.config.class=" + Logs.Config.class.getName());
        // its role in the log lines: the last word of the program's name (ProcessChild logs as [child 4321])
        argv.add("-D" + Logs.ROLE + "="
                + main.getSimpleName().replaceFirst(".*(?=\\p{Lu})", "").toLowerCase());
        new TreeMap<>(System.getProperties()).forEach((k, v) -> {
            if (k.toString().startsWith("echolab.") && !k.equals(TreeBoard.PROPERTY) && !k.equals(Logs.ROLE)) {
                argv.add("-D" + k + "=" + v);
            }
        });
        argv.add("-D" + TreeBoard.PROPERTY + "=" + tree.file());
        new TreeMap<>(properties).forEach((k, v) -> argv.add("-D" + k + "=" + v));
        argv.add("-cp");
        argv.add(classPath);
        argv.add(main.getName());
        for (String arg : encode(config)) {
            // --access-log -: the parent's stdout, which a child has no descriptor of (a process child's fd 1 is its
            // client)
            argv.add(
                    arg.equals("accessLog=-")
                            ? "accessLog=/proc/" + ProcessHandle.current().pid() + "/fd/1"
                            : arg);
        }
        this.base = List.copyOf(argv);
        this.jar = ours && !"off".equals(System.getProperty("echolab.aot")) ? jarPath : null;
        this.cache = jar == null ? null : cacheOf(jar);
    }

    /** Where the children's AOT cache for {@code jar} lives: beside it. */
    public static Path cacheOf(Path jar) {
        return jar.resolveSibling(jar.getFileName() + ".child.aot");
    }

    /**
     * The flags that start another JVM of ours from the children's AOT cache: a server that the
     * bench, the grader or the launcher starts runs the same code first (about 0.25 s of CPU less
     * per start on the project's machine). The JVM must also get {@code
     * --enable-native-access=ALL-UNNAMED}, as the children do, or it cannot use the cache; a cache it
     * cannot use is skipped without a word (its messages would go to stdout). Empty unless {@code
     * classPath} begins with an echolab jar whose cache is there and not older than it, or with
     * {@code -Decholab.aot=off}.
     */
    public static List<String> cacheFlags(String classPath) {
        String first = classPath.split(java.io.File.pathSeparator)[0];
        Path jar = Path.of(first).toAbsolutePath();
        Path cache = cacheOf(jar);
        boolean ours = first.endsWith(".jar")
                && jar.getFileName().toString().startsWith("echolab")
                && !"off".equals(System.getProperty("echolab.aot"));
        return ours && fresh(cache, jar) ? List.of("-XX:AOTCache=" + cache, "-Xlog:aot*=off") : List.of();
    }

    /** Whether {@code cache} is there and not older than {@code jar}. */
    private static boolean fresh(Path cache, Path jar) {
        try {
            return Files.isRegularFile(cache)
                    && Files.isRegularFile(jar)
                    && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the next child is started with: argv, and the file it trains the cache into (or null). */
    public record Launch(List<String> argv, Path trainingFile) {}

    /** The command line for the next child; {@code mayTrain}: it may be the one that trains the cache. */
    public synchronized Launch next(boolean mayTrain) {
        if (jar == null) {
            return new Launch(base, null);
        }
        if (fresh()) {
            return new Launch(with("-XX:AOTCache=" + cache), null);
        }
        if (mayTrain && mayTrainCache && !training && !trainingFailed) {
            training = true;
            Path tmp = cache.resolveSibling(
                    cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            LOG.log(Level.INFO, "training the child JVMs'' AOT cache with the next child; it will be {0}", cache);
            return new Launch(with("-XX:AOTCacheOutput=" + tmp), tmp);
        }
        return new Launch(base, null);
    }

    /** A child exited: if it was the training run, its cache (if complete) becomes everyone's. */
    public synchronized void exited(Launch launch, int status) {
        if (launch.trainingFile() == null) {
            return;
        }
        training = false;
        try {
            if (Files.size(launch.trainingFile()) > 0) {
                // rename, so that no child ever starts from a half-written cache
                Files.move(
                        launch.trainingFile(),
                        cache,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                LOG.log(Level.INFO, "AOT cache ready: {0}", cache);
                return;
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "no AOT cache from the training child: {0}", e.toString());
        }
        trainingFailed = true;
        LOG.log(Level.WARNING, "the training child (status {0}) left no AOT cache; children start without one", status);
        try {
            Files.deleteIfExists(launch.trainingFile());
        } catch (IOException ignored) {
            // a stray .tmp file; harmless
        }
    }

    /** Whether children start from the AOT cache now (for describe()). */
    public synchronized String aotState() {
        return jar == null ? "off" : fresh() ? "on" : training ? "training" : "none";
    }

    private boolean fresh() {
        return fresh(cache, jar);
    }

    private List<String> with(String flag) {
        List<String> argv = new ArrayList<>(base);
        argv.add(1, flag);
        return argv;
    }

    // ---- the configuration on the command line ------------------------------------------------

    /**
     * Every setting ({@link Settings#ALL}) as {@code field=value}, in a form that loses nothing
     * ({@code Duration.toString}, a record's components): a setting declared there reaches children
     * unasked.
     */
    public static List<String> encode(ServerConfig config) {
        List<String> args = new ArrayList<>();
        try {
            for (Setting<?> s : Settings.ALL) {
                Object v = config.get(s);
                String text =
                        v instanceof Record r ? recordText(r) : v instanceof Enum<?> e ? e.name() : String.valueOf(v);
                args.add(s.field() + "=" + text);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return args;
    }

    /** The inverse of {@link #encode}. */
    public static ServerConfig decode(String[] args) {
        ServerConfig.Builder b = ServerConfig.builder();
        try {
            for (String arg : args) {
                int eq = arg.indexOf('=');
                Setting<?> s = eq < 0 ? null : Settings.byField(arg.substring(0, eq));
                if (s == null) {
                    throw new IllegalArgumentException("expected setting=value, got '" + arg + "'");
                }
                b.put(s, parse(s.type(), arg.substring(eq + 1)));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("bad child argument: " + e, e);
        }
        return b.build();
    }

    private static String recordText(Record r) throws ReflectiveOperationException {
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            parts.add(String.valueOf(c.getAccessor().invoke(r)));
        }
        return String.join(",", parts);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(Class<?> type, String text) throws ReflectiveOperationException {
        if (type == String.class) {
            return text;
        } else if (type == int.class || type == Integer.class) {
            return Integer.parseInt(text);
        } else if (type == long.class || type == Long.class) {
            return Long.parseLong(text);
        } else if (type == boolean.class || type == Boolean.class) {
            return Boolean.parseBoolean(text);
        } else if (type == Duration.class) {
            return Duration.parse(text);
        } else if (type.isEnum()) {
            return Enum.valueOf((Class<Enum>) type, text);
        } else if (type.isRecord()) {
            RecordComponent[] cs = type.getRecordComponents();
            String[] parts = text.split(",", -1);
            Object[] values = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                values[i] = parse(types[i], parts[i]);
            }
            return type.getDeclaredConstructor(types).newInstance(values);
        }
        throw new IllegalArgumentException("no child encoding for " + type);
    }

    /** For tests: the configuration's fields by name, to compare two configurations. */
    public static Map<String, String> fields(ServerConfig config) {
        Map<String, String> m = new TreeMap<>();
        for (String arg : encode(config)) {
            int eq = arg.indexOf('=');
            m.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return m;
    }
}
