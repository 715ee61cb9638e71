package org.echolab.load;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The run as every event loop sees it: the address, when recording starts and when the run
 * ends, the open workload's schedule, and the measured requests left to send. Immutable but for
 * the ticket counter, the abort flag and, where the warm-up waits for every connection's first
 * answer, the moment recording starts: all thread-safe.
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
    final long timeoutNanos;
    private final double periodNanos;
    private final AtomicLong tickets = new AtomicLong();
    private volatile boolean aborted;

    /** The end of the planned warm-up; recording starts then, or later if it waits for answers. */
    private final long warmedUp;
    /** Where the warm-up waits for answers: connections answered once so far; else null. */
    private final AtomicInteger answeredOnce;
    /** When recording starts; {@link #UNKNOWN} while the warm-up waits for answers. */
    private final AtomicLong measureFrom;

    private static final long UNKNOWN = Long.MAX_VALUE;

    Plan(LoadSpec spec, InetSocketAddress address, String runId, byte[] filler, long start) {
        this.spec = spec;
        this.address = address;
        this.runId = runId;
        this.filler = filler;
        this.open = spec.open();
        this.start = start;
        this.warmedUp = start + spec.warmup().toNanos();
        this.answeredOnce = spec.warmupUntilAnswered() ? new AtomicInteger() : null;
        this.measureFrom = new AtomicLong(answeredOnce == null ? warmedUp : UNKNOWN);
        this.timeoutNanos = spec.timeout().toNanos();
        this.periodNanos = open ? 1e9 / spec.rate() : 0;
    }

    /**
     * When recording starts: the end of the planned warm-up or, where the warm-up waits for
     * answers, the first moment at or after it when every connection has been answered once (at
     * most {@code --timeout} later: a connection still unanswered then is the server's failure, and
     * is measured as one). {@link #UNKNOWN} (after any {@code now}) while the warm-up goes on.
     */
    long measureFrom(long now) {
        long from = measureFrom.get();
        if (from == UNKNOWN
                && now >= warmedUp
                && (answeredOnce.get() == spec.connections() || now >= warmedUp + timeoutNanos)) {
            measureFrom.compareAndSet(UNKNOWN, now);
            from = measureFrom.get();
        }
        return from;
    }

    /** When recording started, once it has; the end of the planned warm-up if it never did. */
    long measuredFrom() {
        long from = measureFrom.get();
        return from == UNKNOWN ? warmedUp : from;
    }

    /** When the run ends: {@code --duration} after recording starts; never while the warm-up goes on. */
    long end() {
        long from = measureFrom.get();
        return spec.duration() == null || from == UNKNOWN
                ? Long.MAX_VALUE
                : from + spec.duration().toNanos();
    }

    /** A connection's first answer, in the warm-up or after it. */
    void answeredOnce() {
        if (answeredOnce != null) {
            answeredOnce.incrementAndGet();
        }
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
        long end = end();
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
