package org.echolab.os;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Spawns child processes and reaps them: the JVM's part of what {@code fork()}, {@code exec()} and
 * a SIGCHLD handler do for a C server.
 *
 * <p>Children started with {@code posix_spawn} are not {@link Process} objects, so nothing in the
 * JDK reaps them: each would stay a zombie after it exits. {@code ProcessHandle.onExit()} notices
 * the exit but does not reap, and SIGCHLD cannot be ignored (the JDK resets it). So one reaper
 * thread, {@code echolab-reaper}, waits for any child to exit <em>without</em> reaping it
 * ({@code waitid(WNOWAIT)}), then reaps it with {@code waitpid(pid)} only if this class spawned
 * it. The JVM's own {@code java.lang.Process} children are left to the JDK, which reaps each by
 * its pid; were this thread to reap them, their exit status would be lost.
 *
 * <p><b>Threads:</b> {@link #spawn} from any thread; the reaper thread runs while any child is
 * alive and calls each child's exit callback; it ends when the last one is reaped and starts
 * again with the next spawn. One registry per JVM, so models started side by side (as in tests)
 * never reap each other's children.
 */
public final class ChildProcesses {

    private static final System.Logger LOG = System.getLogger(ChildProcesses.class.getName());

    // Guards both: a spawn registers its pid before the reaper can look it up, so a pid the
    // reaper does not find is truly someone else's.
    private static final Object LOCK = new Object();
    private static final Map<Integer, ExitHandler> WATCHED = new HashMap<>();
    private static Thread reaper;

    private ChildProcesses() {}

    /** Called on the reaper thread once a child has exited and been reaped. */
    @FunctionalInterface
    public interface ExitHandler {
        /** {@code status}: the raw wait status, or -1 if someone else reaped the child. */
        void exited(int pid, int status);
    }

    /**
     * Stops a set of children as a server stops its workers: SIGTERM to each (each drains), then
     * waits until the reaper has removed every one from {@code live} (the caller's live set, which
     * its exit callbacks empty) for {@code grace} plus 5 s; SIGKILL to what is left, and 5 s more.
     * Says in the log what it had to kill and what it could not reap.
     */
    public static void stopAll(Collection<Integer> live, Duration grace) throws InterruptedException {
        live.forEach(pid -> Libc.kill(pid, Libc.SIGTERM));
        if (!awaitEmpty(live, grace.plusSeconds(5))) {
            LOG.log(Level.WARNING, "{0} child(ren) still running after the grace; killing them", live.size());
            live.forEach(pid -> Libc.kill(pid, Libc.SIGKILL));
            if (!awaitEmpty(live, Duration.ofSeconds(5))) {
                LOG.log(Level.ERROR, "{0} child(ren) not reaped 5 s after SIGKILL", live.size());
            }
        }
    }

    private static boolean awaitEmpty(Collection<Integer> live, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!live.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return live.isEmpty();
    }

    /**
     * Starts {@code argv} (argv[0] is an absolute path) with {@code stdin} as its fd 0 and
     * {@code stdout} as its fd 1; it inherits fd 2 and nothing else. Calls {@code onStart} with
     * the pid before the reaper can see the child (so the caller's bookkeeping never sees an exit
     * before its start), and {@code onExit} with the pid and raw wait status on the reaper thread
     * once the child has exited and been reaped.
     */
    public static int spawn(List<String> argv, int stdin, int stdout, IntConsumer onStart, ExitHandler onExit)
            throws IOException {
        Libc.unsupportedReason().ifPresent(why -> {
            throw new UnsupportedOperationException(why);
        });
        synchronized (LOCK) {
            int pid = Libc.spawn(argv.toArray(String[]::new), stdin, stdout);
            WATCHED.put(pid, onExit);
            onStart.accept(pid);
            if (reaper == null) {
                reaper = Thread.ofPlatform().name("echolab-reaper").daemon().start(ChildProcesses::reap);
            }
            return pid;
        }
    }

    /**
     * Starts {@code argv} as {@link #spawn} does, but leaves the reaping to the caller, with
     * {@link #tryReap}: for the lab, where reaping is the student's part of the work. A child
     * started this way that is never reaped stays a zombie until this process exits.
     */
    public static int spawnUnreaped(List<String> argv, int stdin, int stdout) throws IOException {
        Libc.unsupportedReason().ifPresent(why -> {
            throw new UnsupportedOperationException(why);
        });
        return Libc.spawn(argv.toArray(String[]::new), stdin, stdout);
    }

    /**
     * {@code waitpid(pid, WNOHANG)}: reaps {@code pid} if it has exited and returns its raw wait
     * status; {@link Integer#MIN_VALUE} while it still runs.
     */
    public static int tryReap(int pid) {
        return Libc.tryReap(pid);
    }

    /** The children spawned here that have not been reaped yet. */
    public static int live() {
        synchronized (LOCK) {
            return WATCHED.size();
        }
    }

    private static void reap() {
        while (true) {
            synchronized (LOCK) {
                if (WATCHED.isEmpty()) { // nothing left to reap: end; the next spawn restarts us
                    reaper = null;
                    return;
                }
            }
            int pid = Libc.awaitExitedChild(); // blocks outside the lock, so spawns go on meanwhile
            if (pid < 0) {
                continue; // interrupted by a signal
            }
            if (pid == 0) { // no children at all: ours were reaped by someone else
                sweep(true);
                continue;
            }
            ExitHandler onExit;
            synchronized (LOCK) {
                onExit = WATCHED.remove(pid);
            }
            if (onExit != null) {
                exited(pid, Libc.reap(pid), onExit);
            } else {
                // Not ours: a java.lang.Process the JDK is about to reap. waitid would report the
                // same zombie until then, so reap ours by pid meanwhile and give the JDK a moment.
                sweep(false);
                sleep(1);
            }
        }
    }

    /** Reaps, by pid, each of our children that has exited ({@code gone}: treat all as gone). */
    private static void sweep(boolean gone) {
        Map<Integer, ExitHandler> snapshot;
        synchronized (LOCK) {
            snapshot = new HashMap<>(WATCHED);
        }
        snapshot.forEach((pid, onExit) -> {
            int status = gone ? -1 : Libc.tryReap(pid);
            if (status != Integer.MIN_VALUE) {
                synchronized (LOCK) {
                    WATCHED.remove(pid);
                }
                exited(pid, status, onExit);
            }
        });
    }

    private static void exited(int pid, int status, ExitHandler onExit) {
        try {
            onExit.exited(pid, status);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "exit callback for child " + pid + " failed", e);
        }
    }

    /** A wait status in words: "exit 0", "signal 9". */
    public static String describe(int status) {
        return Libc.describeStatus(status);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
