package org.echolab.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What this process's workers are doing, for the live view and {@code /metrics}: a bounded ring
 * of the last {@value #CAPACITY} requests (who served which, when it began and ended) and, over
 * every request, counts by status and a latency histogram.
 *
 * <p><b>Cost:</b> a request's thread writes a few words into preallocated arrays when the request
 * begins and when it ends, and allocates nothing; no one reads them unless someone watches. A
 * request in flight while {@value #CAPACITY} newer ones began loses its slot and drops out of the
 * timeline (its counts stay right).
 *
 * <p><b>Threads:</b> any number of writers (each request is begun and ended by the thread that
 * serves it, or by its event loop) and readers (the monitor). A slot is guarded like a seqlock:
 * its ticket is cleared before its fields are written and set after, so a reader that sees the
 * same ticket before and after reading the fields has read one request's fields, not a mix.
 */
public final class Activity {

    /** Requests kept for the timeline; a power of two. */
    public static final int CAPACITY = 1024;

    /** Upper bounds of the latency histogram's buckets, in seconds (the last bucket is +Inf). */
    public static final double[] LATENCY_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** How a request ended, for the counts by status: an HTTP status, or a TCP line's outcome. */
    public static final int LINE_OK = 1, LINE_ERR = 2;

    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLongArray ticket = new AtomicLongArray(CAPACITY);   // 0: empty or being written
    private final AtomicLongArray began = new AtomicLongArray(CAPACITY);    // nanoTime
    private final AtomicLongArray ended = new AtomicLongArray(CAPACITY);    // nanoTime; 0 while in flight
    private final AtomicLongArray number = new AtomicLongArray(CAPACITY);   // the X-Echo-Request number
    private final AtomicLongArray waitMillis = new AtomicLongArray(CAPACITY);
    private final AtomicLongArray status = new AtomicLongArray(CAPACITY);
    private final AtomicReferenceArray<Thread> worker = new AtomicReferenceArray<>(CAPACITY);
    private final AtomicReferenceArray<String> what = new AtomicReferenceArray<>(CAPACITY);   // a path, or "line"

    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray latencyCounts = new AtomicLongArray(LATENCY_BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();

    /**
     * A request began at {@code beganNanos} on the calling thread; returns its ticket for
     * {@link #ended}. {@code what}: its path, or {@code "line"}; {@code status}: what it will answer.
     */
    public long began(long beganNanos, long requestNumber, String what, int status, long waitMillis) {
        long t = tickets.incrementAndGet();
        int i = (int) (t & (CAPACITY - 1));
        ticket.set(i, 0);                   // readers skip the slot while it is rewritten
        began.set(i, beganNanos);
        ended.set(i, 0);
        number.set(i, requestNumber);
        this.waitMillis.set(i, waitMillis);
        this.status.set(i, status);
        worker.set(i, Thread.currentThread());
        this.what.set(i, what);
        ticket.set(i, t);
        return t;
    }

    /** The request of {@code t} was answered ({@code written}) or abandoned; counts it. */
    public void ended(long t, boolean written) {
        long now = System.nanoTime();
        int i = (int) (t & (CAPACITY - 1));
        if (ticket.get(i) != t) {
            return;                         // its slot went to a newer request; nothing to count it by
        }
        ended.set(i, now);
        if (written) {
            int s = (int) status.get(i);
            byStatus.incrementAndGet(s >= 0 && s < 600 ? s : 0);
            long nanos = now - began.get(i);
            latencyNanos.addAndGet(nanos);
            latencyCounts.incrementAndGet(bucket(nanos / 1e9));
        }
    }

    private static int bucket(double seconds) {
        for (int b = 0; b < LATENCY_BUCKETS.length; b++) {
            if (seconds <= LATENCY_BUCKETS[b]) {
                return b;
            }
        }
        return LATENCY_BUCKETS.length;
    }

    // ---- reading (the monitor) ---------------------------------------------------------------

    /** One request as the ring holds it; {@code endedNanos} is 0 while it is in flight. */
    public record Request(long ticket, Thread worker, String what, long number, int status, long waitMillis,
                          long beganNanos, long endedNanos) {
        public boolean inFlight() {
            return endedNanos == 0;
        }
    }

    /** The requests in flight and those that ended after {@code sinceNanos}, oldest first. */
    public List<Request> since(long sinceNanos) {
        long last = tickets.get();
        List<Request> out = new ArrayList<>();
        for (long t = Math.max(1, last - CAPACITY + 1); t <= last; t++) {
            int i = (int) (t & (CAPACITY - 1));
            if (ticket.get(i) != t) {
                continue;
            }
            Request r = new Request(t, worker.get(i), what.get(i), number.get(i), (int) status.get(i),
                    waitMillis.get(i), began.get(i), ended.get(i));
            if (ticket.get(i) == t && (r.inFlight() || r.endedNanos() > sinceNanos)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Requests answered, by status (an HTTP status, {@link #LINE_OK} or {@link #LINE_ERR}). */
    public long answered(int status) {
        return byStatus.get(status);
    }

    /** Requests answered in each latency bucket of {@link #LATENCY_BUCKETS} (not cumulative), then +Inf. */
    public long[] latencyCounts() {
        long[] counts = new long[latencyCounts.length()];
        for (int b = 0; b < counts.length; b++) {
            counts[b] = latencyCounts.get(b);
        }
        return counts;
    }

    public double latencySumSeconds() {
        return latencyNanos.get() / 1e9;
    }
}
