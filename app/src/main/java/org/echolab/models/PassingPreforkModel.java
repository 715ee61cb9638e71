package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Conversation;
import org.echolab.models.tree.ChildJvm;
import org.echolab.models.tree.DescriptorGate;
import org.echolab.models.tree.TreeBoard;
import org.echolab.os.ChildProcesses;
import org.echolab.os.Descriptors;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;

/**
 * {@code prefork-pass}: {@code --workers} worker processes started up front, but only the parent
 * accepts; it passes each connection's descriptor to an idle worker over a Unix-domain socket
 * (UNP ch. 30.9, "prefork, descriptor passing", row 5 of Figure 30.1).
 *
 * <p><b>Processes and threads:</b> each worker is a {@link PreforkWorker} whose fd 0 is its end of
 * a socket pair with the parent; it writes one byte each time it can take a connection. In the
 * parent, {@code echolab-accept} accepts, the {@link DescriptorGate} holds each connection until
 * its request head is whole, and the connection goes to the worker that said "ready" longest ago;
 * one thread per worker, {@code echolab-ready-PID}, reads those bytes.
 *
 * <p><b>Cost:</b> what {@code prefork} costs, plus per connection a {@code sendmsg}, a
 * {@code recvmsg}, a "ready" byte and the parent's wake-ups. docs/process-models.md has the why.
 */
final class PassingPreforkModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(PassingPreforkModel.class.getName());
    private static final int STOP = -1;

    /** A worker as the parent sees it: its pid and the parent's end of their socket pair. */
    private static final class Worker {
        final int pid;
        private final int channel;
        private boolean closed; // guarded by this: the channel's number may be reused once closed

        Worker(int pid, int channel) {
            this.pid = pid;
            this.channel = channel;
        }

        synchronized boolean pass(int fd) throws IOException {
            if (closed) {
                return false;
            }
            Descriptors.send(channel, fd);
            return true;
        }

        synchronized void close() {
            if (!closed) {
                closed = true;
                Descriptors.close(channel);
            }
        }
    }

    private final ServerConfig config;
    private final Map<Integer, Worker> workers = new ConcurrentHashMap<>();
    private final BlockingQueue<Worker> idle = new LinkedBlockingQueue<>(); // longest idle first
    private final BlockingQueue<Integer> deaths = new LinkedBlockingQueue<>();
    private ListeningSocket listener;
    private TreeBoard tree;
    private ChildJvm jvm;
    private AcceptLoop<Integer> acceptLoop;
    private DescriptorGate gate;
    private Semaphore gateRooms;
    private Thread watcher;
    private volatile boolean stopping;

    public PassingPreforkModel(ServerConfig config) {
        this.config = config;
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        UnsupportedPlatformException.throwIf(Libc.unsupportedReason());
        gateRooms = new Semaphore(config.connectionLimit());
        listener = ListeningSocket.open(config.bind, config.port, config.backlog, config.reusePort);
        tree = TreeBoard.create(ctx.stack().process()); // the children's readiness follows, their requests are shown
        jvm = new ChildJvm(PreforkWorker.class, config, tree, Map.of(PreforkWorker.PASSED, "true"));
        for (int i = 0; i < config.workers; i++) {
            spawnWorker();
        }
        watcher = Thread.ofPlatform().name("echolab-prefork-watch").start(this::watch);
        // a connection is passed on only once its request head is whole (DescriptorGate), so that a
        // slow client holds no worker's place; the gate holds at most --max-connections
        gate = new DescriptorGate(
                config.headerTimeout,
                Conversation.readBufferSize(config.limits),
                config.limits.maxLine(),
                fd -> {
                    gateRooms.release();
                    handOff(fd);
                },
                fd -> gateRooms.release());
        acceptLoop = AcceptLoop.start(
                List.of(gateRooms),
                () -> {
                    int fd = listener.accept(100); // polls, so that a stop is seen within 100 ms
                    return fd < 0 ? null : fd;
                },
                gate::admit,
                ctx.crash());
        return new InetSocketAddress(InetAddress.getByName(config.bind), listener.port());
    }

    private void spawnWorker() throws IOException {
        int[] pair = Descriptors.socketPair(); // [parent's end, worker's end]
        tree.spawning();
        try {
            ChildProcesses.spawn(
                    jvm.next(false).argv(),
                    pair[1],
                    2,
                    pid -> {
                        Worker w = new Worker(pid, pair[0]);
                        workers.put(pid, w);
                        Thread.ofPlatform()
                                .name("echolab-ready-" + pid)
                                .daemon()
                                .start(() -> readReady(w));
                    },
                    this::workerExited);
        } catch (IOException e) {
            tree.notSpawned();
            Descriptors.close(pair[0]);
            throw e;
        } finally {
            Descriptors.close(pair[1]); // the worker has its copy as fd 0
        }
    }

    /** A worker's ready thread: each byte from it means "idle, pass me a connection". */
    private void readReady(Worker w) {
        try {
            while (Descriptors.awaitByte(w.channel)) {
                idle.add(w);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "worker {0}: {1}", Integer.toString(w.pid), e.getMessage());
        } finally {
            w.close(); // end of file: the worker is gone
        }
    }

    /** On the gate's thread, once the head is whole: the connection to the longest-idle worker, then the parent's copy closed. */
    private void handOff(int fd) {
        try {
            while (!stopping) {
                Worker w = idle.poll(100, TimeUnit.MILLISECONDS);
                if (w == null) {
                    continue; // every worker busy: wait (new clients wait in the backlog)
                }
                try {
                    if (w.pass(fd)) {
                        return;
                    }
                } catch (IOException e) {
                    LOG.log(
                            Level.WARNING,
                            "could not pass a connection to worker {0} ({1}); trying the next",
                            Integer.toString(w.pid),
                            e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Libc.close(fd); // the parent closes its copy (important!): the worker's is now the only one
        }
    }

    /** On the reaper thread: a worker is gone; unless stopping, the watch thread replaces it. */
    private void workerExited(int pid, int status) {
        Worker w = workers.remove(pid);
        tree.reaped();
        if (w != null) {
            idle.removeIf(x -> x == w);
        }
        if (!stopping) {
            LOG.log(
                    Level.WARNING,
                    "worker {0} died ({1}); starting a new one",
                    Integer.toString(pid),
                    ChildProcesses.describe(status));
            deaths.add(0);
        }
    }

    /** The watch thread: one replacement per death, a second apart, until stop. */
    private void watch() {
        while (true) {
            try {
                if (deaths.take() == STOP) {
                    return;
                }
                Thread.sleep(100); // a worker that cannot start does not respawn in a tight loop
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) {
                return;
            }
            try {
                spawnWorker();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "could not start a replacement worker ({0}); retrying", e.getMessage());
                deaths.add(0);
            }
        }
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        stopping = true;
        acceptLoop.stop(() -> {});
        acceptLoop.join();
        gate.close();
        listener.close();
        deaths.add(STOP);
        watcher.join();
        ChildProcesses.stopAll(workers.keySet(), grace); // each drains its connections; SIGKILL after the grace
        tree.close();
    }

    @Override
    public String describe() {
        return config.workers + " worker processes; the parent accepts and passes each connection, aot="
                + jvm.aotState() + " parent=" + ProcessHandle.current().pid() + " workers=" + workers.keySet() + " "
                + tree.summary();
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(tree.totals());
        m.put("workers", config.workers);
        m.put("workersIdle", idle.size());
        m.put("awaitingHead", gate.waitingCount());
        m.put("processTree", tree.figures("parent"));
        return m;
    }
}
