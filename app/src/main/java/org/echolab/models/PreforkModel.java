package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.AcceptLock;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;

/**
 * {@code prefork}: a fixed set of {@code --workers} worker processes that all accept from one
 * listening socket they inherit (UNP's "prefork, each child calls accept", Apache's prefork MPM).
 *
 * <p><b>Processes and threads:</b> the parent binds the socket, spawns each worker JVM
 * ({@link PreforkWorker}) with it as fd 0, and never accepts; each worker runs
 * {@code --worker-model} on it unchanged and the kernel gives each connection to one of them. With
 * an {@link AcceptLock} ({@code prefork-flock}, {@code prefork-mutex}) one worker at a time waits
 * in accept; with {@code --reuseport} each worker has a socket of its own. The parent's watch
 * thread, {@code echolab-prefork-watch}, replaces a worker that dies.
 *
 * <p><b>Cost:</b> N JVMs started once, up front; after that, per connection only what the worker
 * model costs. Memory is N small JVMs. Linux only. docs/process-models.md has the why and the figures.
 */
final class PreforkModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(PreforkModel.class.getName());
    private static final int STOP = -1; // tells the watch thread to end

    private final ServerConfig config;
    private final AcceptLock.Kind lockKind; // null: no lock around accept
    private final Map<Integer, Long> workers = new ConcurrentHashMap<>(); // pid -> start (nanoTime)
    private final Map<Integer, ListeningSocket> socketOf = new ConcurrentHashMap<>(); // pid -> its socket
    private final BlockingQueue<Integer> deaths = new LinkedBlockingQueue<>();
    private final List<ListeningSocket> listeners = new ArrayList<>(); // one shared, or one per worker (--reuseport)
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
        tree = TreeBoard.create(ctx.stack().process()); // the workers' readiness follows, their requests are shown
        acceptLock = lockKind == null ? null : AcceptLock.create(lockKind);
        jvm = new ChildJvm(
                PreforkWorker.class,
                config,
                tree,
                acceptLock == null ? Map.of() : Map.of(AcceptLock.PROPERTY, acceptLock.property()));
        try {
            listeners.add(ListeningSocket.open(config.bind, config.port, config.backlog, config.reusePort));
            for (int i = 1; config.reusePort && i < config.workers; i++) {
                listeners.add(
                        ListeningSocket.open(config.bind, listeners.getFirst().port(), config.backlog, true));
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
        return new InetSocketAddress(
                InetAddress.getByName(config.bind), listeners.getFirst().port());
    }

    /** The one shared socket; with --reuseport, the socket no live worker holds. */
    private ListeningSocket socketForNextWorker() {
        if (!config.reusePort) {
            return listeners.getFirst();
        }
        return listeners.stream()
                .filter(l -> !socketOf.containsValue(l))
                .findFirst()
                .orElseThrow();
    }

    private void spawnWorker() throws IOException {
        ListeningSocket socket = socketForNextWorker();
        tree.spawning();
        try {
            // fd 0: the listening socket; fd 1: the parent's stderr, so a stray print is only a log line
            ChildProcesses.spawn(
                    jvm.next(false).argv(),
                    socket.fd(),
                    2,
                    pid -> {
                        workers.put(pid, System.nanoTime());
                        socketOf.put(pid, socket);
                    },
                    this::workerExited);
        } catch (IOException e) {
            tree.notSpawned();
            throw e;
        }
    }

    /** On the reaper thread: a worker is gone. Unless we are stopping, the watch thread replaces it. */
    private void workerExited(int pid, int status) {
        Long started = workers.remove(pid);
        socketOf.remove(pid); // free for its replacement
        tree.reaped();
        if (!stopping) {
            LOG.log(
                    Level.WARNING,
                    "worker {0} died ({1}); starting a new one",
                    Integer.toString(pid),
                    ChildProcesses.describe(status));
            long livedNanos = started == null ? Long.MAX_VALUE : System.nanoTime() - started;
            deaths.add(livedNanos < 1_000_000_000L ? 1 : 0); // 1: died young, replace after a second
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
                LOG.log(
                        Level.ERROR,
                        "could not start a replacement worker ({0}); retrying in a second",
                        e.getMessage());
                deaths.add(1);
            }
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        stopping = true;
        deaths.add(STOP);
        watcher.join(); // no replacements from here on
        listeners.forEach(ListeningSocket::close); // the workers' copies stay open until each stops accepting
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
        ChildProcesses.stopAll(workers.keySet(), grace); // each drains; SIGKILL after the grace
    }

    /**
     * What one worker serves at once (its model's): each worker bounds its own clients, so the
     * automatic {@code --max-per-client} the startup line shows is half of this, per worker.
     */
    @Override
    public int capacity(ServerConfig config) {
        return Models.byName(config.workerModel).factory().apply(config).capacity(config);
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
        m.put(
                "acceptLock",
                acceptLock == null ? "none" : acceptLock.kind().name().toLowerCase());
        m.put("processTree", tree.figures("parent"));
        return m;
    }
}
