package org.echolab.state;

/**
 * Correct shared state across processes ({@code --state shm-atomic}): the counters of
 * {@link ShmBrokenState} in the same /dev/shm mapping, changed only with the CPU's atomic
 * instructions through native-order VarHandles: {@code getAndAdd} for the counters (one
 * {@code lock xadd}: no gap between read and write for another process to fall into) and a
 * compare-and-set loop for the peak (retries when another process raised it meanwhile, so a higher
 * peak is never overwritten by a lower one). These act on the physical memory that every mapping
 * shares, so they are atomic between processes exactly as between threads.
 *
 * <p>No per-client map (see {@link ShmBrokenState}). Cost: like {@link AtomicState}'s AtomicLong,
 * one contended cache line per counter; no LongAdder equivalent here.
 */
public final class ShmAtomicState implements ServerState, AutoCloseable {

    private final SharedMemory memory;

    public ShmAtomicState(SharedMemory memory) {
        this.memory = memory;
    }

    @Override
    public String name() {
        return "shm-atomic";
    }

    @Override
    public long nextRequestNumber() {
        return memory.getAndAdd(SharedMemory.REQUEST_NUMBER, 1) + 1;
    }

    @Override
    public void requestServed(String client) {
        memory.getAndAdd(SharedMemory.SERVED, 1);
    }

    @Override
    public void connectionOpened() {
        long now = memory.getAndAdd(SharedMemory.OPEN, 1) + 1;
        long peak = memory.getVolatile(SharedMemory.PEAK);
        while (now > peak && !memory.compareAndSet(SharedMemory.PEAK, peak, now)) {
            peak = memory.getVolatile(SharedMemory.PEAK); // someone moved it: look again
        }
    }

    @Override
    public void connectionClosed() {
        memory.getAndAdd(SharedMemory.OPEN, -1);
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
