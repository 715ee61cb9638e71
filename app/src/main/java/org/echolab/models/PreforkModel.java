package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.AcceptLock;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;
import org.echolab.os.PassedConnections;
import org.echolab.process.Readiness;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * {@code prefork}: a fixed set of {@code --workers} worker processes that all accept from one
 * listening socket they inherit (UNP's "prefork, each child calls accept", Apache's prefork MPM).
 *
 * <p><b>Processes and threads:</b> the parent binds the listening socket and spawns each worker
 * JVM ({@link Worker}) with that socket as its fd 0; the parent never accepts. Each worker gets the
 * socket with {@link System#inheritedChannel()} (a {@code ServerSocketChannel}) and runs a thread
 * model on it, {@code --worker-model sequential|pool|virtual}, unchanged: its own accept thread
 * calls {@code accept()} on the shared socket and the kernel gives each connection to one waiting
 * worker. With {@code pool} this is the hybrid of Apache's worker MPM: N processes x M threads.
 *
 * <p><b>Accept lock</b> ({@code prefork-flock}, {@code prefork-mutex}; UNP rows 3 and 4): each
 * worker takes an {@link AcceptLock} (a {@code fcntl} lock on a file, or a robust pthread mutex in
 * shared memory) around its {@code accept}, so one worker waits in {@code accept} and the others
 * wait for the lock. Without it (row 2) every idle worker waits in {@code accept}; Linux wakes one
 * of them per connection. The kernel releases either lock when its holder dies.
 * <p><b>{@code --reuseport}</b> (nginx's {@code listen ... reuseport}): the parent opens one
 * listening socket per worker, all bound to the port with SO_REUSEPORT, and hands worker i socket
 * i. The kernel then spreads new connections over the sockets by a hash of their addresses, each
 * with its own backlog, instead of giving each to whichever worker is waiting in accept. A
 * replacement worker gets its dead predecessor's socket, so the connections queued on it wait
 * for it rather than being lost.
 *
 * <p><b>Watching:</b> the parent's reaper thread sees a worker die (a crash, {@code kill -9}) at
 * once, and its watch thread, {@code echolab-prefork-watch}, spawns a replacement; only the dead
 * worker's connections are lost. A worker that dies within a second of its start is replaced after
 * a second, so a worker that cannot start does not respawn in a tight loop. A worker whose parent
 * has gone (kill -9 of the parent) stops by itself; it asks the kernel ({@code getppid}), which
 * needs no file, so running out of descriptors cannot make it think so. A worker whose model
 * has a critical thread fail (out of memory) exits at once ({@link ModelContext#CRASHED}) and is replaced:
 * the parent restarts what a single process would have to stop.
 *
 * <p><b>Cost:</b> N JVMs started once, up front; after that, per connection only what the worker
 * model costs: under {@code wrk -c 100} on {@code wait=100ms}, 2 workers x pool served 988 req/s
 * against {@code pool}'s 987 (docs/process-models.md). Memory is N small JVMs, whose shared pages
 * of the JDK's class data PSS counts once. Heap state is per worker, as in {@code process}.
 *
 * <p><b>Stop:</b> SIGTERM to every worker: each stops accepting and drains as its thread model does;
 * wait within the grace, SIGKILL what is left, wait until every worker is reaped.
 */
public final class PreforkModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger("echolab.prefork");
    private static final int STOP = -1;                 // tells the watch thread to end

    private final ServerConfig config;
    private final AcceptLock.Kind lockKind;              // null: no lock around accept
    private final Map<Integer, Long> workers = new ConcurrentHashMap<>();     // pid -> start (nanoTime)
    private final Map<Integer, ListeningSocket> socketOf = new ConcurrentHashMap<>();   // pid -> its socket
    private final BlockingQueue<Integer> deaths = new LinkedBlockingQueue<>();
    private final List<ListeningSocket> listeners = new ArrayList<>();       // one shared, or one per worker (--reuseport)
    private TreeBoard tree;
    private AcceptLock acceptLock;
    private ChildJvm jvm;
    private Thread watcher;
    private volatile boolean stopping;

    public PreforkModel(ServerConfig config) {
        this(config, null);
    }

    /** {@code lockKind}: the lock every worker takes around accept, or null for none. */
    public PreforkModel(ServerConfig config, AcceptLock.Kind lockKind) {
        this.config = config;
        this.lockKind = lockKind;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        UnsupportedPlatformException.throwIf(Libc.unsupportedReason());
        tree = TreeBoard.create(ctx.stack().process());   // the workers' readiness follows, their requests are shown
        acceptLock = lockKind == null ? null : AcceptLock.create(lockKind);
        jvm = new ChildJvm(Worker.class, config, tree,
                acceptLock == null ? Map.of() : Map.of(AcceptLock.PROPERTY, acceptLock.property()));
        try {
            listeners.add(ListeningSocket.open(config.bind, config.port, config.backlog, config.reusePort));
            for (int i = 1; config.reusePort && i < config.workers; i++) {
                listeners.add(ListeningSocket.open(config.bind, listeners.getFirst().port(), config.backlog, true));
            }
            for (int i = 0; i < config.workers; i++) {
                spawnWorker();
            }
        } catch (IOException e) {
            try {
                stopWorkers(Duration.ZERO);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            listeners.forEach(ListeningSocket::close);
            tree.close();
            closeLock();
            throw e;
        }
        watcher = Thread.ofPlatform().name("echolab-prefork-watch").start(this::watch);
        return new InetSocketAddress(InetAddress.getByName(config.bind), listeners.getFirst().port());
    }

    /** The one shared socket; with --reuseport, the socket no live worker holds. */
    private ListeningSocket socketForNextWorker() {
        if (!config.reusePort) {
            return listeners.getFirst();
        }
        return listeners.stream().filter(l -> !socketOf.containsValue(l)).findFirst().orElseThrow();
    }

    private void spawnWorker() throws IOException {
        ListeningSocket socket = socketForNextWorker();
        tree.spawning();
        try {
            // fd 0: the listening socket; fd 1: the parent's stderr, so a stray print is only a log line
            ChildProcesses.spawn(jvm.next(false).argv(), socket.fd(), 2, pid -> {
                workers.put(pid, System.nanoTime());
                socketOf.put(pid, socket);
            }, this::workerExited);
        } catch (IOException e) {
            tree.notSpawned();
            throw e;
        }
    }

    /** On the reaper thread: a worker is gone. Unless we are stopping, the watch thread replaces it. */
    private void workerExited(int pid, int status) {
        Long started = workers.remove(pid);
        socketOf.remove(pid);               // free for its replacement
        tree.reaped();
        if (!stopping) {
            LOG.log(Level.WARNING, "worker {0} died ({1}); starting a new one", Integer.toString(pid), ChildProcesses.describe(status));
            long livedNanos = started == null ? Long.MAX_VALUE : System.nanoTime() - started;
            deaths.add(livedNanos < 1_000_000_000L ? 1 : 0);   // 1: died young, replace after a second
        }
    }

    /** The watch thread: one replacement per death, until stop. */
    private void watch() {
        while (true) {
            int youngDeath;
            try {
                youngDeath = deaths.take();
                if (youngDeath == STOP) {
                    return;
                }
                if (youngDeath == 1) {
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) {
                return;
            }
            try {
                spawnWorker();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "could not start a replacement worker ({0}); retrying in a second", e.getMessage());
                deaths.add(1);
            }
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        stopping = true;
        deaths.add(STOP);
        watcher.join();             // no replacements from here on
        listeners.forEach(ListeningSocket::close);   // the workers' copies stay open until each stops accepting
        stopWorkers(grace);
        tree.close();
        closeLock();
    }

    private void closeLock() {
        if (acceptLock != null) {
            acceptLock.close();
        }
    }

    /** The lock around accept (for tests), or null. */
    public AcceptLock acceptLock() {
        return acceptLock;
    }

    private void stopWorkers(Duration grace) throws InterruptedException {
        stopping = true;
        ChildProcesses.stopAll(workers.keySet(), grace);   // each drains; SIGKILL after the grace
    }

    @Override
    public String describe() {
        return config.workers + " worker processes x " + config.workerModel
                + (acceptLock == null ? "" : ", a " + acceptLock.kind().name().toLowerCase() + " lock around accept")
                + (config.reusePort ? ", a SO_REUSEPORT socket each" : "") + ", aot=" + jvm.aotState()
                + " parent=" + ProcessHandle.current().pid() + " workers=" + workers.keySet() + " " + tree.summary();
    }

    /** The tree's request and connection figures (the parent serves none itself), and the workers'. */
    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(tree.totals());
        m.put("workers", config.workers);
        m.put("workerModel", config.workerModel);
        m.put("acceptLock", acceptLock == null ? "none" : acceptLock.kind().name().toLowerCase());
        m.put("processTree", tree.figures("parent"));
        return m;
    }

    /**
     * A {@code prefork} worker: runs {@code --worker-model} on the listening socket it inherited
     * as fd 0 until SIGTERM (then drains) or until its parent is gone. Started by the parent only.
     */
    public static final class Worker {

        private Worker() {}

        /** Set (to true) by {@code prefork-pass}: fd 0 is a socket to the parent, which passes connections. */
        public static final String PASSED = "echolab.passed";

        public static void main(String[] args) throws Exception {
            System.setOut(System.err);
            boolean passed = Boolean.getBoolean(PASSED);
            ServerSocket listener;
            if (passed) {
                // prefork-pass: connections come from the parent; its end closing means it is gone
                listener = new PassedConnections(0, () -> Thread.ofPlatform().start(() -> System.exit(0)));
            } else if (System.inheritedChannel() instanceof ServerSocketChannel channel) {
                listener = channel.socket();
            } else {
                System.err.println("echolab: " + Worker.class.getName() + " accepts on a listening socket inherited"
                        + " as fd 0; the 'prefork' model starts it, people do not");
                System.exit(2);
                return;
            }
            ServerConfig config = ChildJvm.decode(args);
            ServerState state = States.byName(config.state).create(config.raceWindow);
            TreeBoard tree = TreeBoard.fromProperty();
            if (tree != null) {         // this worker's connections and requests count in the tree's figures
                state = tree.counting(state, () -> { });
            }
            ConcurrencyModel inner = Models.byName(config.workerModel).factory().apply(config);   // checked by the parent
            EchoStack stack = EchoStack.assemble(config, state, () -> {
                Map<String, Object> m = new LinkedHashMap<>(inner.stats());
                m.put("workerModel", config.workerModel);
                if (tree != null) {
                    m.put("processTree", tree.figures("worker"));
                }
                return m;
            }, config.connectionLimit(), config.perClientLimit(inner.capacity(config)),
                    Readiness.following(() -> tree == null || tree.parentReady()));
            if (tree != null) {         // the parent's live view shows this worker's requests
                tree.copyRequestsOf(stack.process());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            AcceptLock lock = AcceptLock.fromProperty();
            if (lock != null) {         // prefork-flock, prefork-mutex: one worker in accept at a time
                listener = lock.around(listener);
            }
            // before the first accept: once clients take every descriptor, FFM could not even open libc
            watchParent();
            inner.start(new ModelContext(stack, listener, Worker::crashed));
            // SIGTERM from the parent: stop accepting and drain, as the thread model does alone (a
            // SIGTERM that comes before this, while the worker starts, simply ends it: it has no client yet)
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("echolab-drain").unstarted(() -> {
                try {
                    inner.stop(config.grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stopped.countDown();
            }));
            stopped.await();
        }

        /** A critical thread of the worker's model failed: exit now; the parent starts a new worker. */
        private static void crashed(Thread thread, Throwable cause) {
            System.err.println("echolab: worker " + ProcessHandle.current().pid() + ": " + thread.getName()
                    + " failed (" + cause + "); exiting, the parent starts a new worker");
            cause.printStackTrace();
            Runtime.getRuntime().halt(ModelContext.CRASHED);
        }

        /** An orphaned worker would accept forever: when the parent is gone, stop as on SIGTERM. */
        private static void watchParent() {
            int parent = Libc.getppid();
            Thread.ofPlatform().name("echolab-parent-watch").daemon().start(() -> {
                while (Libc.getppid() == parent) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.err.println("echolab: worker " + ProcessHandle.current().pid() + ": parent " + parent
                        + " is gone; stopping");
                System.exit(0);
            });
        }
    }
}
