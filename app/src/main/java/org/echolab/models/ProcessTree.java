package org.echolab.models;

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

/**
 * The process models' tree figures (parent pid, live, peak, spawned and reaped children), kept in
 * a small file that the parent maps read-write and each child maps read-only, so that any child's
 * {@code /stats} shows the whole tree. The file sits in {@code /dev/shm} (memory, not disk); the
 * parent names it to each child with {@code -Decholab.tree.file} and deletes it when it stops.
 *
 * <p>Only the parent writes. Its accept (or watch) thread and its reaper thread both update the
 * counters, so each update is one atomic read-modify-write on the mapping
 * ({@code VarHandle.getAndAdd}); children read with {@code getVolatile}. The figures are separate
 * gauges, not one consistent snapshot.
 */
public final class ProcessTree implements AutoCloseable {

    /** The system property that names the file to a child. */
    public static final String PROPERTY = "echolab.tree.file";

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PARENT = 0, LIVE = 8, PEAK = 16, SPAWNED = 24, REAPED = 32, SIZE = 40;

    private final Path file;
    private final MemorySegment board;
    private final boolean owner;

    // Arena.ofAuto: the mapping lives while anyone (say, a late reaper callback) still uses it
    private ProcessTree(Path file, MemorySegment board, boolean owner) {
        this.file = file;
        this.board = board;
        this.owner = owner;
    }

    /** The parent's side: a new, zeroed board with this process as the parent. */
    public static ProcessTree create() throws IOException {
        Path dir = Path.of("/dev/shm");
        Path file = Files.createTempFile(Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir")),
                "echolab-tree-" + ProcessHandle.current().pid() + "-", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment board = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, Arena.ofAuto());
            LONG.setVolatile(board, PARENT, ProcessHandle.current().pid());
            return new ProcessTree(file, board, true);
        }
    }

    /** A child's side: the board its parent named, or null when started without one. */
    public static ProcessTree fromProperty() {
        String name = System.getProperty(PROPERTY);
        if (name == null) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(Path.of(name), StandardOpenOption.READ)) {
            return new ProcessTree(Path.of(name), ch.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, Arena.ofAuto()), false);
        } catch (IOException e) {
            return null;                    // the parent has stopped already; /stats just lacks the tree
        }
    }

    public Path file() {
        return file;
    }

    /** A child is about to be spawned: counted live from now, so the reaper can never see it below 0. */
    public void spawning() {
        long live = (long) LONG.getAndAdd(board, LIVE, 1L) + 1;
        LONG.getAndAdd(board, SPAWNED, 1L);
        long peak;
        do {                                // peak = max(peak, live) without losing a higher value
            peak = (long) LONG.getVolatile(board, PEAK);
        } while (live > peak && !LONG.compareAndSet(board, PEAK, peak, live));
    }

    /** A spawn failed: nothing was started. */
    public void notSpawned() {
        LONG.getAndAdd(board, LIVE, -1L);
        LONG.getAndAdd(board, SPAWNED, -1L);
    }

    /** A child was reaped. */
    public void reaped() {
        LONG.getAndAdd(board, LIVE, -1L);
        LONG.getAndAdd(board, REAPED, 1L);
    }

    public long live() {
        return (long) LONG.getVolatile(board, LIVE);
    }

    public long peak() {
        return (long) LONG.getVolatile(board, PEAK);
    }

    /** For /stats: the tree as seen from this process ({@code role}: parent, child or worker). */
    public Map<String, Object> figures(String role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("parentPid", (long) LONG.getVolatile(board, PARENT));
        m.put("live", live());
        m.put("peak", peak());
        m.put("spawned", (long) LONG.getVolatile(board, SPAWNED));
        m.put("reaped", (long) LONG.getVolatile(board, REAPED));
        return m;
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
