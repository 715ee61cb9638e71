package org.echolab.models.tree;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.echolab.process.Closes;
import org.echolab.process.Resources;
import org.echolab.state.ServerState;

/**
 * The process tree's board of counters: the process models' figures for the whole tree, kept in
 * a small file that the parent and every child map (MAP_SHARED). The parent counts its children
 * (live, peak, spawned, reaped) and says when it is stopping; each child, through its
 * {@link TreeChild}, notes that it has started, counts its connections and their closes by cause
 * ({@link Closes}: the unanswered among them) and copies its requests ({@link TreeRequests}: the
 * requests served, in flight, by status and latency, and the last ones for the live view). A
 * process that dies with connections open (killed, or out of memory) counts nothing for them. So the parent's {@code /stats}, live view and {@code /metrics} show the
 * tree, not one process, and every child's {@code /health/ready} follows the parent's. The file
 * sits in {@code /dev/shm} (memory, not disk); the parent names it to each child with
 * {@code -Decholab.tree.file} and deletes it when it stops.
 *
 * <p>Several threads in several processes update the same words, so every update is one atomic
 * read-modify-write on the mapping ({@code VarHandle.getAndAdd}, a {@code lock xadd} on x86),
 * and a peak is raised with a compare-and-set loop. The figures are separate gauges, not one
 * consistent snapshot. (Heap state, by contrast, is per process: see the race lab for shared
 * counters done wrong and right.)
 */
public final class TreeBoard implements AutoCloseable {

    /** The system property that names the file to a child. */
    public static final String PROPERTY = "echolab.tree.file";

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    // the parent's words
    private static final long PARENT = 0, LIVE = 8, PEAK = 16, SPAWNED = 24, REAPED = 32;
    // the children's connections (their requests are in TreeRequests)
    private static final long OPEN = 40, OPEN_PEAK = 48;
    // the parent's readiness, which every child's /health/ready reports: 0 ready, 1 stopping
    private static final long LEAVING = 56;
    // the children's "I have started" notes: a cursor, then a ring of pids
    private static final long STARTED = 64, RING = 72;
    /** Notes the ring holds: more than the children that can be starting, unread, at once. */
    public static final int RING_SLOTS = 1024;
    // the children's requests (TreeRequests), from a 64-byte boundary
    private static final long REQUESTS = (RING + RING_SLOTS * 8L + 63) / 64 * 64;
    // every process's closes (Closes): a word per cause, then the unanswered
    private static final long CLOSES = REQUESTS + TreeRequests.SIZE;
    private static final long UNANSWERED = CLOSES + Closes.Cause.values().length * 8L;
    private static final long SIZE = UNANSWERED + 8;

    private final Path file;
    private final MemorySegment board;
    private final boolean owner;
    private final TreeRequests requests;

    // Arena.ofAuto: the mapping lives while anyone (say, a late reaper callback) still uses it
    private TreeBoard(Path file, MemorySegment board, boolean owner) {
        this.file = file;
        this.board = board;
        this.owner = owner;
        this.requests = new TreeRequests(board.asSlice(REQUESTS, TreeRequests.SIZE), "-D" + PROPERTY + "=" + file);
    }

    /** The parent's side: a new, zeroed board with this process as the parent. */
    private static TreeBoard create() throws IOException {
        Path dir = Path.of("/dev/shm");
        Path file = Files.createTempFile(
                Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir")),
                "echolab-tree-" + ProcessHandle.current().pid() + "-",
                ".bin");
        TreeBoard tree = map(file, true);
        LONG.setVolatile(tree.board, PARENT, ProcessHandle.current().pid());
        return tree;
    }

    /**
     * A new board for the parent that serves from {@code parent}'s stack: its children answer
     * {@code /health/ready} as the parent does, and its live view and {@code /metrics} include
     * the children's requests.
     */
    public static TreeBoard create(Resources parent) throws IOException {
        TreeBoard tree = create();
        parent.readiness().whenLeaving(tree::parentLeaves);
        parent.ledger().activity().include(tree.requests);
        parent.ledger().closes().copyTo(tree::closed); // the parent's own closes (a head it gave up on) count too
        return tree;
    }

    /** The pid of the parent that made this board. */
    public long parentPid() {
        return get(PARENT);
    }

    /** A child's side: the board its parent named, or null when started without one. */
    static TreeBoard fromProperty() {
        String name = System.getProperty(PROPERTY);
        try {
            return name == null ? null : map(Path.of(name), false);
        } catch (IOException e) {
            return null; // the parent has stopped already; /stats just lacks the tree
        }
    }

    private static TreeBoard map(Path file, boolean owner) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new TreeBoard(file, ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, Arena.ofAuto()), owner);
        }
    }

    public Path file() {
        return file;
    }

    // ---- the parent: its children ---------------------------------------------------------------

    /** A child is about to be spawned: counted live from now, so the reaper can never see it below 0. */
    public void spawning() {
        raise(PEAK, add(LIVE, 1));
        add(SPAWNED, 1);
    }

    /** A spawn failed: nothing was started. */
    public void notSpawned() {
        add(LIVE, -1);
        add(SPAWNED, -1);
    }

    /** A child was reaped. */
    public void reaped() {
        add(LIVE, -1);
        add(REAPED, 1);
    }

    public long live() {
        return get(LIVE);
    }

    /** For the startup line: {@code live=2 spawned=2 reaped=0}. */
    public String summary() {
        return "live=" + get(LIVE) + " spawned=" + get(SPAWNED) + " reaped=" + get(REAPED);
    }

    /**
     * Reads the started notes after {@code cursor}, hands each child's pid to {@code started} and
     * returns the new cursor. A note whose pid is not written yet stops the reading until next time.
     */
    public long startedSince(long cursor, java.util.function.LongConsumer started) {
        long end = get(STARTED);
        for (; cursor < end; cursor++) {
            long slot = RING + (cursor % RING_SLOTS) * 8;
            long pid = get(slot);
            if (pid == 0) {
                break;
            }
            LONG.setVolatile(board, slot, 0L);
            started.accept(pid);
        }
        return cursor;
    }

    /** The parent is stopping: from now on every child's {@code /health/ready} answers 503. */
    public void parentLeaves() {
        LONG.setVolatile(board, LEAVING, 1L);
    }

    /** What a child's {@code /health/ready} follows: whether the parent is still ready. */
    boolean parentReady() {
        return get(LEAVING) == 0;
    }

    // ---- a child: its start and its connections (see TreeChild) -------------------------------

    /** A child's note that its JVM has started and is about to serve: the parent may start another. */
    void childStarted() {
        long i = add(STARTED, 1) - 1;
        LONG.setVolatile(
                board, RING + (i % RING_SLOTS) * 8, ProcessHandle.current().pid());
    }

    /** A connection of this process closed ({@link Closes}): counted for the tree. */
    void closed(Closes.Cause cause, boolean unanswered) {
        add(CLOSES + cause.ordinal() * 8L, 1);
        if (unanswered) {
            add(UNANSWERED, 1);
        }
    }

    /** The part of the board where the children copy their requests. */
    TreeRequests requests() {
        return requests;
    }

    /** {@code state}, unchanged, that also counts this process's connections on the board. */
    ServerState countingConnections(ServerState state) {
        return new CountingConnections(state);
    }

    private final class CountingConnections implements ServerState {
        private final ServerState state;

        CountingConnections(ServerState state) {
            this.state = state;
        }

        @Override
        public String name() {
            return state.name();
        }

        @Override
        public long nextRequestNumber() {
            return state.nextRequestNumber();
        }

        @Override
        public void requestServed(String client) {
            state.requestServed(client);
        }

        @Override
        public void connectionOpened() {
            raise(OPEN_PEAK, add(OPEN, 1));
            state.connectionOpened();
        }

        @Override
        public void connectionClosed() {
            add(OPEN, -1);
            state.connectionClosed();
        }

        @Override
        public Snapshot snapshot() {
            return state.snapshot();
        }
    }

    // ---- reading -----------------------------------------------------------------------------

    /** The tree's figures under the names /stats uses for one process's. */
    public Map<String, Object> totals() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestsServed", requests.served());
        m.put("requestsInFlight", requests.inFlight());
        m.put("requestsInFlightPeak", requests.inFlightPeak());
        m.put("connectionsOpen", get(OPEN));
        m.put("connectionsPeak", get(OPEN_PEAK));
        Map<String, Long> closedBy = new LinkedHashMap<>();
        for (Closes.Cause c : Closes.Cause.values()) {
            closedBy.put(c.label, get(CLOSES + c.ordinal() * 8L));
        }
        m.put("connectionsClosedBy", closedBy);
        m.put("requestsUnanswered", get(UNANSWERED));
        return m;
    }

    /** For /stats: the tree as seen from this process ({@code role}: parent, child or worker). */
    public Map<String, Object> figures(String role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("parentPid", get(PARENT));
        m.put("live", get(LIVE));
        m.put("peak", get(PEAK));
        m.put("spawned", get(SPAWNED));
        m.put("reaped", get(REAPED));
        m.put("started", get(STARTED)); // children that noted their start: a prefork worker once it accepts
        m.putAll(totals());
        return m;
    }

    private long get(long offset) {
        return (long) LONG.getVolatile(board, offset);
    }

    /** Atomically adds and returns the new value. */
    private long add(long offset, long delta) {
        return (long) LONG.getAndAdd(board, offset, delta) + delta;
    }

    /** Raises the word at {@code offset} to {@code value} unless it is higher already; no higher value is lost. */
    private void raise(long offset, long value) {
        long now;
        do {
            now = get(offset);
        } while (value > now && !LONG.compareAndSet(board, offset, now, value));
    }

    /** The parent deletes the file (children keep their mappings); a child does nothing. */
    @Override
    public void close() {
        if (owner) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // /dev/shm is cleared at reboot anyway
            }
        }
    }
}
