package org.echolab.process;

import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.state.ServerState;

/**
 * One process's ledger of requests: each request's life from its parse to its end (begun,
 * answered, then served, abandoned or refused) and each client turned away, in the one place every
 * model and protocol reports to. It numbers requests in the shared state, counts those in flight,
 * gives each its slot in {@link Activity}, writes its {@link AccessLog} line, counts refusals
 * by reason and connections closed by cause ({@link Closes}). The in-flight gauge is a measuring instrument, not the race lab's subject: it is
 * always correct (atomics), whichever {@code --state} variant counts the rest. Thread-safe.
 */
public final class Ledger implements AutoCloseable {

    /** A request whose answer is being decided: its number, and when it began. */
    public record Begun(long number, long nanos) {}

    /**
     * A request answered and not yet ended: its slot in {@link Activity} and what its access-log
     * line needs (null while the log is off, and for messages that are not logged).
     */
    public record Entry(Activity.Entry slot, Logged logged) {}

    /** What the access log writes of a reply: when its request arrived, its status (or a line's outcome), its size. */
    public record Logged(AccessLog.Arrival arrival, int status, long bodyBytes, long number) {}

    private final ServerState state;
    private final AccessLog accessLog;
    private final Activity activity = new Activity();
    private final Refusals refusals = new Refusals();
    private final Closes closes = new Closes();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger inFlightPeak = new AtomicInteger();

    public Ledger(ServerState state, AccessLog accessLog) {
        this.state = state;
        this.accessLog = accessLog;
    }

    /** A request was parsed: it is numbered and counts as in flight until {@link #done} or {@link #refused}. */
    public Begun begin() {
        long began = System.nanoTime();
        int now = inFlight.incrementAndGet();
        if (now > inFlightPeak.get()) { // a new peak is rare: no compare-and-set unless it is one
            inFlightPeak.accumulateAndGet(now, Math::max);
        }
        return new Begun(state.nextRequestNumber(), began);
    }

    /**
     * The answer to {@code begun} is decided: {@code what} names it in the live view (a path, or
     * {@code line}, {@code ws}, {@code udp}), {@code status} is its HTTP status or a line's outcome
     * ({@link Activity#LINE_OK}, {@link Activity#LINE_ERR}); {@code request} is its access-log
     * request text, or null for a message the log does not show.
     */
    public Entry answered(Begun begun, String what, int status, long waitMillis, String request, long bodyBytes) {
        Activity.Entry slot = activity.began(begun.nanos(), begun.number(), what, status, waitMillis);
        Logged logged = request == null || !accessLog.on()
                ? null
                : new Logged(accessLog.arrival(request), status, bodyBytes, begun.number());
        return new Entry(slot, logged);
    }

    /** Whether the access log is on: if not, {@link #answered} needs no request text (null will do). */
    public boolean logsRequests() {
        return accessLog.on();
    }

    /** The reply of {@code entry} was written ({@code written}) or abandoned: the request ends. */
    public void done(Entry entry, String client, boolean written) {
        activity.ended(entry.slot(), written);
        inFlight.decrementAndGet();
        if (written) {
            state.requestServed(client);
        }
        Logged l = entry.logged();
        if (l != null) {
            accessLog.replied(client, l.arrival(), l.status(), l.bodyBytes(), l.number(), written);
        }
    }

    /** The reply of {@code entry} was not sent: the budgets refused it and the client got a 503 instead. */
    public void refused(Entry entry, String client) {
        activity.ended(entry.slot(), false);
        inFlight.decrementAndGet();
        Logged l = entry.logged();
        if (l != null) {
            accessLog.refused(client, l.arrival().request(), l.status() >= 100 ? 503 : 0);
        }
    }

    /**
     * A client was turned away for {@code reason}, with {@code status} (503, or 0 for a TCP
     * connection's {@code ERR} line): counted by reason, logged, and written to the access log.
     */
    public void turnedAway(Refusals.Reason reason, String client, String why, int status) {
        refusals.count(reason, client, why);
        accessLog.refused(client, "-", status);
    }

    /**
     * The server answered a request it could not take ({@code status}: a bad request's, a timeout's
     * 408, or 0 for a TCP connection) and closed; {@code request} is what arrived of it, or {@code "-"}.
     */
    public void rejected(String client, String request, int status) {
        accessLog.refused(client, request, status);
    }

    /** Who served which request, and when: what the live view and {@code /metrics} read. */
    public Activity activity() {
        return activity;
    }

    /** The clients turned away, by reason. */
    public Refusals refusals() {
        return refusals;
    }

    /** The connections closed, by cause, and the requests left unanswered. */
    public Closes closes() {
        return closes;
    }

    /** Requests between their parse and their end, now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most requests in flight at once so far. */
    public int inFlightPeak() {
        return inFlightPeak.get();
    }

    /** Closes the access log. */
    @Override
    public void close() {
        accessLog.close();
    }
}
