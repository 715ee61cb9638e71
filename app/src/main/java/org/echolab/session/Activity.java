package org.echolab.session;

import java.util.ArrayList;
import java.util.Comparator;
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
 *
 * <p><b>Process trees:</b> under {@code process} and {@code prefork} the requests are served in
 * child processes, whose heaps the parent's monitor cannot read. Each child therefore also
 * {@linkplain #copyTo copies} its records to a ring in memory the tree shares, and the parent
 * {@linkplain #include includes} that ring: its readers then see the children's requests, and
 * their counts, beside its own. {@link System#nanoTime} is the system-wide monotonic clock on
 * Linux, so the children's times compare with the parent's.
 */
public final class Activity {

    private static final long PID = ProcessHandle.current().pid();

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

    private final AtomicLongArray copied = new AtomicLongArray(CAPACITY);   // the copy's handle, with a copy

    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray latencyCounts = new AtomicLongArray(LATENCY_BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();

    private volatile Copy copy;             // a child's: where its records go too
    private volatile Source included;       // a parent's: its children's records

    /** Where a child process copies each of its requests: the process tree's shared ring. */
    public interface Copy {
        /** A request began on the calling thread; returns a handle for {@link #ended}. */
        long began(long beganNanos, long requestNumber, String what, int status, long waitMillis);

        /** The request of {@code handle} ended; {@code status} is 0 when it was abandoned, not answered. */
        void ended(long handle, long endedNanos, int status, long latencyNanos);
    }

    /** Requests served elsewhere (a process tree's children), read as if they were this process's. */
    public interface Source {
        /** As {@link Activity#since}. */
        List<Request> since(long sinceNanos);

        long answered(int status);

        /** As {@link Activity#latencyCounts}. */
        long[] latencyCounts();

        long latencyNanos();
    }

    /** A child's side: from now on every request is copied to {@code copy} as well. */
    public void copyTo(Copy copy) {
        this.copy = copy;
    }

    /** A parent's side: from now on the readers see {@code source}'s requests and counts beside this process's. */
    public void include(Source source) {
        this.included = source;
    }

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
        Copy c = copy;
        if (c != null) {
            copied.set(i, c.began(beganNanos, requestNumber, what, status, waitMillis));
        }
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
        int s = (int) status.get(i);
        long nanos = now - began.get(i);
        if (written) {
            byStatus.incrementAndGet(s >= 0 && s < 600 ? s : 0);
            latencyNanos.addAndGet(nanos);
            latencyCounts.incrementAndGet(bucket(nanos / 1e9));
        }
        Copy c = copy;
        if (c != null) {
            c.ended(copied.get(i), now, written ? s : 0, nanos);
        }
    }

    /** The bucket of {@link #LATENCY_BUCKETS} a latency of {@code seconds} counts in. */
    public static int bucket(double seconds) {
        for (int b = 0; b < LATENCY_BUCKETS.length; b++) {
            if (seconds <= LATENCY_BUCKETS[b]) {
                return b;
            }
        }
        return LATENCY_BUCKETS.length;
    }

    // ---- reading (the monitor) ---------------------------------------------------------------

    /**
     * One request as a ring holds it.
     *
     * @param pid         the process that served it
     * @param worker      the thread that served it, by name ({@link #name}); with {@code pid P} before it
     *                    if another process served it
     * @param threadState that thread's state now ({@code TIMED_WAITING}: asleep in a wait); null
     *                    when another process served it
     * @param endedNanos  0 while it is in flight
     */
    public record Request(long ticket, long pid, String worker, String threadState, String what, long number,
                          int status, long waitMillis, long beganNanos, long endedNanos) {
        public boolean inFlight() {
            return endedNanos == 0;
        }
    }

    /** A thread's name for people: its own, or {@code virtual-ID} / {@code thread-ID} if it has none. */
    public static String name(Thread t) {
        return t.getName().isEmpty() ? (t.isVirtual() ? "virtual-" : "thread-") + t.threadId() : t.getName();
    }

    /**
     * The requests in flight and those that ended after {@code sinceNanos}, by the time they began;
     * with an {@linkplain #include included} source, its requests too.
     */
    public List<Request> since(long sinceNanos) {
        List<Request> out = own(sinceNanos);
        Source s = included;
        if (s != null) {
            out.addAll(s.since(sinceNanos));
            out.sort(Comparator.comparingLong(Request::beganNanos));
        }
        return out;
    }

    private List<Request> own(long sinceNanos) {
        long last = tickets.get();
        List<Request> out = new ArrayList<>();
        for (long t = Math.max(1, last - CAPACITY + 1); t <= last; t++) {
            int i = (int) (t & (CAPACITY - 1));
            if (ticket.get(i) != t) {
                continue;
            }
            Thread w = worker.get(i);
            Request r = new Request(t, PID, name(w), w.getState().name(), what.get(i), number.get(i),
                    (int) status.get(i), waitMillis.get(i), began.get(i), ended.get(i));
            if (ticket.get(i) == t && (r.inFlight() || r.endedNanos() > sinceNanos)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Requests answered, by status (an HTTP status, {@link #LINE_OK} or {@link #LINE_ERR}), with an included source's. */
    public long answered(int status) {
        Source s = included;
        return byStatus.get(status) + (s == null ? 0 : s.answered(status));
    }

    /** Requests answered in each latency bucket of {@link #LATENCY_BUCKETS} (not cumulative), then +Inf. */
    public long[] latencyCounts() {
        long[] counts = new long[latencyCounts.length()];
        Source s = included;
        long[] elsewhere = s == null ? null : s.latencyCounts();
        for (int b = 0; b < counts.length; b++) {
            counts[b] = latencyCounts.get(b) + (elsewhere == null ? 0 : elsewhere[b]);
        }
        return counts;
    }

    public double latencySumSeconds() {
        Source s = included;
        return (latencyNanos.get() + (s == null ? 0 : s.latencyNanos())) / 1e9;
    }
}
