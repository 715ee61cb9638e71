package org.echolab.load;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The run as every event loop sees it: the address, when recording starts and when the run
 * ends, the open workload's schedule, and the measured requests left to send. Immutable but for
 * the ticket counter and the abort flag, both thread-safe.
 *
 * <p>The open schedule spreads {@code rate} over the connections: connection {@code i} of
 * {@code C} sends its {@code k}-th request at {@code start + (i + k*C) / rate}, so together they
 * send one request every {@code 1/rate} seconds, evenly spaced.
 */
final class Plan {

    final LoadSpec spec;
    final InetSocketAddress address;
    final String runId;
    /** {@code Payload.of(new byte[0], size)}: the filler every size=N echo ends with; null for size 0. */
    final byte[] filler;

    final boolean open;
    final long start;
    final long measureFrom;
    final long end;
    final long timeoutNanos;
    private final double periodNanos;
    private final AtomicLong tickets = new AtomicLong();
    private volatile boolean aborted;

    Plan(LoadSpec spec, InetSocketAddress address, String runId, byte[] filler, long start) {
        this.spec = spec;
        this.address = address;
        this.runId = runId;
        this.filler = filler;
        this.open = spec.open();
        this.start = start;
        this.measureFrom = start + spec.warmup().toNanos();
        this.end = spec.duration() == null
                ? Long.MAX_VALUE
                : measureFrom + spec.duration().toNanos();
        this.timeoutNanos = spec.timeout().toNanos();
        this.periodNanos = open ? 1e9 / spec.rate() : 0;
    }

    /** Open workload: the intended start of connection {@code slot}'s {@code k}-th request. */
    long intended(int slot, long k) {
        return start + (long) ((slot + (double) k * spec.connections()) * periodNanos);
    }

    /** Open workload: how many of connection {@code slot}'s requests from the {@code k}-th on were due before {@code endNanos}. */
    long dueBefore(int slot, long k, long endNanos) {
        double kEnd = ((endNanos - start) / periodNanos - slot) / spec.connections();
        return Math.max(0, (long) Math.ceil(kEnd) - k);
    }

    /** Whether a request intended to start at {@code intended} may still begin at {@code now}. */
    boolean inTime(long intended, long now) {
        return !aborted && now < end && intended < end;
    }

    /** Takes one of the measured requests; false when {@code --requests} are all taken. */
    boolean takeTicket() {
        long limit = spec.requests();
        return limit == 0 || tickets.getAndIncrement() < limit;
    }

    void abort() {
        aborted = true;
    }

    boolean aborted() {
        return aborted;
    }
}
