package org.echolab.process;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Whether this server wants new work: what a load balancer's health check asks on
 * {@code /health/ready}. <em>Live</em> ({@code /health/live}) only says the process answers;
 * <em>ready</em> says "send me requests". A stop with {@code --drain-delay D} first makes the server
 * leave (ready turns off for good) and keeps serving for D, so the balancer's checks see 503 and
 * take it out of rotation before it stops accepting; only then does it drain.
 *
 * <p>In a process model the parent receives the signal but its children answer the checks, so a
 * child's readiness {@linkplain #following follows} its parent's, which the parent publishes in
 * shared memory from a {@link #whenLeaving} action.
 *
 * <p>Thread-safe: any thread may ask; the stopping thread leaves once; actions run on it.
 */
public final class Readiness {

    private final BooleanSupplier upstream;
    private final AtomicBoolean left = new AtomicBoolean();
    private final List<Runnable> onLeaving = new CopyOnWriteArrayList<>();

    /** A server's own readiness: ready until it {@linkplain #leave leaves}. */
    public Readiness() {
        this(() -> true);
    }

    private Readiness(BooleanSupplier upstream) {
        this.upstream = upstream;
    }

    /** A child process's readiness: ready while {@code parentReady} says its parent is. */
    public static Readiness following(BooleanSupplier parentReady) {
        return new Readiness(parentReady);
    }

    public boolean ready() {
        return !left.get() && upstream.getAsBoolean();
    }

    /** The server is on its way out: not ready from now on. The first call runs the actions. */
    public void leave() {
        if (left.compareAndSet(false, true)) {
            onLeaving.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} when this server leaves; register it before the server can stop (a model's start). */
    public void whenLeaving(Runnable action) {
        onLeaving.add(action);
    }
}
