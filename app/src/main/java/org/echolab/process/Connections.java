package org.echolab.process;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.echolab.protocol.Durations;
import org.echolab.state.ServerState;

/**
 * The open connections of this process, whichever model serves them: the {@code --max-connections}
 * slots, the {@code --max-per-client} counts, the open and peak gauges (kept in the shared
 * {@link ServerState}: counted open by {@link #admit} and closed by {@link #closed}, nowhere else),
 * the draining flag and the one graceful {@link #drain}. Thread-safe: acceptors admit, any thread
 * reports a close, the stopping thread drains.
 *
 * <p><b>Members.</b> A connection joins as a {@link Member}: what the drain and the deadline watch
 * need of it. A blocking model's connection may be closed by any thread, so the drain closes it
 * itself. A connection that only one thread may touch (an event loop's) names its {@link Owner},
 * and the drain asks the owner instead, which closes its members on its own thread.
 *
 * <p><b>Two faces.</b> Blocking: an accept thread takes one of the {@link #slots} before each
 * accept, so at the limit new clients wait in the kernel's backlog. Non-blocking (a selector or
 * Netty acceptor): {@link #tryTakeSlot} never waits. Either way the caller then {@link #admit}s the
 * connection, which never waits and takes the slot over: it goes back when the member is
 * {@link #closed}, or at once if {@code admit} turns the client away. A selector model's channel,
 * say: no slot, or not admitted, and the client is turned away
 * ({@code connection/Refusal.atAccept}, written on the channel, then a close); admitted, it is a
 * member whose owner is its event loop, and it reports {@code closed} once, when its channel closes.
 *
 * <p><b>The deadline watch</b>, for members without an owner (the blocking models'): one platform
 * thread ({@code echolab-deadline-watch}, started with the first such member, ended by
 * {@link #close}) calls each member's {@link Member#watchDeadlines} every {@value #WATCH_MILLIS} ms,
 * which ends a read or a write past its deadline. Java's blocking sockets have no write timeout at
 * all, so without it a client that never reads would hold its thread for ever; and their read
 * timeout ({@code SO_TIMEOUT}) costs every read a timer, where this costs it two volatile writes
 * (docs/performance.md). Timeouts fire up to {@value #WATCH_MILLIS} ms late. An
 * event loop keeps its members' deadlines on its own timers.
 */
public final class Connections {

    private static final System.Logger LOG = System.getLogger(Connections.class.getName());
    private static final long WATCH_MILLIS = 100;

    /**
     * How long a draining server waits before it closes connections that sit between requests: a
     * request the client sent just before the stop may still be on its way (on a loaded machine
     * even loopback delivery can lag), and arrives meanwhile to be served.
     */
    public static final Duration QUIET = Duration.ofMillis(100);

    /** One open connection, as the registry sees it. */
    public interface Member {

        /** The client's address, the key of the per-client counts. */
        String client();

        /**
         * The drain's move: closes the connection if it sits between requests with nothing waiting
         * to be read (a request the client sent before the stop is served). Called on the owner's
         * thread, if the member has one.
         */
        void closeIfIdle();

        /** The grace ran out: closes the connection now, abandoning a request in flight (members without an owner). */
        void closeNow();

        /** The deadline watch's move at {@code now} (nanoTime): ends a read or a write past its deadline. */
        default void watchDeadlines(long now) {}

        /** The one thread that may close this member (an event loop), or null: any thread may. */
        default Owner owner() {
            return null;
        }
    }

    /** Whoever alone may touch its members (an event loop): the drain asks it, and it acts on its own thread. */
    public interface Owner {

        /** Soon, on the owner's thread, {@link Member#closeIfIdle} on each of its members; returns at once. */
        void closeIdle();

        /**
         * The grace ran out: closes every member the owner still has, abandoning requests in flight,
         * and returns once they are closed, with how many had a request in flight. An event loop
         * ends with it: a loop busy with CPU work is ended only by an interrupt.
         */
        int closeAll() throws InterruptedException;
    }

    private final ServerState state;
    private final Semaphore slots;
    private final ClientCounts clients;
    private final Closes closes;
    private final Set<Member> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private Thread watch; // guarded by this
    private boolean closed; // guarded by this

    /**
     * {@code perClientLoopbackToo}: whether {@code maxPerClient} bounds loopback clients too (see
     * {@link ClientCounts}); {@code closes}: where each member's close is counted.
     */
    public Connections(
            ServerState state, int maxConnections, int maxPerClient, boolean perClientLoopbackToo, Closes closes) {
        this.state = state;
        this.closes = closes;
        this.slots = new Semaphore(maxConnections > 0 ? maxConnections : Integer.MAX_VALUE);
        this.clients = new ClientCounts(maxPerClient, perClientLoopbackToo);
    }

    /** The blocking face: the {@code --max-connections} slots, one taken before each accept. */
    public Semaphore slots() {
        return slots;
    }

    /** The non-blocking face: takes a {@code --max-connections} slot if one is free; false at the limit. Never waits. */
    public boolean tryTakeSlot() {
        return slots.tryAcquire();
    }

    /**
     * Admits {@code m}, whose slot the caller took: it counts as open, and under its client's
     * address. False if that address already holds {@code --max-per-client} connections: then
     * {@code m} is not admitted, its slot goes back, and the caller turns the client away (saying
     * {@link #perClientRefusal}) and closes it. Never waits.
     */
    public boolean admit(Member m) {
        if (!clients.open(m.client())) {
            slots.release();
            return false;
        }
        open.add(m);
        state.connectionOpened();
        LOG.log(Level.DEBUG, "{0}: connection opened ({1} open)", m.client(), open.size());
        if (m.owner() == null) {
            startWatch();
            if (draining) {
                m.closeIfIdle(); // admitted as the drain began: it closes as its peers did
            }
        }
        return true;
    }

    /** Why {@link #admit} turned a client away, for its answer. */
    public String perClientRefusal() {
        return clients.refusal();
    }

    /**
     * {@code m} has closed for {@code cause} ({@code why}, in words for the {@code -v} log): its slot
     * and its client's count go back, and the close is counted ({@link Closes});
     * {@code heldUnanswered}: it held a complete request none of whose answer was written.
     * Idempotent; nothing happens for a member that was never admitted.
     */
    public void closed(Member m, Closes.Cause cause, String why, boolean heldUnanswered) {
        if (open.remove(m)) {
            clients.close(m.client());
            state.connectionClosed();
            slots.release();
            String unanswered = closes.closed(cause, heldUnanswered) ? ", a request unanswered" : "";
            LOG.log(Level.DEBUG, "{0}: connection closed: {1}{2} ({3} open)", m.client(), why, unanswered, open.size());
        }
    }

    /** Whether the drain has begun: from then on every answer is its connection's last. */
    public boolean draining() {
        return draining;
    }

    /** Connections open now. */
    public int size() {
        return open.size();
    }

    /**
     * Graceful drain: after {@link #QUIET}, connections between requests close (unless a request
     * waits in the socket unread: it is served); those with a request in flight finish it (their
     * response says {@code Connection: close}) until {@code grace} runs out; then the rest are
     * closed, and the count is logged. Returns the number closed with a request in flight.
     */
    public int drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        draining = true; // from now on every answer says Connection: close
        Thread.sleep(QUIET); // a request sent just before the stop may still be on its way
        closeIdle();
        while (!open.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10); // each member closes as its last response goes out
            closeIdle(); // and one admitted meanwhile, or left with nothing to read, closes here
        }
        int forced = 0;
        Set<Owner> owners = new HashSet<>();
        for (Member m : open) {
            if (m.owner() == null) {
                m.closeNow();
                forced++;
            } else {
                owners.add(m.owner());
            }
        }
        for (Owner o : owners) {
            forced += o.closeAll();
        }
        if (forced > 0) {
            LOG.log(
                    Level.WARNING,
                    "grace of {0} ran out: closed {1} connection(s) with requests in flight",
                    Durations.format(grace),
                    forced);
        }
        return forced;
    }

    /** Closes the idle members without an owner here, and asks each owner to close its own. */
    private void closeIdle() {
        Set<Owner> owners = new HashSet<>();
        for (Member m : open) {
            if (m.owner() == null) {
                m.closeIfIdle();
            } else {
                owners.add(m.owner());
            }
        }
        owners.forEach(Owner::closeIdle);
    }

    /** Ends the deadline watch (after the drain). */
    public void close() {
        Thread w;
        synchronized (this) {
            closed = true;
            w = watch;
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startWatch() {
        if (watch == null && !closed) {
            // a daemon: a process model's child exits when its session ends, without a stop
            watch = Thread.ofPlatform().name("echolab-deadline-watch").daemon().start(this::watchDeadlines);
        }
    }

    private void watchDeadlines() {
        try {
            while (true) {
                Thread.sleep(WATCH_MILLIS);
                long now = System.nanoTime();
                for (Member m : open) {
                    m.watchDeadlines(now);
                }
            }
        } catch (InterruptedException e) {
            // close(): the server has stopped
        }
    }
}
