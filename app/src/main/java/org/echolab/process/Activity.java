package org.echolab.process;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

/**
 * What this process's workers are doing, for the live view and {@code /metrics}: a bounded ring
 * of the last {@value #CAPACITY} requests (who served which, when it began and ended) and, over
 * every request, counts by status and a latency histogram.
 *
 * <p><b>Cost:</b> a request's thread writes a few words into preallocated arrays when the request
 * begins and when it ends, and allocates one small {@link Entry}, which its reply carries to the
 * end; no one reads the ring unless someone watches. The counts are kept from the entry, so they
 * are right for every request; the ring keeps the newest: a request in flight while
 * {@value #CAPACITY} newer ones began loses its slot and drops out of the timeline.
 *
 * <p><b>Threads:</b> any number of writers (each request is begun and ended by the thread that
 * serves it, or by its event loop) and readers (the monitor). A writer claims a slot by a
 * compare-and-set of its ticket to {@code BUSY}, so two writers never write one slot at once
 * (one preempted in the middle of its writing while the ring came round would otherwise mix its
 * fields with a newer request's); a slot it cannot claim leaves that request out of the timeline.
 * Readers check the ticket before and after reading the fields, as with a seqlock, so they read
 * one request's fields, never a mix. The claim is a full fence; the fields and the ticket after
 * it are release stores, which cost a writer no fence of their own: a reader that sees a newer
 * writer's field sees that writer's claim too, at its second look at the ticket.
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

    /** A slot's ticket while a writer has it. */
    private static final long BUSY = -1;

    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLongArray ticket = new AtomicLongArray(CAPACITY); // 0: empty; BUSY: being written
    private final AtomicLongArray began = new AtomicLongArray(CAPACITY); // nanoTime
    private final AtomicLongArray ended = new AtomicLongArray(CAPACITY); // nanoTime; 0 while in flight
    private final AtomicLongArray number = new AtomicLongArray(CAPACITY); // the X-Echo-Request number
    private final AtomicLongArray waitMillis = new AtomicLongArray(CAPACITY);
    private final AtomicLongArray status = new AtomicLongArray(CAPACITY);
    private final AtomicReferenceArray<Thread> worker = new AtomicReferenceArray<>(CAPACITY);
    private final AtomicReferenceArray<String> what = new AtomicReferenceArray<>(CAPACITY); // a path, or "line"

    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray latencyCounts = new AtomicLongArray(LATENCY_BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();

    private volatile Copy copy; // a child's: where its records go too
    private volatile Source included; // a parent's: its children's records

    /**
     * One request from its beginning to its end: what {@link #began} returns and {@link #ended}
     * takes (the reply carries it).
     *
     * @param ticket its slot's ticket in the ring, 0 if it got none
     * @param copy   its handle in the {@link Copy}, with one
     */
    public record Entry(long ticket, long beganNanos, int status, long copy) {
        /** For a reply that no request began (a test's). */
        public static final Entry NONE = new Entry(0, 0, 0, 0);
    }

    /** Where a child process copies each of its requests: the process tree's shared ring. */
    public interface Copy {
        /** A request began on the calling thread; returns a handle for {@link #ended}. */
        long began(long beganNanos, long requestNumber, String what, int status, long waitMillis);

        /**
         * The request of {@code handle} ended; {@code status} is 0 when it was abandoned, not
         * answered. A handle of 0 (no record) still counts.
         */
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

        /** Whether {@code child}, a child of this process, is one of those whose requests this source holds. */
        boolean serves(ProcessHandle child);
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
     * A request began at {@code beganNanos} on the calling thread; returns its entry for
     * {@link #ended}. {@code what}: its path, or {@code "line"}; {@code status}: what it will answer.
     */
    public Entry began(long beganNanos, long requestNumber, String what, int status, long waitMillis) {
        long t = tickets.incrementAndGet();
        int i = (int) (t & (CAPACITY - 1));
        long held = ticket.get(i);
        if (held == BUSY || held > t || !ticket.compareAndSet(i, held, BUSY)) {
            t = 0; // another writer has the slot (or a newer request): no record
        } else {
            began.setRelease(i, beganNanos);
            ended.setRelease(i, 0);
            number.setRelease(i, requestNumber);
            this.waitMillis.setRelease(i, waitMillis);
            this.status.setRelease(i, status);
            worker.setRelease(i, Thread.currentThread());
            this.what.setRelease(i, what);
            ticket.setRelease(i, t);
        }
        Copy c = copy;
        return new Entry(
                t, beganNanos, status, c == null ? 0 : c.began(beganNanos, requestNumber, what, status, waitMillis));
    }

    /** The request of {@code e} was answered ({@code written}) or abandoned; counts it. */
    public void ended(Entry e, boolean written) {
        if (e == Entry.NONE) {
            return;
        }
        long now = System.nanoTime();
        long nanos = now - e.beganNanos();
        if (written) {
            int s = e.status();
            byStatus.incrementAndGet(s >= 0 && s < 600 ? s : 0);
            latencyNanos.addAndGet(nanos);
            latencyCounts.incrementAndGet(bucket(nanos / 1e9));
        }
        int i = (int) (e.ticket() & (CAPACITY - 1));
        if (e.ticket() != 0 && ticket.compareAndSet(i, e.ticket(), BUSY)) { // else a newer request has its slot
            ended.setRelease(i, now);
            ticket.setRelease(i, e.ticket());
        }
        Copy c = copy;
        if (c != null) {
            c.ended(e.copy(), now, written ? e.status() : 0, nanos);
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
    public record Request(
            long pid,
            String worker,
            String threadState,
            String what,
            long number,
            int status,
            long waitMillis,
            long beganNanos,
            long endedNanos) {
        public boolean inFlight() {
            return endedNanos == 0;
        }
    }

    /**
     * This process's children whose requests its readers see: those of an {@linkplain #include
     * included} source (a process tree's), none without one. Other children (a browser a test
     * started, a tool) are not the server's workers.
     */
    public Stream<ProcessHandle> servingChildren() {
        Source s = included;
        return s == null ? Stream.empty() : ProcessHandle.current().children().filter(s::serves);
    }

    /**
     * Who is serving: this process and the calling thread, as the X-Echo-Worker header says it.
     * The last answer is kept: a loop's thread, which serves every request, asks again and again.
     */
    public static String worker() {
        Thread t = Thread.currentThread();
        Worker last = lastWorker;
        if (last.thread() != t || last.name() != t.getName()) { // another thread, or this one renamed
            last = new Worker(t, t.getName(), "pid=" + PID + " thread=" + name(t));
            lastWorker = last;
        }
        return last.text();
    }

    private record Worker(Thread thread, String name, String text) {}

    private static volatile Worker lastWorker = new Worker(null, null, null);

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
            Request r = new Request(
                    PID,
                    name(w),
                    w.getState().name(),
                    what.get(i),
                    number.get(i),
                    (int) status.get(i),
                    waitMillis.get(i),
                    began.get(i),
                    ended.get(i));
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
