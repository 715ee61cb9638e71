package org.echolab.models;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The accept loop of every model that accepts in its own process: take a slot, accept, hand the
 * connection over; repeat until stopped. One platform thread, {@code echolab-accept}, runs it.
 *
 * <p>The slot is taken <em>before</em> accepting, so when the slots run out (open connections at
 * {@code --max-connections}, a pool's places, children at {@code --max-children}) new clients wait in the kernel's
 * accept backlog, not in the server. The slot goes back when the connection (or child) ends, or at
 * once if the accept fails. A failing accept (e.g. EMFILE, out of descriptors) backs off for
 * 100 ms instead of spinning, and its warning is logged at most once per {@value #WARN_EVERY_SECONDS} s.
 *
 * <p><b>Failure:</b> anything but an I/O error of the accept (an {@link Error}, a bug in a hand-off)
 * ends the loop and is reported to {@link ModelContext.Crash}: a process that no longer accepts
 * must not stay alive looking as if it did.
 *
 * @param <C> what an accept yields: a socket, a channel, a descriptor
 */
final class AcceptLoop<C> {

    /** One accept: blocks (or polls) for the next connection; null if none came in time. */
    @FunctionalInterface
    public interface Source<C> {
        C accept() throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(AcceptLoop.class.getName());
    private static final long WARN_EVERY_SECONDS = 10;

    static {
        // The first log line reads the time-zone data from a file: read it now, while descriptors are
        // free, not in the middle of EMFILE, where the failure would kill the accept thread.
        ZoneId.systemDefault().getRules();
    }

    private final List<Semaphore> permits;
    private final Semaphore idle; // null: none; else accept only while it has a permit free (not taken)
    private final Source<C> source;
    private final Consumer<C> handOff;
    private final ModelContext.Crash crash;
    private final Thread thread;
    private volatile boolean stopping;
    private long lastWarning; // nanoTime; accept thread only
    private int suppressed; // warnings not logged since then

    private AcceptLoop(
            String name,
            List<Semaphore> permits,
            Semaphore idle,
            Source<C> source,
            Consumer<C> handOff,
            ModelContext.Crash crash) {
        this.permits = permits;
        this.idle = idle;
        this.source = source;
        this.handOff = handOff;
        this.crash = crash;
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    /**
     * Starts accepting on a new thread. Before each accept it takes one permit of each of
     * {@code permits}, in order; {@code handOff} runs on the accept thread and owns them. A
     * failure of the thread goes to {@code crash}.
     */
    public static <C> AcceptLoop<C> start(
            List<Semaphore> permits, Source<C> source, Consumer<C> handOff, ModelContext.Crash crash) {
        return start("echolab-accept", permits, source, handOff, crash);
    }

    /** As above, on a thread called {@code name} (where several threads accept, as in {@code prethread}). */
    public static <C> AcceptLoop<C> start(
            String name, List<Semaphore> permits, Source<C> source, Consumer<C> handOff, ModelContext.Crash crash) {
        AcceptLoop<C> loop = new AcceptLoop<>(name, List.copyOf(permits), null, source, handOff, crash);
        loop.thread.start();
        return loop;
    }

    /**
     * As {@link #start}, but also accepting only while {@code idle} has a permit free, without
     * taking it: a model whose connections take a worker's place later (after their request head,
     * {@link HeadGate}) stops accepting while every place is taken, so that the kernel gives new
     * connections to another process accepting on the same socket, or keeps them in the backlog.
     */
    public static <C> AcceptLoop<C> startWhileIdle(
            List<Semaphore> permits, Semaphore idle, Source<C> source, Consumer<C> handOff, ModelContext.Crash crash) {
        AcceptLoop<C> loop = new AcceptLoop<>("echolab-accept", List.copyOf(permits), idle, source, handOff, crash);
        loop.thread.start();
        return loop;
    }

    private void run() {
        try {
            acceptUntilStopped();
        } catch (InterruptedException e) {
            // a forced stop
        } catch (RuntimeException | Error e) {
            if (!stopping) {
                crash.crashed(thread, e);
            }
        }
    }

    private void acceptUntilStopped() throws InterruptedException {
        while (!stopping) {
            if (idle != null && !placeFree()) {
                continue; // every place taken: new clients wait in the backlog (or go to another worker)
            }
            if (!acquire()) {
                continue; // no slot: clients wait in the backlog; look at stopping again
            }
            C accepted;
            try {
                accepted = source.accept();
            } catch (IOException e) {
                release(permits.size());
                if (stopping) {
                    break; // stop() closed the listener under us
                }
                warn(e);
                Thread.sleep(100);
                continue;
            }
            if (accepted == null) {
                release(permits.size()); // a polling source found nothing this time
                continue;
            }
            handOff.accept(accepted);
        }
    }

    /**
     * Waits until {@code idle} has a permit free, without keeping it (the connection takes its place
     * later); false after 100 ms without one, so that a stop is seen.
     */
    private boolean placeFree() throws InterruptedException {
        if (!idle.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            return false;
        }
        idle.release();
        return true;
    }

    /** One permit of each, polling so that a stop is seen; all or none. */
    private boolean acquire() throws InterruptedException {
        for (int i = 0; i < permits.size(); i++) {
            if (!permits.get(i).tryAcquire(100, TimeUnit.MILLISECONDS)) {
                release(i);
                return false;
            }
        }
        return true;
    }

    private void release(int taken) {
        for (int i = 0; i < taken; i++) {
            permits.get(i).release();
        }
    }

    private void warn(IOException e) {
        long now = System.nanoTime();
        if (lastWarning != 0 && now - lastWarning < TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS)) {
            suppressed++;
            return;
        }
        try {
            LOG.log(
                    Level.WARNING,
                    "accept failed: {0}; retrying every 100 ms{1}",
                    e.toString(),
                    suppressed == 0 ? "" : " (" + suppressed + " more failures since the last warning)");
        } catch (RuntimeException logFailed) {
            // out of descriptors, even a log line may fail; accepting matters more
        }
        lastWarning = now;
        suppressed = 0;
    }

    /**
     * Stops accepting: no connection is handed over once the current hand-off (if any) returns.
     * {@code unblock} wakes a source that blocks in accept (closes its listener); a polling source
     * needs nothing ({@code () -> {}}) and sees the stop within its poll. Does not wait: see {@link #join}.
     */
    public void stop(Closeable unblock) {
        stopping = true;
        try {
            unblock.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Interrupts the accept thread: under {@code sequential} it runs a session, whose work a forced stop abandons. */
    public void interrupt() {
        thread.interrupt();
    }

    /** Waits for the accept thread to end (after {@link #stop}; under {@code sequential} it ends its last session first). */
    public void join() throws InterruptedException {
        thread.join();
    }
}
