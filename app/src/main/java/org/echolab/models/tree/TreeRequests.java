package org.echolab.models.tree;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.echolab.process.Activity;

/**
 * The process tree's requests, in a part of the {@link TreeBoard}'s shared file: the last requests
 * the children served, their counts by status and latency, and those in flight. Each child's
 * {@link Activity} copies its requests here (through its {@link #writer}), and this is the only way
 * they reach the parent: its live view, {@code /metrics} and {@code /stats} all read them here
 * ({@link Activity.Source}, {@link #served}, {@link #inFlight}). A request served is counted once,
 * by its status; {@code requestsServed} is the sum of those counts.
 *
 * <p><b>Stripes:</b> the part is cut into {@value #STRIPES} stripes of {@value #PER_STRIPE}
 * records, each with its own ticket counter and counts, and each child writes to a stripe of its
 * own (taken in turn when it starts). Children running side by side on different cores then
 * never write the same cache line, which a single counter and ring shared by all would make them
 * do on every request. The reader goes over every stripe and sums the counts.
 *
 * <p><b>Cost:</b> a child writes one 128-byte record when a request begins and two words and three
 * counts when it ends, in its own stripe, allocating nothing, and adds to the in-flight gauge, the
 * one word every child writes; the parent reads only when someone watches, scrapes or asks
 * {@code /stats}. A child killed in the middle of a request leaves the gauge one too high.
 *
 * <p><b>Threads and processes:</b> a prefork worker's threads share its stripe: a request takes a
 * ticket with one atomic add on the stripe's counter, and its record is claimed and guarded as
 * {@link Activity}'s slots are (a compare-and-set of the record's ticket to {@code BUSY} while it
 * is written; readers check the ticket before and after), so two writers never mix their fields
 * and a reader never takes a half-written record for a whole one. A child killed while a request
 * was in flight leaves its record open; the reader drops records of processes that are gone. The
 * path and the thread's name are kept to {@value #TEXT} bytes of ASCII.
 */
public final class TreeRequests implements Activity.Source {

    /** Stripes, and records in each (powers of two): 2,048 records in all. */
    public static final int STRIPES = 8, PER_STRIPE = 256;

    static final int TEXT = 32;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long BUSY = -1; // a record's ticket while a writer has it
    private static final long PID_SELF = ProcessHandle.current().pid();

    // the part: which stripe the next child takes, the tree's requests in flight and their peak,
    // then the stripes, each on its own cache lines
    private static final long NEXT_STRIPE = 0, IN_FLIGHT = 8, IN_FLIGHT_PEAK = 16, STRIPES_AT = 64;
    // a stripe: its ticket counter, answered by status, latency buckets and their sum, then its records
    private static final long TICKETS = 0, BY_STATUS = 8, STATUSES = 600;
    private static final long LATENCY = BY_STATUS + STATUSES * 8, BUCKETS = Activity.LATENCY_BUCKETS.length + 1;
    private static final long LATENCY_NANOS = LATENCY + BUCKETS * 8;
    private static final long RECORDS = (LATENCY_NANOS + 8 + 63) / 64 * 64;
    // a record's words, then its two texts
    private static final long RECORD = 128;
    private static final long TICKET = 0,
            PID = 8,
            BEGAN = 16,
            ENDED = 24,
            NUMBER = 32,
            WAIT = 40,
            STATUS = 48,
            LENGTHS = 56,
            WHAT = 64,
            WORKER = WHAT + TEXT;
    private static final long STRIPE = RECORDS + PER_STRIPE * RECORD;

    /** Bytes the part takes in the board's file. */
    static final long SIZE = STRIPES_AT + STRIPES * STRIPE;

    private final MemorySegment part;
    private final String property; // -Decholab.tree.file=FILE: what every child of the tree was started with

    TreeRequests(MemorySegment part, String property) {
        this.part = part;
        this.property = property;
    }

    // ---- a child: its requests ----------------------------------------------------------------

    /** A child's side: the next stripe, in turn, for this process's requests. */
    public Activity.Copy writer() {
        long stripe = (long) LONG.getAndAdd(part, NEXT_STRIPE, 1L) % STRIPES;
        return new Writer(part, stripe(part, (int) stripe));
    }

    /** Writes one child's requests into its stripe, and counts them in flight in the part's header. */
    private static final class Writer implements Activity.Copy {
        private final MemorySegment part;
        private final MemorySegment stripe;

        Writer(MemorySegment part, MemorySegment stripe) {
            this.part = part;
            this.stripe = stripe;
        }

        @Override
        public long began(long beganNanos, long requestNumber, String what, int status, long waitMillis) {
            raise(part, IN_FLIGHT_PEAK, (long) LONG.getAndAdd(part, IN_FLIGHT, 1L) + 1);
            long t = (long) LONG.getAndAdd(stripe, TICKETS, 1L) + 1;
            long r = record(t);
            long held = (long) LONG.getVolatile(stripe, r + TICKET);
            if (held == BUSY || held > t || !LONG.compareAndSet(stripe, r + TICKET, held, BUSY)) {
                return 0; // another writer has the record: this request has none
            }
            LONG.set(stripe, r + PID, PID_SELF);
            LONG.set(stripe, r + BEGAN, beganNanos);
            LONG.set(stripe, r + ENDED, 0L);
            LONG.set(stripe, r + NUMBER, requestNumber);
            LONG.set(stripe, r + WAIT, waitMillis);
            LONG.set(stripe, r + STATUS, (long) status);
            int whatLength = ascii(stripe, what, r + WHAT);
            int workerLength = ascii(stripe, Activity.name(Thread.currentThread()), r + WORKER);
            LONG.set(stripe, r + LENGTHS, (long) whatLength << 32 | workerLength);
            LONG.setVolatile(stripe, r + TICKET, t);
            return t;
        }

        @Override
        public void ended(long t, long endedNanos, int status, long latencyNanos) {
            LONG.getAndAdd(part, IN_FLIGHT, -1L);
            long r = record(t);
            if (t != 0 && LONG.compareAndSet(stripe, r + TICKET, t, BUSY)) { // else a newer request has its record
                LONG.set(stripe, r + ENDED, endedNanos);
                LONG.setVolatile(stripe, r + TICKET, t);
            }
            if (status > 0) {
                LONG.getAndAdd(stripe, BY_STATUS + (status < STATUSES ? status : 0) * 8L, 1L);
                LONG.getAndAdd(stripe, LATENCY + Activity.bucket(latencyNanos / 1e9) * 8L, 1L);
                LONG.getAndAdd(stripe, LATENCY_NANOS, latencyNanos);
            }
        }
    }

    /** Raises the word at {@code offset} to {@code value} unless it is higher already; no higher value is lost. */
    private static void raise(MemorySegment part, long offset, long value) {
        long now;
        do {
            now = (long) LONG.getVolatile(part, offset);
        } while (value > now && !LONG.compareAndSet(part, offset, now, value));
    }

    /** Writes up to {@value #TEXT} characters of {@code s} as bytes (anything not ASCII as '?'); returns how many. */
    private static int ascii(MemorySegment stripe, String s, long at) {
        int n = Math.min(TEXT, s.length());
        for (int k = 0; k < n; k++) {
            char c = s.charAt(k);
            stripe.set(ValueLayout.JAVA_BYTE, at + k, (byte) (c < 128 ? c : '?'));
        }
        return n;
    }

    private static long record(long ticket) {
        return RECORDS + (ticket & (PER_STRIPE - 1)) * RECORD;
    }

    private static MemorySegment stripe(MemorySegment part, int s) {
        return part.asSlice(STRIPES_AT + s * STRIPE, STRIPE);
    }

    // ---- the parent: reading ------------------------------------------------------------------

    /** Every stripe's requests in flight and those that ended after {@code sinceNanos} (the caller sorts them). */
    @Override
    public List<Activity.Request> since(long sinceNanos) {
        Map<Long, Boolean> alive = new HashMap<>();
        List<Activity.Request> out = new ArrayList<>();
        for (int s = 0; s < STRIPES; s++) {
            MemorySegment stripe = stripe(part, s);
            long last = (long) LONG.getVolatile(stripe, TICKETS);
            for (long t = Math.max(1, last - PER_STRIPE + 1); t <= last; t++) {
                long r = record(t);
                if ((long) LONG.getVolatile(stripe, r + TICKET) != t) {
                    continue;
                }
                long pid = (long) LONG.get(stripe, r + PID);
                long began = (long) LONG.get(stripe, r + BEGAN);
                long ended = (long) LONG.get(stripe, r + ENDED);
                long number = (long) LONG.get(stripe, r + NUMBER);
                long wait = (long) LONG.get(stripe, r + WAIT);
                int status = (int) (long) LONG.get(stripe, r + STATUS);
                long lengths = (long) LONG.get(stripe, r + LENGTHS);
                String what = text(stripe, r + WHAT, (int) (lengths >>> 32));
                String worker = text(stripe, r + WORKER, (int) lengths);
                VarHandle.loadLoadFence();
                if ((long) LONG.getVolatile(stripe, r + TICKET) != t || !(ended == 0 || ended > sinceNanos)) {
                    continue;
                }
                if (ended == 0
                        && !alive.computeIfAbsent(
                                pid,
                                p -> ProcessHandle.of(p)
                                        .map(ProcessHandle::isAlive)
                                        .orElse(false))) {
                    continue; // its process was killed in the middle of it
                }
                out.add(new Activity.Request(
                        pid, "pid " + pid + " " + worker, null, what, number, status, wait, began, ended));
            }
        }
        return out;
    }

    private static String text(MemorySegment stripe, long at, int length) {
        byte[] b = new byte[Math.clamp(length, 0, TEXT)];
        MemorySegment.copy(stripe, ValueLayout.JAVA_BYTE, at, b, 0, b.length);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /**
     * A child of the tree: started with this tree's file named on its command line. Read from
     * {@code /proc/PID/cmdline} (its arguments, each ended by a NUL byte) whole: the JDK's
     * {@code ProcessHandle.Info} gives no arguments at all for a command line over a page, as a
     * child's class path can make it.
     */
    @Override
    public boolean serves(ProcessHandle child) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "cmdline"));
            return new String(cmdline, StandardCharsets.ISO_8859_1).contains("\0" + property + "\0");
        } catch (IOException e) {
            return false; // gone already
        }
    }

    @Override
    public long answered(int status) {
        return status >= 0 && status < STATUSES ? sum(BY_STATUS + status * 8L) : 0;
    }

    @Override
    public long[] latencyCounts() {
        long[] counts = new long[(int) BUCKETS];
        for (int b = 0; b < counts.length; b++) {
            counts[b] = sum(LATENCY + b * 8L);
        }
        return counts;
    }

    @Override
    public long latencyNanos() {
        return sum(LATENCY_NANOS);
    }

    /** Requests the children answered: the sum of their counts by status, so counted once. */
    public long served() {
        long total = 0;
        for (int status = 0; status < STATUSES; status++) {
            total += sum(BY_STATUS + status * 8L);
        }
        return total;
    }

    /** The children's requests between their answer and their end, now. */
    public long inFlight() {
        return (long) LONG.getVolatile(part, IN_FLIGHT);
    }

    /** The most requests in flight at once in the tree so far. */
    public long inFlightPeak() {
        return (long) LONG.getVolatile(part, IN_FLIGHT_PEAK);
    }

    /** The word at {@code offset} of every stripe, summed. */
    private long sum(long offset) {
        long total = 0;
        for (int s = 0; s < STRIPES; s++) {
            total += (long) LONG.getVolatile(part, STRIPES_AT + s * STRIPE + offset);
        }
        return total;
    }
}
