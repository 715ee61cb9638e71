package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.DescriptorGate;
import org.echolab.models.tree.Spares;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Descriptors;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;
import org.echolab.connection.Connection;
import org.echolab.process.Connections;
import org.echolab.connection.Conversation;
import org.echolab.process.Readiness;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * {@code process}: a new process per connection, the way inetd and a forking C server work (UNP's
 * "one fork per client", CS:APP's {@code echoserverp.c}), with a JVM as the process.
 *
 * <p><b>Processes and threads:</b> in the parent, one platform thread, {@code echolab-accept},
 * accepts with {@code accept4}; once the connection's request head is in, {@code echolab-head-gate}
 * spawns a child JVM ({@link Child}) whose stdin and stdout ARE the connection; the parent then closes its own copy and never touches the connection again (it
 * relays nothing). The child picks the socket up with {@link System#inheritedChannel()}, serves
 * every request on it with the shared {@link BlockingSession} on its main thread, and exits. The
 * parent's reaper thread ({@link ChildProcesses}) reaps each child as it exits, so none stays a
 * zombie.
 *
 * <p><b>Bound:</b> at most {@code --max-children} children (and no more than
 * {@code --max-connections}) live at once. A child's slot is taken once the head is in; while none
 * is free nothing is accepted, so new connections wait in the kernel's accept backlog (like
 * Apache's MaxRequestWorkers); the reaper gives the slot back. And at most {@code --max-starting} children
 * (default: the cores) start at once: a JVM start is CPU work, and a burst of JVMs started together
 * share the cores so that the first answer comes only when nearly all are up; started a few at a
 * time, the first client is answered after one start. A child notes on the {@link TreeBoard} when
 * its JVM is up; until then it counts as starting.
 *
 * <p><b>Whole heads only:</b> the accepted connection waits in the parent's {@link DescriptorGate}
 * (a poll set, its bytes peeked, not read) until its first request head has arrived, and only then
 * takes a child's slot: a slow client (a slowloris) costs a descriptor here, not a JVM.
 *
 * <p><b>Only live clients:</b> a connection whose client is already gone (reset, or closed before
 * sending a byte) is closed rather than given a child, checked by the parent just before the
 * spawn and by the child once its JVM is up; so a burst of dead connections costs the next live
 * client a poll each, not a JVM start each.
 *
 * <p><b>Spares</b> ({@code --spares N}): N children are started ahead and wait, each on a
 * Unix-domain socket to the parent ({@link Spare}); the accept thread passes each connection's
 * descriptor to the oldest one ({@link Spares}, SCM_RIGHTS) and a new spare is started behind it.
 * A spare serves that one connection and exits, exactly as a child started for it would: the
 * JVM start is paid before the client arrives instead of after. While connections come faster
 * than spares start, the accept thread waits for the next spare and the clients wait with it.
 * {@code --max-children} bounds the children serving clients; the waiting spares come on top.
 *
 * <p><b>Isolation:</b> each client has a process of its own: a crash, a leak or a heap variable
 * is that client's alone. So a heap {@code --state} is per process too, and every client is
 * request number 1: only a shared-memory state variant counts across children.
 *
 * <p><b>Cost:</b> a JVM start per connection. Measured here (2 cores, loaded; AOT cache): 130-141
 * ms median and 300-380 ms p99 from connect to first byte, 117 to 233 times {@code thread}'s (two
 * runs); about 0.25 s of CPU and 33 MiB of PSS per open connection. With spares the CPU and
 * memory are the same but the client no longer waits for the start. docs/process-models.md.
 * Linux only ({@link UnsupportedPlatformException} elsewhere).
 *
 * <p><b>Stop:</b> stop accepting, close the listening socket, ask every child to drain (SIGWINCH,
 * repeated; see {@link #stop}); a child first serves the request that brought it to life, then
 * drains as the thread models do: the request in flight finishes, an idle connection closes. What
 * is left after the grace gets SIGKILL; stop returns once every child is reaped. Children sit in
 * process groups of their own, so Ctrl-C in a terminal reaches only the parent.
 */
public final class ProcessModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger("echolab.process");

    private final ServerConfig config;
    private final int maxChildren;
    private final Semaphore slots;                          // one per child that may live
    private final Set<Integer> children = ConcurrentHashMap.newKeySet();
    private final Set<Integer> starting = ConcurrentHashMap.newKeySet();     // spawned, JVM not up yet
    private final AtomicInteger startingPeak = new AtomicInteger();
    private final LongAdder goneBeforeSpawn = new LongAdder();     // clients gone before a child was theirs
    private long startedCursor;                             // gate thread only: notes read on the board
    private ListeningSocket listener;
    private TreeBoard tree;
    private ChildJvm jvm;
    private Spares spares;                                  // null: a child is spawned per connection
    private AcceptLoop<Integer> acceptLoop;
    private DescriptorGate gate;
    private final Semaphore gateRooms;                      // connections the gate may hold: --max-connections

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
        tree = TreeBoard.create(ctx.stack().process());   // the children's readiness follows, their requests are shown
        jvm = new ChildJvm(Child.class, config, tree);
        if (config.spares > 0) {
            spares = new Spares(new ChildJvm(Spare.class, config, tree), tree, config.spares, children::add,
                    this::spareExited);
        }
        // A connection waits in the gate until its request head is whole (a room there is taken
        // before accepting), and only then takes a child's slot; while every slot is taken nothing is
        // accepted and connections wait in the backlog. The accept polls, so that a stop is seen within 100 ms.
        gate = new DescriptorGate(config.headerTimeout, Conversation.readBufferSize(config.limits), config.limits.maxLine(),
                this::headArrived, fd -> gateRooms.release());
        acceptLoop = AcceptLoop.startWhileIdle(List.of(gateRooms), slots, () -> {
            int fd = listener.accept(100);
            return fd < 0 ? null : fd;
        }, gate::admit, ctx.crash());
        return new InetSocketAddress(InetAddress.getByName(config.bind), listener.port());
    }

    /** On the gate's thread: the head is whole; a child's slot (waiting for one), then the child. */
    private void headArrived(int fd) {
        gateRooms.release();
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Libc.close(fd);                 // stopping: closed unserved, as those still in the backlog
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
                slots.release();    // stopping: the connection closes unserved, as those still in the backlog
            }
        } finally {
            Libc.close(fd);     // the parent closes its copy (important!): the child's are now the only ones
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
            ChildProcesses.spawn(launch.argv(), fd, fd, pid -> {
                children.add(pid);
                starting.add(pid);
                startingPeak.accumulateAndGet(starting.size(), Math::max);
            }, (pid, status) -> childExited(pid, status, launch));
        } catch (IOException e) {
            // e.g. out of processes or memory: the client sees its connection closed
            tree.notSpawned();
            slots.release();
            LOG.log(Level.WARNING, "could not start a child for a connection ({0}); closing it", e.getMessage());
        }
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
        starting.remove(pid);           // a child that died before its JVM was up
        tree.reaped();
        slots.release();
        jvm.exited(launch, status);
        LOG.log(Level.DEBUG, "child {0} reaped: {1}", Integer.toString(pid), ChildProcesses.describe(status));
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptLoop.stop(() -> { });    // the accept polls: no listener to close under it
        acceptLoop.join();
        gate.close();               // heads not yet whole: those clients had not finished a request
        listener.close();           // connections still in the backlog are refused by the kernel
        if (spares != null) {
            spares.close();         // waiting spares see end of file on their socket and exit
        }
        // Ask every child to drain: SIGWINCH, which a JVM still starting up ignores (its default
        // action) where SIGTERM would kill it with its client unanswered. So repeat it until each
        // child, once its handler is in place, has drained and exited.
        Duration patience = grace.plus(config.headerTimeout).plusSeconds(5);       // + time for a JVM to exit
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

    /**
     * A {@code process} child: serves the one connection it inherited as fd 0 and 1, then exits.
     * Not for people to start: its arguments are the parent's configuration
     * ({@code ChildJvm.encode}). It logs to stderr only, since its stdout is the client's socket.
     */
    public static final class Child {

        private Child() {}

        public static void main(String[] args) throws IOException {
            System.setOut(System.err);      // a stray println must not reach the client
            if (Libc.peerGone(0)) {
                return;                     // the client left while this JVM started: spare the set-up
            }
            serve(prepare(args));
        }

        /** What a child sets up before it touches its connection. */
        record Prepared(ServerConfig config, EchoStack stack, CountDownLatch firstRequest) {}

        static Prepared prepare(String[] args) {
            ServerConfig config = ChildJvm.decode(args);
            CountDownLatch firstRequest = new CountDownLatch(1);
            ServerState state = States.byName(config.state).create(config.raceWindow);
            TreeBoard tree = TreeBoard.fromProperty();
            if (tree != null) {         // this child's connection and requests count in the tree's figures
                state = tree.counting(state, firstRequest::countDown);
                tree.childStarted();    // the parent may start the next child
            }
            EchoStack stack = EchoStack.assemble(config, state,
                    () -> tree == null ? Map.of() : Map.of("processTree", tree.figures("child")), 1, 0,
                    Readiness.following(() -> tree == null || tree.parentReady()));
            if (tree != null) {         // the parent's live view shows this child's requests
                tree.copyRequestsOf(stack.process());
            }
            return new Prepared(config, stack, firstRequest);
        }

        /** Serves the connection that is this process's fd 0 and 1, to its end. */
        static void serve(Prepared p) throws IOException {
            Channel inherited = System.inheritedChannel();
            if (!(inherited instanceof SocketChannel channel)) {
                System.err.println("echolab: " + Child.class.getName() + " serves a connection inherited as fd 0;"
                        + " the 'process' model starts it, people do not");
                System.exit(2);
                return;
            }
            Connections connections = p.stack().connections();
            Runnable drain = new DrainOnce(p.config(), connections, p.firstRequest(), Thread.currentThread());
            // the parent's stop (SIGWINCH), or a SIGTERM sent to this child directly
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), signal -> drain.run());
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("echolab-drain").unstarted(drain));
            Connection c = new Connection(channel.socket(), connections);
            connections.admit(c);           // no --max-per-client in a child: always admitted
            try {
                p.stack().session().serve(c);   // closes the channel: the JDK then points fds 0, 1 and 2 at /dev/null
            } finally {
                p.firstRequest().countDown();   // the connection is over: the exit's drain has nothing to wait for
            }
        }

        /**
         * Drains once, but only after the request that brought this child to life has begun (or
         * the header timeout passed): the client connected before the stop and is owed an answer,
         * whereas a thread model's drain would see its not-yet-read connection as idle and close it.
         */
        private record DrainOnce(ServerConfig config, Connections connections, CountDownLatch firstRequest,
                                 Thread session, AtomicBoolean started, CountDownLatch done) implements Runnable {
            DrainOnce(ServerConfig config, Connections connections, CountDownLatch firstRequest, Thread session) {
                this(config, connections, firstRequest, session, new AtomicBoolean(), new CountDownLatch(1));
            }

            /**
             * The first caller drains; a later one (the shutdown hook) waits until that is done. If
             * the grace ran out, the session's work (CPU work goes on after its socket is closed) is
             * abandoned too.
             */
            @Override
            public void run() {
                try {
                    if (started.compareAndSet(false, true)) {
                        firstRequest.await(config.headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
                        if (connections.drain(config.grace) > 0) {
                            session.interrupt();
                        }
                        done.countDown();
                    } else {
                        done.await();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * A spare child ({@code --spares}): started before it is needed, it sets up everything but the
     * connection, then waits on fd 0, its end of a Unix-domain socket pair, for the parent to pass
     * one. The connection then becomes its fd 0 and 1 and it is a {@link Child} like any other:
     * it serves that one client and exits. If the parent closes its end instead, it exits at once.
     */
    public static final class Spare {

        private Spare() {}

        public static void main(String[] args) throws IOException {
            System.setOut(System.err);                  // a stray println must not reach the client
            Child.Prepared prepared = Child.prepare(args);
            int connection = Descriptors.receive(0);    // started and ready: wait here for a client
            if (connection < 0) {
                return;                                 // the parent stopped (or died) before it needed us
            }
            Descriptors.duplicate(connection, 0);       // also closes our end of the socket pair
            Descriptors.duplicate(connection, 1);
            Descriptors.close(connection);              // fds 0 and 1 are now its only copies here
            Child.serve(prepared);
        }
    }
}
