package org.echolab.models;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.TreeChild;
import org.echolab.os.Libc;
import org.echolab.process.Resources;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * The one set-up of every child JVM of the process models ({@link ProcessChild}, {@link ProcessSpare},
 * {@link PreforkWorker}): the configuration its parent passed, its place in the tree, its
 * {@link EchoStack} wired to the tree, and what a child does when its parent goes or a thread it
 * cannot do without fails. Runs on the child's main thread; the exits may come from any thread.
 */
final class ChildSetup {

    private static final System.Logger LOG = System.getLogger(ChildSetup.class.getName());

    /** The exit status of a child program a person started: only a parent gives it a socket (the CLI's USAGE). */
    static final int NOT_FROM_A_PARENT = 2;

    private final ServerConfig config;
    private final TreeChild tree;
    private final CountDownLatch firstRequest = new CountDownLatch(1);

    private ChildSetup(ServerConfig config, TreeChild tree) {
        this.config = config;
        this.tree = tree;
    }

    /**
     * The first step of every child: its stderr in the parent's one log format (a {@code process}
     * child's stdout is its client's socket, which a stray print must not reach: it becomes a log
     * line too, as does a thread's uncaught failure), the configuration from the arguments
     * ({@link ChildJvm#encode}), and the tree the parent named. A program started without one was
     * started by hand: it says so and exits.
     */
    static ChildSetup read(Class<?> program, String[] args) {
        TreeChild tree = TreeChild.join();
        if (tree != null) {
            logEveryLine();
        }
        if (tree == null) {
            refuse(
                    program,
                    "is started by a process model's parent, with its configuration and a socket;"
                            + " people do not start it");
        }
        return new ChildSetup(fitBudget(ChildJvm.decode(args)), tree);
    }

    /** The parent's {@code --memory-budget}, held to what this child's own heap can hold ({@link Resources#childMemoryBudget}). */
    private static ServerConfig fitBudget(ServerConfig asked) {
        long heap = Runtime.getRuntime().maxMemory();
        long budget = Resources.childMemoryBudget(asked.memoryBudget, heap);
        if (budget == asked.memoryBudget) {
            return asked;
        }
        System.getLogger(ChildSetup.class.getName())
                .log(
                        System.Logger.Level.DEBUG,
                        "--memory-budget {0} bytes is more than a quarter of this child''s heap ({1} bytes): it holds at most {2}",
                        asked.memoryBudget,
                        heap,
                        budget);
        return asked.toBuilder().memoryBudget(budget).build();
    }

    ServerConfig config() {
        return config;
    }

    /**
     * This process's stack, as every server's but seen by the tree: its connections and requests
     * count in the tree's figures, and its {@code /health/ready} follows the parent's.
     *
     * @param modelStats     the child's own figures for its {@code /stats}
     * @param maxConnections connections this process may hold at once
     * @param maxPerClient   connections one client address may hold at once (0: no bound)
     */
    EchoStack assemble(Supplier<Map<String, Object>> modelStats, int maxConnections, int maxPerClient) {
        ServerState state = tree.counting(States.byName(config.state).create(config.raceWindow));
        EchoStack stack = EchoStack.assemble(config, state, modelStats, maxConnections, maxPerClient, tree.readiness());
        tree.report(stack.process(), firstRequest::countDown);
        return stack;
    }

    /**
     * Tells the tree this JVM is up: a {@code process} parent starts at most {@code --max-starting}
     * at once; a {@code prefork} worker says so once it accepts ({@code processTree.started}).
     */
    void started() {
        tree.started();
    }

    /** The tree as this child sees it, for its {@code /stats} under {@code processTree}. */
    Map<String, Object> treeFigures(String role) {
        return tree.figures(role);
    }

    /** Counted down when this process's first request is answered. */
    CountDownLatch firstRequest() {
        return firstRequest;
    }

    /**
     * Every line this JVM writes to {@code System.out} or {@code System.err} from now on (a stray
     * print, a stack trace printed by a library) becomes a record in the one log format, which
     * names this process ({@code [worker 4321]}); so does a thread's uncaught failure. The log's
     * own handler keeps the stderr it was made with (the child is started with {@code Logs$Config}).
     */
    private static void logEveryLine() {
        java.util.logging.LogManager.getLogManager(); // configured now (Logs$Config), with the real stderr
        System.setOut(new PrintStream(new LineLogger("stdout", Level.INFO), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new LineLogger("stderr", Level.WARNING), true, StandardCharsets.UTF_8));
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, failure) -> LOG.log(Level.ERROR, thread.getName() + " failed: " + failure, failure));
    }

    /** Bytes to log records, one a line, under logger {@code name}. A line stays in a buffer until its newline. */
    private static final class LineLogger extends OutputStream {
        private final System.Logger log;
        private final Level level;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineLogger(String name, Level level) {
            this.log = System.getLogger(name);
            this.level = level;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8).stripTrailing();
                line.reset();
                if (!text.isEmpty()) {
                    log.log(level, text);
                }
            } else {
                line.write(b);
            }
        }
    }

    // ---- how a child ends ------------------------------------------------------------------------

    /** A child program without what its parent gives it ({@code needs}): it says so and exits. */
    static void refuse(Class<?> program, String needs) {
        System.err.println("echolab: " + program.getName() + " " + needs);
        System.exit(NOT_FROM_A_PARENT);
    }

    /** A critical thread of a worker's model failed: exit now, loudly; the parent starts a new worker. */
    static void crashed(Thread thread, Throwable cause) {
        LOG.log(Level.ERROR, thread.getName() + " failed; exiting, the parent starts a new worker", cause);
        Runtime.getRuntime().halt(ModelContext.CRASHED);
    }

    /**
     * An orphaned worker would serve for ever: when the parent is gone, stop as on SIGTERM. It asks
     * the kernel ({@code getppid}), which needs no descriptor, so running out of them cannot make
     * it think so. Call it before the first accept: once clients hold every descriptor, FFM could
     * not even open libc.
     */
    void exitWithParent() {
        // the parent named on the board, not getppid() now: a parent killed while this JVM started has
        // left it to init already, and a watch that began with init as the parent would never end
        long parent = tree.parentPid();
        Thread.ofPlatform().name("echolab-parent-watch").daemon().start(() -> {
            while (Libc.getppid() == parent) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            parentGone("parent " + parent + " is gone");
        });
    }

    /** A worker's parent is gone ({@code why}): stop as on SIGTERM, on a thread of its own (exit waits for the drain). */
    static void parentGone(String why) {
        LOG.log(Level.WARNING, why + "; stopping");
        Thread.ofPlatform().name("echolab-exit").start(() -> System.exit(0));
    }
}
