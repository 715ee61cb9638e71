package org.echolab.lab;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.connection.Connection;
import org.echolab.connection.Refusal;
import org.echolab.models.EchoStack;
import org.echolab.models.ProcessChild;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;
import org.echolab.process.Connections;
import org.echolab.process.Refusals;

/**
 * What the lab gives you, so that you write only how connections are handed out. It is CS:APP's
 * {@code open_listenfd} and {@code echo(connfd)} for a Java server, plus, for a process per client,
 * the three calls of {@code echoserverp.c}: {@code Fork}, {@code Close(connfd)} and {@code waitpid}.
 *
 * <ul>
 * <li>{@link #accept()} waits for the next client and returns its connection (for threads);
 *     {@link #acceptDescriptor()} returns it as a file descriptor, which a child process can
 *     inherit (for processes). Both return {@code null} once the server is stopping: that ends
 *     your accept loop.</li>
 * <li>{@link #echo(Connection)} is the shared echo session: it reads a request, waits as asked,
 *     echoes, and repeats until the client is done; then it closes the connection. Whichever
 *     thread calls it is busy for the whole conversation.</li>
 * <li>{@link #fork(Descriptor)} starts a child process (a new JVM) that runs the same echo session
 *     on that client, then exits. {@link Descriptor#close()} closes the parent's copy.
 *     {@link #waitForChild()} reaps one child that has exited. Nothing reaps for you.</li>
 * </ul>
 *
 * <p><b>Threads:</b> every method may be called from any thread.
 */
public final class Lab {

    /**
     * Your model: a class with a public constructor that takes a {@link Lab}. EchoLab calls
     * {@link #run()} once on its accept thread when the server starts, and {@link #stop()} once,
     * after {@code run()} has returned, when the server stops.
     */
    public interface Model {

        /** Your accept loop: runs until an accept returns {@code null} (the server is stopping). */
        void run() throws Exception;

        /** The server is stopping and your accept loop has returned: end what you started. */
        void stop() throws Exception;
    }

    /** An accepted connection as a file descriptor (a number the kernel gave this process). */
    public final class Descriptor implements AutoCloseable {
        private final int fd;
        private boolean closed;

        private Descriptor(int fd) {
            this.fd = fd;
        }

        /** The number, as {@code ls -l /proc/PID/fd} shows it. */
        public int number() {
            return fd;
        }

        /**
         * Closes this process's copy of the connection ({@code Close(connfd)}). A child started
         * with {@link #fork} has a copy of its own; the client sees the connection close only when
         * every copy is closed.
         */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Libc.close(fd);
                descriptorsOpen.decrementAndGet();
            }
        }
    }

    private final EchoStack stack;
    private final boolean processes;
    private final ServerSocket threadListener; // when serving from threads
    private final ListeningSocket processListener; // when serving from processes
    private final AtomicInteger sessionsActive = new AtomicInteger();
    private final AtomicInteger sessionsPeak = new AtomicInteger();
    private final AtomicInteger descriptorsOpen = new AtomicInteger();
    private final Set<Integer> children = ConcurrentHashMap.newKeySet(); // forked, not yet reaped
    private final AtomicInteger forked = new AtomicInteger();
    private final AtomicInteger reaped = new AtomicInteger();
    private TreeBoard tree; // processes only
    private ChildJvm childJvm;
    private volatile boolean stopping;

    Lab(EchoStack stack, ServerSocket threadListener, ListeningSocket processListener) throws IOException {
        this.stack = stack;
        this.threadListener = threadListener;
        this.processListener = processListener;
        this.processes = processListener != null;
        if (processes) {
            tree = TreeBoard.create(stack.process());
            childJvm = new ChildJvm(ProcessChild.class, stack.config(), tree);
        }
    }

    // ---- the knobs ---------------------------------------------------------------------------

    /** {@code --threads}: how many worker threads a pool should have. */
    public int threads() {
        return stack.config().threads;
    }

    /** {@code --queue}: how many connections a pool's queue should hold. */
    public int queue() {
        return stack.config().queue;
    }

    /** {@code --grace}: how long requests in flight may take to finish when the server stops. */
    public Duration grace() {
        return stack.config().grace;
    }

    // ---- threads -----------------------------------------------------------------------------

    /**
     * Waits for the next client and returns its connection, or {@code null} once the server is
     * stopping. At {@code --max-connections} open connections it waits before accepting, so new
     * clients wait in the kernel's backlog; a client whose address holds {@code --max-per-client}
     * connections already is turned away here, as every model does, and never returned.
     */
    public Connection accept() {
        requireListener(false);
        Connections connections = stack.connections();
        while (!stopping) {
            try {
                if (!connections.slots().tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            Socket socket;
            try {
                socket = threadListener.accept();
            } catch (IOException e) {
                connections.slots().release();
                if (!stopping) {
                    pause(); // e.g. out of descriptors: try again soon
                }
                continue;
            }
            Connection c = new Connection(socket, connections);
            if (connections.admit(c)) {
                return c;
            }
            Refusal.refuse(
                    socket,
                    stack.config(),
                    stack.process().ledger(),
                    Refusals.Reason.PER_CLIENT,
                    c.client(),
                    connections.perClientRefusal());
        }
        return null;
    }

    /**
     * The shared echo session on {@code client}, on the calling thread, until the client is done
     * (or the server stops); then closes it. Never throws.
     */
    public void echo(Connection client) {
        sessionsPeak.accumulateAndGet(sessionsActive.incrementAndGet(), Math::max);
        try {
            stack.session().serve(client);
        } finally {
            sessionsActive.decrementAndGet();
        }
    }

    /** Refuses {@code client} (HTTP 503 with the reason, or an ERR line under {@code --protocol tcp}) and closes it. */
    public void refuse(Connection client, String why) {
        try {
            Refusal.refuse(
                    client.socket(),
                    stack.config(),
                    stack.process().ledger(),
                    Refusals.Reason.FULL,
                    client.client(),
                    why);
        } finally {
            client.close();
        }
    }

    // ---- processes ---------------------------------------------------------------------------

    /**
     * Waits for the next client and returns its connection as a descriptor, or {@code null} once
     * the server is stopping. Close it when you are done with it: every descriptor left open
     * stays open in this process.
     */
    public Descriptor acceptDescriptor() {
        requireListener(true);
        while (!stopping) {
            try {
                int fd = processListener.accept(100); // polls, so that a stop is seen
                if (fd >= 0) {
                    descriptorsOpen.incrementAndGet();
                    return new Descriptor(fd);
                }
            } catch (IOException e) {
                pause();
            }
        }
        return null;
    }

    /**
     * {@code Fork}: starts a child process, a new JVM, whose standard input and output are
     * {@code client}; it serves that client with the shared echo session and exits. Returns the
     * child's process id. The parent still holds its own copy of {@code client}: close it.
     *
     * @throws IOException if the child cannot be started (out of processes or memory)
     */
    public int fork(Descriptor client) throws IOException {
        tree.spawning();
        try {
            int pid = ChildProcesses.spawnUnreaped(childJvm.next(false).argv(), client.fd, client.fd);
            children.add(pid);
            forked.incrementAndGet();
            return pid;
        } catch (IOException e) {
            tree.notSpawned();
            throw e;
        }
    }

    /**
     * {@code waitpid}: waits until one of the children started with {@link #fork} has exited,
     * reaps it (its zombie goes away) and returns its process id. Returns -1 when the server is
     * stopping and no child is left. Until a child is reaped, it stays a zombie (state Z in
     * {@code ps}) however long ago it exited.
     */
    public int waitForChild() throws InterruptedException {
        while (true) {
            for (int pid : children) {
                if (ChildProcesses.tryReap(pid) != Integer.MIN_VALUE) { // exited (and reaped now), or gone
                    children.remove(pid);
                    reaped.incrementAndGet();
                    tree.reaped();
                    return pid;
                }
            }
            if (stopping && children.isEmpty()) {
                return -1;
            }
            Thread.sleep(10); // polls: a C server would be woken by SIGCHLD instead
        }
    }

    /**
     * Asks every child not yet reaped to finish: each answers the request it is serving, then
     * exits. Returns once all of them are reaped (by you, with {@link #waitForChild}) or
     * {@link #grace()} plus a few seconds have passed; then it kills those still running.
     */
    public void finishChildren() throws InterruptedException {
        long deadline = System.nanoTime()
                + grace().plus(stack.config().headerTimeout).plusSeconds(5).toNanos();
        for (int tick = 0; !children.isEmpty() && System.nanoTime() - deadline < 0; tick++) {
            if (tick % 10 == 0) {
                children.forEach(pid -> Libc.kill(pid, Libc.SIGWINCH)); // a child drains on SIGWINCH
            }
            Thread.sleep(10);
        }
        children.forEach(pid -> Libc.kill(pid, Libc.SIGKILL));
    }

    // ---- for the server around the model -----------------------------------------------------

    boolean servesProcesses() {
        return processes;
    }

    /** Ends every accept: the model's accept loop sees {@code null}. */
    void stopAccepting() {
        stopping = true;
        try {
            if (processes) {
                processListener.close();
            } else {
                threadListener.close();
            }
        } catch (IOException ignored) {
            // already closed
        }
    }

    int sessionsActive() {
        return sessionsActive.get();
    }

    int sessionsPeak() {
        return sessionsPeak.get();
    }

    int descriptorsOpen() {
        return descriptorsOpen.get();
    }

    /** Children forked and not yet reaped (live, or zombies). */
    Set<Integer> unreaped() {
        return Set.copyOf(children);
    }

    int forked() {
        return forked.get();
    }

    int reaped() {
        return reaped.get();
    }

    TreeBoard tree() {
        return tree;
    }

    /** After the model's stop: kill and reap what it left, so that nothing outlives the server. */
    void cleanUp() {
        for (int pid : children) {
            Libc.kill(pid, Libc.SIGKILL);
            for (int i = 0; i < 100 && ChildProcesses.tryReap(pid) == Integer.MIN_VALUE; i++) {
                pause10();
            }
            children.remove(pid);
        }
        if (tree != null) {
            tree.close();
        }
    }

    EchoStack stack() {
        return stack;
    }

    private void requireListener(boolean forProcesses) {
        if (forProcesses != processes) {
            throw new IllegalStateException(
                    processes
                            ? "this model serves from processes: use acceptDescriptor(), not accept()"
                            : "this model serves from threads: use accept(), not acceptDescriptor()");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause10() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
