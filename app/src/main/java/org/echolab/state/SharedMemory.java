package org.echolab.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * The counters of the {@code shm-*} state variants in a file under {@code /dev/shm}, mapped
 * MAP_SHARED into every process of a server: real shared memory between the parent and the
 * children of the {@code process} and {@code prefork} models (heap objects are private to each
 * process, so a heap counter in a child counts that child's requests only).
 *
 * <p><b>Who creates it.</b> The process that starts the server (the parent) creates the state
 * first: the file is made and its path put in the system property {@value #PROPERTY}. The
 * parent passes every {@code echolab.*} property to its children, so a child finds the property
 * set and maps the existing file instead. Only the creator deletes the file, when its server
 * stops ({@link #close}) or at JVM exit at the latest.
 *
 * <p><b>Layout.</b> Longs in the platform's native byte order (the VarHandles below; a ByteBuffer
 * would be big-endian and disagree), each on its own 64-byte cache line so that the counters do
 * not slow each other down. Slot 0 holds the race window in nanoseconds, written by the creator,
 * so every process pauses alike.
 *
 * <p>Thread-safe as far as the mapping goes; whether the counts are is up to the caller's access
 * mode: {@link #get}/{@link #set} are plain loads and stores, {@link #getAndAdd} and
 * {@link #compareAndSet} are the CPU's atomic instructions (lock xadd, lock cmpxchg), which work
 * across processes because they act on the physical memory that every mapping shares.
 */
public final class SharedMemory implements AutoCloseable {

    /** The system property that names the mapped file; set by the creator, inherited by children. */
    public static final String PROPERTY = "echolab.state.file";

    public static final long WINDOW_NANOS = 0;
    public static final long REQUEST_NUMBER = 64;
    public static final long SERVED = 128;
    public static final long OPEN = 192;
    public static final long PEAK = 256;
    public static final long SIZE = 320;

    /** Native order, 8-byte aligned; coordinates (segment, offset). */
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;
    private final Path file; // null: an anonymous segment (tests, jcstress)
    private final boolean creator;

    private SharedMemory(MemorySegment segment, Path file, boolean creator) {
        this.segment = segment;
        this.file = file;
        this.creator = creator;
    }

    /**
     * Maps the file named by {@value #PROPERTY}, or, when the property is absent, creates a new
     * file (under /dev/shm where there is one), records {@code window} in it and sets the property.
     */
    public static synchronized SharedMemory openOrCreate(Duration window) {
        String existing = System.getProperty(PROPERTY);
        try {
            if (existing != null) {
                Path file = Path.of(existing);
                if (!Files.isRegularFile(file) || Files.size(file) < SIZE) {
                    throw new IllegalStateException(PROPERTY + "=" + existing
                            + " is not an EchoLab state file; unset it to have a new one created");
                }
                return new SharedMemory(map(file), file, false);
            }
            Path dir = Path.of("/dev/shm");
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                dir = Path.of(System.getProperty("java.io.tmpdir")); // still MAP_SHARED, via the page cache
            }
            Path file = Files.createTempFile(dir, "echolab-state-", ".bin");
            file.toFile().deleteOnExit();
            SharedMemory memory = new SharedMemory(map(file), file, true);
            memory.set(WINDOW_NANOS, window.toNanos());
            System.setProperty(PROPERTY, file.toString());
            return memory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the shared state file: " + e.getMessage(), e);
        }
    }

    /** A private segment with the same layout: for tests and jcstress, which need no file. */
    public static SharedMemory anonymous(Duration window) {
        SharedMemory memory = new SharedMemory(Arena.ofAuto().allocate(SIZE, 64), null, false);
        memory.set(WINDOW_NANOS, window.toNanos());
        return memory;
    }

    private static MemorySegment map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // the auto arena unmaps when the segment is unreachable: a late worker thread still
            // counting after stop() touches valid memory; the mapping outlives the channel
            return channel.map(MapMode.READ_WRITE, 0, SIZE, Arena.ofAuto());
        }
    }

    public Duration window() {
        return Duration.ofNanos(get(WINDOW_NANOS));
    }

    /** Plain load: may be stale, and a read-then-{@link #set} can lose another process's write. */
    public long get(long offset) {
        return (long) LONG.get(segment, offset);
    }

    /** Plain store. */
    public void set(long offset, long value) {
        LONG.set(segment, offset, value);
    }

    /** Volatile load: the latest value any process stored atomically or volatilely. */
    public long getVolatile(long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    /** Atomic add (lock xadd on x86); returns the value before. */
    public long getAndAdd(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }

    /** Atomic compare-and-set (lock cmpxchg on x86). */
    public boolean compareAndSet(long offset, long expected, long value) {
        return LONG.compareAndSet(segment, offset, expected, value);
    }

    /** The counters as {@code /stats} shows them; shared memory keeps no per-client map. */
    public ServerState.Snapshot snapshot() {
        return new ServerState.Snapshot(
                getVolatile(REQUEST_NUMBER), getVolatile(SERVED), getVolatile(OPEN), getVolatile(PEAK), Map.of());
    }

    public Path file() {
        return file;
    }

    /** The creator deletes the file and clears the property (so a next server gets a new file). */
    @Override
    public synchronized void close() {
        if (!creator) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // deleteOnExit is still registered
        }
        if (file.toString().equals(System.getProperty(PROPERTY))) {
            System.clearProperty(PROPERTY);
        }
    }
}
