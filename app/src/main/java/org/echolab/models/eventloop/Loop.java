package org.echolab.models.eventloop;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.connection.CloseReason;
import org.echolab.connection.Conversation;
import org.echolab.connection.NonBlockingSession;
import org.echolab.connection.Refusal;
import org.echolab.connection.Transport;
import org.echolab.process.Connections;
import org.echolab.process.Refusals;

/**
 * One selector loop: a platform thread that owns a {@link Selector}, a timer queue and every
 * connection given to it, for each connection's whole life (Netty's EventLoop, one nginx worker).
 *
 * <p><b>Threads:</b> everything here and in {@link LoopConnection} runs on this loop's thread,
 * so none of it needs a lock. Other threads reach a loop only through {@link #adopt} (the
 * acceptor hands over a connection), {@link #execute} (an offload worker hands back finished
 * work), the drain ({@link #closeIdle}, {@link #closeAll}) and the gauges; each queues a task and
 * wakes the selector.
 *
 * <p><b>Its connections</b> are members of the process's {@link Connections} registry (which counts
 * them, bounds them and drains them) with this loop as their {@linkplain Connections.Owner owner}:
 * the drain asks the loop, and the loop closes them on its own thread.
 *
 * <p><b>One turn of the loop:</b> run queued tasks, run due timers, then select with a timeout
 * that ends at the next timer's deadline, and handle the ready connections. Nothing in a turn may
 * block, or every connection of this loop waits: that is the rule {@code work=cpu} breaks when
 * it is not offloaded.
 *
 * <p><b>Failure:</b> one connection's failure closes that connection only. A failure of the loop
 * itself (an {@link Error} such as {@link OutOfMemoryError}, anywhere in a turn) closes the loop's
 * connections and is reported as the process's crash ({@link Shared#crash}): a loop that died
 * while the acceptor went on handing it connections would leave the process alive but deaf.
 */
public final class Loop implements Connections.Owner {

    private static final System.Logger LOG = System.getLogger(Loop.class.getName());

    /**
     * A deadline and what to do at it. A cancelled timer stays queued until its deadline, but lets
     * go of its action at once: a closed connection is not kept alive by the timer it had set.
     */
    private static final class Timer implements Comparable<Timer>, Transport.Timer {
        private final long deadline;
        private final long seq;
        private Runnable action; // null once cancelled

        private Timer(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public void cancel() {
            action = null;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0); // nanoTime values: compare by difference
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Shared shared;
    private final Selector selector;
    private final Thread thread;
    private final ByteBuffer readBuffer; // lent to one connection at a time
    private final NonBlockingSession.Context sessions; // what every session of this loop shares
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Set<LoopConnection> connections = new HashSet<>();
    private final AtomicInteger open = new AtomicInteger(); // connections.size() for other threads
    private volatile int pendingTimers;
    private long timerSeq;
    private boolean running = true;
    private int forceClosed; // read after join()
    private boolean ended; // shutdown() was called; guarded by this

    public Loop(String name, Shared shared) throws IOException {
        this.shared = shared;
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocate(Conversation.readBufferSize(shared.config().limits));
        this.sessions = shared.session();
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    // ---- entry points for other threads ------------------------------------------------------

    /**
     * Takes an accepted connection, whose {@code --max-connections} slot the caller holds (the
     * acceptor's thread): admits it to the registry and hands it to this loop's thread, which owns
     * it from then on. False if its address is at {@code --max-per-client}: then its client is
     * turned away here ({@link Refusal}), while the channel still blocks, and it never reaches the loop.
     */
    public boolean adopt(SocketChannel channel) {
        LoopConnection c = new LoopConnection(this, channel, shared);
        Connections connections = shared.connections();
        if (!connections.admit(c)) {
            Refusal.refuse(
                    channel.socket(),
                    shared.config(),
                    shared.process().ledger(),
                    Refusals.Reason.PER_CLIENT,
                    c.client(),
                    connections.perClientRefusal());
            return false;
        }
        execute(() -> register(c));
        return true;
    }

    /** Runs {@code task} on this loop's thread, soon (any thread). */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup(); // a wakeup before select() makes the next select() return at once
    }

    /** Connections this loop owns now (any thread). */
    public int openConnections() {
        return open.get();
    }

    public int pendingTimers() {
        return pendingTimers;
    }

    /** The drain (any thread): this loop closes its connections that sit between requests. */
    @Override
    public void closeIdle() {
        execute(() -> new ArrayList<>(connections).forEach(LoopConnection::closeIfIdle));
    }

    /** The drain's grace ran out (any thread): the loop ends, closing what it still owns ({@link #shutdown}). */
    @Override
    public int closeAll() throws InterruptedException {
        return shutdown();
    }

    /**
     * Ends the loop (any thread; again, nothing more): connections still open are closed, with
     * their requests in flight abandoned. Blocks until the loop's thread has ended; returns how
     * many had a request in flight.
     */
    public int shutdown() throws InterruptedException {
        synchronized (this) {
            if (!ended) {
                ended = true;
                execute(() -> running = false);
                thread.interrupt(); // work=cpu on the loop (no --offload) is abandoned at its next slice
            }
        }
        thread.join();
        return forceClosed;
    }

    // ---- the loop's own thread ---------------------------------------------------------------

    private void run() {
        Throwable failure = null;
        try {
            while (running) {
                runTasks();
                runTimers();
                long timeout = millisToNextTimer();
                if (!running) {
                    break;
                }
                if (timeout == 0) {
                    selector.selectNow(this::ready);
                } else {
                    selector.select(this::ready, timeout < 0 ? 0 : timeout); // 0: no timer, wait for I/O or a task
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            if (failure == null) {
                runTasks(); // adopt what the acceptor handed over last, so it is closed too
            }
            for (LoopConnection c : new ArrayList<>(connections)) {
                if (c.forceClose()) {
                    forceClosed++;
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing registered any more
            }
        }
        if (failure != null && running) {
            shared.crash().accept(failure); // the process must not go on with a dead loop
        }
    }

    private void register(LoopConnection c) {
        try {
            SocketChannel channel = c.channel();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.registered(channel.register(selector, SelectionKey.OP_READ, c));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "could not register a new connection: {0}", e.toString());
            c.close(CloseReason.failure(e));
            return;
        }
        connections.add(c);
        open.incrementAndGet();
        try {
            c.start();
        } catch (IOException | RuntimeException e) {
            c.fail(e);
        }
    }

    /** What every session of this loop shares (one object, not one per connection). */
    NonBlockingSession.Context sessions() {
        return sessions;
    }

    /** The buffer every connection of this loop reads into; see {@link LoopConnection#settleInput}. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Called by a connection as it closes. */
    void closed(LoopConnection c) {
        if (connections.remove(c)) {
            open.decrementAndGet();
        }
    }

    private void ready(SelectionKey key) {
        LoopConnection c = (LoopConnection) key.attachment();
        try {
            if (key.isValid() && key.isWritable()) {
                c.onWritable();
            }
            if (key.isValid() && key.isReadable()) {
                c.onReadable();
            }
        } catch (IOException | RuntimeException e) {
            c.fail(e); // one connection's failure never ends the loop
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "task on " + thread.getName() + " failed", e);
            }
        }
    }

    /** Arms a timer; {@code action} runs on this loop at or soon after {@code deadline} (nanoTime), unless cancelled. */
    Transport.Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(deadline, timerSeq++, action);
        timers.add(t);
        pendingTimers = timers.size();
        return t;
    }

    /** Queued timers that still hold an action (not cancelled); for tests. */
    int armedTimers() {
        return (int) timers.stream().filter(t -> t.action != null).count();
    }

    private void runTimers() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            Runnable action = t.action;
            if (action == null) {
                continue; // cancelled
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "timer on " + thread.getName() + " failed", e);
            }
        }
        pendingTimers = timers.size();
    }

    /** -1: no timer; 0: one is due (or a task is queued); else whole milliseconds, rounded up. */
    private long millisToNextTimer() {
        if (!tasks.isEmpty()) {
            return 0;
        }
        Timer t = timers.peek();
        if (t == null) {
            return -1;
        }
        long nanos = t.deadline - System.nanoTime();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }
}
