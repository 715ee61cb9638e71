package org.echolab.connection;

import java.util.function.Consumer;

/**
 * A non-blocking connection's one deadline and the one timer that enforces it. The deadline moves
 * with every step (a read, a write's progress, a linger); the timer seldom does: a later deadline
 * keeps the timer already set, which re-arms itself when it fires early, and only an earlier one
 * replaces it (the old one, cancelled or superseded, does nothing when it fires). So a connection
 * that reads, answers and reads again sets no timer per request.
 *
 * <p><b>Threads:</b> not thread-safe: on the connection's loop, as its {@link NonBlockingSession}.
 */
final class DeadlineTimer {

    private final Transport transport;
    private final Deadlines deadlines;
    private final Consumer<Deadlines.Kind> expired;
    private long deadline; // nanoTime; 0: none (working)
    private Deadlines.Kind kind;
    private Transport.Timer timer; // due at timerAt; null: none
    private long timerAt;

    /** {@code expired}: what happens when a deadline passes, told its kind. */
    DeadlineTimer(Transport transport, Deadlines deadlines, Consumer<Deadlines.Kind> expired) {
        this.transport = transport;
        this.deadlines = deadlines;
        this.expired = expired;
    }

    /** A deadline of {@code kind} from now: its whole timeout. */
    void start(Deadlines.Kind kind) {
        set(deadlines.from(System.nanoTime(), kind), kind);
    }

    /** The deadline of the read {@code r} asks for: from when its phase began. */
    void read(Conversation.Read r, long now) {
        set(deadlines.read(r, now), r.kind());
    }

    void set(long at, Deadlines.Kind kind) {
        deadline = at;
        this.kind = kind;
        if (timer == null || at - timerAt < 0) {
            if (timer != null) {
                timer.cancel();
            }
            arm(at);
        }
    }

    /** No deadline while the connection works: the timer, if set, finds none when it fires. */
    void clear() {
        deadline = 0;
    }

    boolean isSet() {
        return deadline != 0;
    }

    /** The connection closed: no timer fires for it any more. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void arm(long at) {
        timerAt = at;
        timer = transport.schedule(at, () -> fired(at));
    }

    private void fired(long at) {
        if (timer == null || at != timerAt) {
            return; // cancelled, or superseded by an earlier timer
        }
        timer = null;
        if (deadline == 0) {
            return; // working: no deadline until reading or writing again
        }
        if (deadline - System.nanoTime() > 0) {
            arm(deadline); // the deadline moved on since this timer was set
            return;
        }
        expired.accept(kind);
    }
}
