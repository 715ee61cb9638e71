package org.echolab.state;

/**
 * BROKEN on purpose ({@code --state shm-broken}): the counters live in shared memory
 * ({@link SharedMemory}, a /dev/shm mapping), so every process of a {@code process} or
 * {@code prefork} server sees them, but they are read and written with plain loads and stores:
 * the same lost updates and duplicate numbers as {@link BrokenState}, now between processes as
 * well as threads. No Java lock can help across processes; {@link ShmAtomicState} is the fix.
 *
 * <p>No per-client map: a map in shared memory would need its own allocator, beyond this lab; the
 * snapshot's per-client map is empty.
 *
 * <p>Observed here ({@code echolab race}, 2000 requests, 8 clients, window 1ms): served 290-423
 * of 2000 under thread, pool and virtual (1112 under eventloop); {@code SharedMemoryAcrossProcessesTest}: 3 child JVMs x 1000
 * increments with a 100us window lose updates. docs/race-conditions.md has the process models' rows.
 */
public final class ShmBrokenState implements ServerState, AutoCloseable {

    private final SharedMemory memory;
    private final RaceWindow window;

    public ShmBrokenState(SharedMemory memory) {
        this.memory = memory;
        this.window = new RaceWindow(memory.window());
    }

    @Override
    public String name() {
        return "shm-broken";
    }

    @Override
    public long nextRequestNumber() {
        long next = memory.get(SharedMemory.REQUEST_NUMBER) + 1;
        window.pause();
        memory.set(SharedMemory.REQUEST_NUMBER, next); // another process may have stored the same
        return next;
    }

    @Override
    public void requestServed(String client) {
        long s = memory.get(SharedMemory.SERVED);
        window.pause();
        memory.set(SharedMemory.SERVED, s + 1);
    }

    @Override
    public void connectionOpened() {
        long now = memory.get(SharedMemory.OPEN) + 1;
        window.pause();
        memory.set(SharedMemory.OPEN, now);
        if (now > memory.get(SharedMemory.PEAK)) { // check-then-act, across processes
            window.pause();
            memory.set(SharedMemory.PEAK, now);
        }
    }

    @Override
    public void connectionClosed() {
        long now = memory.get(SharedMemory.OPEN) - 1;
        window.pause();
        memory.set(SharedMemory.OPEN, now);
    }

    @Override
    public Snapshot snapshot() {
        return memory.snapshot();
    }

    @Override
    public void close() {
        memory.close();
    }
}
