package org.echolab.models.tree;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Descriptors;

/**
 * {@code process --spares N}: N single-use children started ahead of time, each waiting on a
 * Unix-domain socket for the one connection it will serve. The parent accepts, passes the
 * connection's descriptor to the oldest waiting spare (SCM_RIGHTS, {@link Descriptors}), closes its
 * own copy, and asks for a new spare behind it. The JVM start moves off the client's path; the
 * isolation stays: one process per connection, used once (Apache prefork with one connection per
 * child, PHP-FPM's {@code pm.max_requests=1}).
 *
 * <p>A spare's fd 0 is its end of the socket pair and fd 1 the parent's stderr; it receives the
 * connection, makes it its fd 0 and 1 and from there on is a {@code process} child like any
 * other. If the parent closes its end first (stop) the spare sees end of file and exits.
 *
 * <p><b>Threads:</b> {@link #handOff} on the accept thread; {@code echolab-spares} starts spares
 * (one per connection handed off, so the spawn never delays an accept); exits arrive on the reaper
 * thread. When connections come faster than spares start, {@link #handOff} waits for the next one
 * to be spawned, and the client waits with it: that wait is the figure to watch.
 */
public final class Spares implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Spares.class.getName());
    private static final int STOP = -1;

    /** Called on the reaper thread once a spare has exited; {@code served}: it had been given a connection. */
    @FunctionalInterface
    public interface Exit {
        void exited(int pid, int status, boolean served);
    }

    /** A started spare: its pid and the parent's end of its socket pair. */
    private record Spare(int pid, int channel) {}

    private final ChildJvm jvm;
    private final TreeBoard tree;
    private final int count;
    private final IntConsumer onStart;
    private final Exit onExit;
    private final BlockingQueue<Spare> waiting = new LinkedBlockingQueue<>(); // oldest first
    private final Map<Integer, Spare> unused = new ConcurrentHashMap<>(); // pid -> spare not yet given a connection
    private final Set<Integer> served = ConcurrentHashMap.newKeySet(); // pids that were given one
    private final BlockingQueue<Integer> toStart = new LinkedBlockingQueue<>(); // 0: now, 1: after a second, STOP
    private final Thread starter;
    private volatile boolean stopping;

    /**
     * Starts {@code count} spares of {@code jvm} and keeps that many waiting. {@code onStart} gets
     * each pid before it can exit; {@code onExit} is called once each is reaped.
     */
    public Spares(ChildJvm jvm, TreeBoard tree, int count, IntConsumer onStart, Exit onExit) {
        this.jvm = jvm;
        this.tree = tree;
        this.count = count;
        this.onStart = onStart;
        this.onExit = onExit;
        for (int i = 0; i < count; i++) {
            toStart.add(0);
        }
        this.starter = Thread.ofPlatform().name("echolab-spares").start(this::startSpares);
    }

    /** The starter thread: one spare per request, until stop. */
    private void startSpares() {
        while (true) {
            int delay;
            try {
                delay = toStart.take();
                if (delay == STOP) {
                    return;
                }
                if (delay == 1) {
                    Thread.sleep(1000); // the last one died unused: do not respawn in a tight loop
                }
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) {
                return;
            }
            try {
                startOne();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "could not start a spare ({0}); retrying in a second", e.getMessage());
                toStart.add(1);
            }
        }
    }

    private void startOne() throws IOException {
        int[] pair = Descriptors.socketPair(); // [parent's end, spare's end]
        ChildJvm.Launch launch = jvm.next(true);
        tree.spawning();
        try {
            ChildProcesses.spawn(
                    launch.argv(),
                    pair[1],
                    2,
                    pid -> {
                        Spare s = new Spare(pid, pair[0]);
                        unused.put(pid, s);
                        onStart.accept(pid);
                        waiting.add(s);
                    },
                    (pid, status) -> exited(pid, status, launch));
        } catch (IOException e) {
            tree.notSpawned();
            Descriptors.close(pair[0]);
            throw e;
        } finally {
            Descriptors.close(pair[1]); // the spare has its copy as fd 0
        }
    }

    /** On the reaper thread. */
    private void exited(int pid, int status, ChildJvm.Launch launch) {
        boolean gotConnection = served.remove(pid);
        Spare s = unused.remove(pid); // null too if a hand-off to it failed
        if (s != null) { // died before it was needed
            waiting.remove(s);
            Descriptors.close(s.channel());
            if (!stopping) {
                LOG.log(
                        Level.WARNING,
                        "spare {0} died unused ({1}); starting another",
                        Integer.toString(pid),
                        ChildProcesses.describe(status));
                toStart.add(1);
            }
        }
        tree.reaped();
        jvm.exited(launch, status);
        onExit.exited(pid, status, gotConnection);
    }

    /**
     * On the accept thread: passes connection {@code fd} to the oldest waiting spare and asks for
     * a new spare behind it; waits while none is waiting. Returns the spare's pid, or -1 when
     * stopping (the caller closes {@code fd} either way: the spare has its own copy).
     */
    public int handOff(int fd) throws InterruptedException {
        while (!stopping) {
            Spare s = waiting.poll(100, TimeUnit.MILLISECONDS);
            if (s == null) {
                continue; // spares cannot keep up: the client waits
            }
            if (unused.remove(s.pid()) == null) {
                continue; // it died meanwhile; the reaper cleans up
            }
            toStart.add(0); // a new spare behind it
            try {
                served.add(s.pid()); // before the send: the spare may exit at once
                Descriptors.send(s.channel(), fd);
                return s.pid();
            } catch (IOException e) {
                served.remove(s.pid());
                LOG.log(
                        Level.WARNING,
                        "could not pass a connection to spare {0} ({1}); trying the next",
                        Integer.toString(s.pid()),
                        e.getMessage());
            } finally {
                Descriptors.close(s.channel()); // used once: nothing more goes to it
            }
        }
        return -1;
    }

    /** Spares waiting now (for /stats). */
    public int waiting() {
        return waiting.size();
    }

    public int count() {
        return count;
    }

    /**
     * Stops starting spares and closes the parent's end of every waiting one's socket: each sees
     * end of file and exits. The caller then waits for them to be reaped.
     */
    @Override
    public void close() {
        stopping = true;
        toStart.add(STOP);
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Spare s; (s = waiting.poll()) != null; ) {
            if (unused.remove(s.pid()) != null) {
                Descriptors.close(s.channel());
            }
        }
    }
}
