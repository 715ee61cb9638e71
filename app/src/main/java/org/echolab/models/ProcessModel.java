package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Conversation;
import org.echolab.connection.Refusal;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.DescriptorGate;
import org.echolab.models.tree.Spares;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;
import org.echolab.process.Ledger;
import org.echolab.process.Refusals;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.ProtocolDetector.Protocol;

/**
 * {@code process}: a new process per connection, the way inetd and a forking C server work (UNP's
 * "one fork per client", CS:APP's {@code echoserverp.c}), with a JVM as the process.
 *
 * <p><b>Processes and threads:</b> in the parent, {@code echolab-accept} accepts; once a
 * connection's request head is whole, {@code echolab-head-gate} spawns a child JVM
 * ({@link ProcessChild}, or passes it to a waiting {@link ProcessSpare}) whose fds 0 and 1 are the
 * connection, and closes its own copy. The child serves the connection on its main thread and
 * exits; the parent's reaper reaps it. At most {@code --max-children} live at once.
 *
 * <p><b>Cost:</b> a JVM start per connection, about 100 ms and 0.25 s of CPU before the first
 * byte, and some 33 MiB of PSS per open connection; spares take the start off the client's path.
 * Linux only. docs/process-models.md has the why of each step, and the figures.
 */
public final class ProcessModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(ProcessModel.class.getName());

    private final ServerConfig config;
    private final int maxChildren;
    private final Semaphore slots; // one per child that may live
    private final Set<Integer> children = ConcurrentHashMap.newKeySet();
    private final Set<Integer> starting = ConcurrentHashMap.newKeySet(); // spawned, JVM not up yet
    private final AtomicInteger startingPeak = new AtomicInteger();
    private final LongAdder goneBeforeSpawn = new LongAdder(); // clients gone before a child was theirs
    private long startedCursor; // gate thread only: notes read on the board
    private ListeningSocket listener;
    private TreeBoard tree;
    private Ledger ledger; // the clients turned away are counted and logged here
    private ChildJvm jvm;
    private Spares spares; // null: a child is spawned per connection
    private AcceptLoop<Integer> acceptLoop;
    private DescriptorGate gate;
    private final Semaphore gateRooms; // connections the gate may hold: --max-connections

    public ProcessModel(ServerConfig config) {
        this.config = config;
        this.maxChildren = Math.min(config.maxChildren, config.connectionLimit());
        this.slots = new Semaphore(maxChildren);
        this.gateRooms = new Semaphore(config.connectionLimit());
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        UnsupportedPlatformException.throwIf(Libc.unsupportedReason());
        listener = ListeningSocket.open(config.bind, config.port, config.backlog, config.reusePort);
        ledger = ctx.stack().process().ledger();
        tree = TreeBoard.create(ctx.stack().process()); // the children's readiness follows, their requests are shown
        jvm = new ChildJvm(ProcessChild.class, config, tree);
        if (config.spares > 0) {
            spares = new Spares(
                    new ChildJvm(ProcessSpare.class, config, tree),
                    tree,
                    config.spares,
                    children::add,
                    this::spareExited);
        }
        // A connection waits in the gate until its request head is whole (a room there is taken
        // before accepting), and only then takes a child's slot; while every slot is taken nothing is
        // accepted and connections wait in the backlog. The accept polls, so that a stop is seen within 100 ms.
        gate = new DescriptorGate(
                config.headerTimeout,
                Conversation.readBufferSize(config.limits),
                config.limits.maxLine(),
                this::headArrived,
                fd -> gateRooms.release());
        acceptLoop = AcceptLoop.startWhileIdle(
                List.of(gateRooms),
                slots,
                () -> {
                    int fd = listener.accept(100);
                    return fd < 0 ? null : fd;
                },
                gate::admit,
                ctx.crash());
        return new InetSocketAddress(InetAddress.getByName(config.bind), listener.port());
    }

    /** On the gate's thread: the head is whole; a child's slot (waiting for one), then the child. */
    private void headArrived(int fd) {
        gateRooms.release();
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Libc.close(fd); // stopping: closed unserved, as those still in the backlog
            Thread.currentThread().interrupt();
            return;
        }
        handOff(fd);
    }

    /**
     * On the gate's thread: a child for the connection, then the parent closes its copy. A client
     * already gone (reset, or closed without a byte) is not given one: its check comes after the
     * wait for fewer starting children, the moment it is most likely to have shown.
     */
    private void handOff(int fd) {
        try {
            if (spares == null) {
                awaitFewerStarting();
                if (skipIfGone(fd)) {
                    return;
                }
                spawnChild(fd);
            } else if (skipIfGone(fd)) {
                return;
            } else if (passToSpare(fd) < 0) {
                slots.release(); // stopping: the connection closes unserved, as those still in the backlog
            }
        } finally {
            Libc.close(fd); // the parent closes its copy (important!): the child's are now the only ones
        }
    }

    /**
     * A burst of connections reset before a byte (or a backlog of clients that gave up) would
     * otherwise cost a JVM start each, with the next live client waiting behind them all.
     */
    private boolean skipIfGone(int fd) {
        if (!Libc.peerGone(fd)) {
            return false;
        }
        goneBeforeSpawn.increment();
        slots.release();
        return true;
    }

    /** Waits while {@code --max-starting} children are starting; the connection waits meanwhile, accepted. */
    private void awaitFewerStarting() {
        while (true) {
            startedCursor = tree.startedSince(startedCursor, pid -> starting.remove((int) pid));
            if (starting.size() < config.maxStarting) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void spawnChild(int fd) {
        ChildJvm.Launch launch = jvm.next(true);
        tree.spawning();
        try {
            ChildProcesses.spawn(
                    launch.argv(),
                    fd,
                    fd,
                    pid -> {
                        children.add(pid);
                        starting.add(pid);
                        startingPeak.accumulateAndGet(starting.size(), Math::max);
                    },
                    (pid, status) -> childExited(pid, status, launch));
        } catch (IOException e) {
            // e.g. out of processes or memory, or no java to run: the client is told, not left unanswered
            tree.notSpawned();
            slots.release();
            String why = "could not start a process for the connection (" + e.getMessage() + ")";
            LOG.log(Level.WARNING, "{0}; answered 503", why);
            refuse(fd, why);
        }
    }

    /**
     * On the gate's thread: the client of a connection no child will serve gets a 503 with
     * {@code Retry-After} (or an ERR line) in the protocol its head shows, counted as
     * {@code server-full} and logged. Its head, still unread, is read first: a close with bytes
     * unread would reset the connection and destroy the answer.
     */
    private void refuse(int fd, String why) {
        byte[] head = new byte[Conversation.readBufferSize(config.limits)];
        int n = Math.max(0, Libc.peek(fd, head));
        Protocol protocol = config.protocol == ServerConfig.ProtocolChoice.TCP
                ? Protocol.TCP
                : ProtocolDetector.detectAtEnd(ByteBuffer.wrap(head, 0, n));
        String client;
        try {
            client = Libc.peer(fd).getAddress().getHostAddress();
        } catch (IOException e) {
            client = "?";
        }
        Libc.writeIfRoom(fd, Refusal.answer(protocol, ledger, Refusals.Reason.FULL, client, why));
        Libc.discardWaiting(fd);
    }

    /** The spare's pid, or -1 if the model is stopping. */
    private int passToSpare(int fd) {
        try {
            return spares.handOff(fd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** On the reaper thread: a spare that served a connection gives its slot back; an unused one held none. */
    private void spareExited(int pid, int status, boolean served) {
        children.remove(pid);
        if (served) {
            slots.release();
        }
        LOG.log(Level.DEBUG, "spare {0} reaped: {1}", Integer.toString(pid), ChildProcesses.describe(status));
    }

    /** On the reaper thread, once the child is reaped: its slot is free again. */
    private void childExited(int pid, int status, ChildJvm.Launch launch) {
        children.remove(pid);
        starting.remove(pid); // a child that died before its JVM was up
        tree.reaped();
        slots.release();
        jvm.exited(launch, status);
        LOG.log(Level.DEBUG, "child {0} reaped: {1}", Integer.toString(pid), ChildProcesses.describe(status));
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptLoop.stop(() -> {}); // the accept polls: no listener to close under it
        acceptLoop.join();
        gate.close(); // heads not yet whole: those clients had not finished a request
        listener.close(); // connections still in the backlog are refused by the kernel
        if (spares != null) {
            spares.close(); // waiting spares see end of file on their socket and exit
        }
        // Ask every child to drain: SIGWINCH, which a JVM still starting up ignores (its default
        // action) where SIGTERM would kill it with its client unanswered. So repeat it until each
        // child, once its handler is in place, has drained and exited.
        Duration patience = grace.plus(config.headerTimeout).plusSeconds(5); // + time for a JVM to exit
        if (!awaitChildren(patience, Libc.SIGWINCH)) {
            LOG.log(Level.WARNING, "{0} child(ren) still running after the grace; killing them", children.size());
            children.forEach(pid -> Libc.kill(pid, Libc.SIGKILL));
            if (!awaitChildren(Duration.ofSeconds(5), 0)) {
                LOG.log(Level.ERROR, "{0} child(ren) not reaped 5 s after SIGKILL", children.size());
            }
        }
        tree.close();
    }

    /** Waits until every child is reaped, sending {@code signal} (if not 0) every 100 ms meanwhile. */
    private boolean awaitChildren(Duration timeout, int signal) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int tick = 0; !children.isEmpty() && System.nanoTime() < deadline; tick++) {
            if (signal != 0 && tick % 10 == 0) {
                children.forEach(pid -> Libc.kill(pid, signal));
            }
            Thread.sleep(10);
        }
        return children.isEmpty();
    }

    @Override
    public String describe() {
        return "a child JVM per connection, max-children=" + maxChildren
                + (spares == null ? "" : " spares=" + spares.count()) + " aot=" + jvm.aotState()
                + " parent=" + ProcessHandle.current().pid() + " " + tree.summary();
    }

    /** The tree's request and connection figures (the parent serves none itself), and the children's. */
    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(tree.totals());
        m.put("maxChildren", maxChildren);
        m.put("maxStarting", config.maxStarting);
        m.put("startingPeak", startingPeak.get());
        m.put("goneBeforeSpawn", goneBeforeSpawn.sum());
        m.put("awaitingHead", gate.waitingCount());
        if (spares != null) {
            m.put("spares", spares.count());
            m.put("sparesWaiting", spares.waiting());
        }
        m.put("processTree", tree.figures("parent"));
        return m;
    }
}
