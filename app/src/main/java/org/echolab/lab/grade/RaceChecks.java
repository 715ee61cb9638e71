package org.echolab.lab.grade;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.echolab.race.RaceLab;
import org.echolab.race.RaceRow;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * Grade item 3, the races of the threaded server: the student's state under a real threaded
 * server and real clients, read from outside as {@code echolab race} does; then a stress test
 * inside one process, several threads calling the state at once from a common start.
 */
final class RaceChecks {

    static final String SERVER_MODEL = "thread";
    private static final int CLIENTS = 8;
    private static final long REQUESTS = 1_000;
    private static final int STRESS_THREADS = 4;
    private static final int STRESS_CALLS = 20_000;
    private static final int STRESS_ROUNDS = 5;
    /** Turns taken in a round (of 80,000 calls) for it to count as run side by side: time slices alone give a few hundred. */
    private static final int SIDE_BY_SIDE = 4_000;
    /** The check that stands for the whole experiment when it could not measure: kept whatever --only selects. */
    static final String RUNS = "the race experiment runs";
    /** How long the race experiment may take (about 5 s here) before its threads count as stuck. */
    private static final Duration EXPERIMENT_LIMIT = Duration.ofMinutes(2);
    /** How long one stress round's calls may take (a few seconds on a slow machine) before they count as stuck. */
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(30);

    private static final String THREW_HINT =
            "the state's methods are called by many threads at once, and each must return without throwing";
    static final String STUCK_HINT = "a call that never returns stops the server's worker for good: where two locks are"
            + " taken, take them in one order everywhere (or use one lock, or atomics and a ConcurrentHashMap);"
            + " a HashMap that several threads change at once can also loop forever";
    /** How long the stress may go on for rounds that ran side by side. */
    private static final Duration STRESS_LIMIT = Duration.ofSeconds(30);

    private static final String[] STRESS_CLIENTS = java.util.stream.IntStream.range(0, 1024)
            .mapToObj(i -> "10.0." + (i >> 8) + "." + (i & 255))
            .toArray(String[]::new);
    private static final int HELD = 8;
    /** A stress problem's words for a peak above the threads: the open count itself drifted. */
    static final String MORE_THAN_OPEN = " (open counted more connections than were open)";

    private static final int PEAK_ROUNDS = 5;

    static final String UNIQUE = "unique request numbers";
    static final String COUNTS = "the counts add up";
    static final String PEAK = "the peak is right";
    static final String HELD_PEAK = "the peak equals the connections held open together";
    static final String STRESS = "stress: " + STRESS_THREADS + " threads x " + STRESS_CALLS + " calls, " + STRESS_ROUNDS
            + " rounds side by side";
    /** The checks of one race experiment against a real server; it runs when any of them is selected. */
    private static final List<String> EXPERIMENT = List.of(UNIQUE, COUNTS, PEAK);
    /** Every check of this item, as {@code --only} matches them. */
    static final List<String> NAMES = List.of(UNIQUE, COUNTS, PEAK, HELD_PEAK, STRESS);

    private RaceChecks() {}

    static Section run(String state) throws InterruptedException {
        return run(States.byName(state), Only.ALL);
    }

    static Section run(String state, Only only) throws InterruptedException {
        return run(States.byName(state), only);
    }

    static Section run(States.Variant variant) throws InterruptedException {
        return run(variant, Only.ALL);
    }

    /** Runs the checks {@code only} selects; the three of the race experiment come from one run of it. */
    static Section run(States.Variant variant, Only only) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        StateShape shape = StateShape.of(variant);
        if (only.selectsAny(EXPERIMENT)) {
            checks.addAll(experiment(variant, shape).stream()
                    .filter(c -> only.selects(c.name()) || !c.passed() && !EXPERIMENT.contains(c.name()))
                    .toList());
        }
        if (only.selects(HELD_PEAK)) {
            checks.add(orThrown(HELD_PEAK, () -> heldPeak(variant)));
        }
        if (only.selects(STRESS)) {
            checks.add(orThrown(STRESS, () -> stress(variant, shape, STRESS_LIMIT)));
        }
        return new Section("3. Race conditions", "src/lab/StudentState.java", checks, "");
    }

    /** The race experiment of {@code echolab race} against a real threaded server and real clients. */
    private static List<Check> experiment(States.Variant variant, StateShape shape) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        String under =
                REQUESTS + " requests from " + CLIENTS + " clients to '" + SERVER_MODEL + "' with --race-window 1ms: ";
        // on a thread of its own, watched: the state's locks may hold the server's workers, and this thread, for good
        long mark = Stuck.mark();
        FutureTask<RaceRow> experiment = new FutureTask<>(() -> RaceLab.run(
                SERVER_MODEL, variant, new RaceLab.Settings(REQUESTS, CLIENTS, Duration.ofMillis(1), false)));
        Thread runner = Thread.ofPlatform().daemon().name("race-experiment").start(experiment);
        String stuck = Stuck.await(List.of(runner), EXPERIMENT_LIMIT, mark);
        if (stuck != null) {
            checks.add(Check.fail(RUNS, under + stuck, STUCK_HINT));
            return checks;
        }
        try {
            RaceRow row;
            try {
                row = experiment.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            checks.add(
                    row.duplicates() == 0
                            ? Check.pass(UNIQUE, under + "every number handed out once")
                            : Check.fail(
                                    UNIQUE,
                                    under + row.duplicates() + " numbers handed out twice",
                                    "nextRequestNumber reads the counter, adds one and writes it back: two threads can read the same"
                                            + " value. Make the read-add-write one step (AtomicLong.incrementAndGet, or synchronized)"
                                            + shape.volatileNote()));
            boolean servedRight = row.lost() == 0;
            boolean perClientRight = row.perClient() < 0 || row.perClient() == row.served();
            checks.add(
                    servedRight && perClientRight
                            ? Check.pass(
                                    COUNTS,
                                    under + "served " + row.served() + " = answered " + row.expected()
                                            + " = sum per client")
                            : Check.fail(
                                    COUNTS,
                                    under + "served " + row.served() + ", answered " + row.expected()
                                            + ", sum per client " + row.perClient(),
                                    !servedRight
                                            ? "requestServed loses updates to served: a read, a pause, a write; make the count one"
                                                    + " atomic step" + shape.volatileNote()
                                            : shape.perClientHint()));
            checks.add(
                    row.peakRight()
                            ? Check.pass(
                                    PEAK,
                                    under + "peak " + row.peak() + " of at most " + row.maxOpen() + " connections, "
                                            + row.open() + " open after")
                            : Check.fail(
                                    PEAK,
                                    under + "peak " + row.peak() + " with at most " + row.maxOpen()
                                            + " connections ever open, " + row.open() + " open after",
                                    row.open() != 0
                                            ? "open++ and open-- lose updates: make both one atomic step, under one lock (the"
                                                    + " same for both) or with an AtomicLong"
                                            : "connectionOpened checks the peak, then sets it: check-then-act. Raise it atomically"
                                                    + " (AtomicLong.accumulateAndGet(now, Math::max))"));
        } catch (RuntimeException e) {
            checks.add(Check.fail(RUNS, e + thrownAt(e), THREW_HINT));
        } catch (Exception e) {
            checks.add(Check.fail(RUNS, e.toString(), Hints.noAnswer("")));
        }
        return checks;
    }

    /** One check that calls the student's state in this JVM. */
    private interface StateCheck {
        Check run() throws InterruptedException;
    }

    /**
     * The check's result, or its failure when the state's code threw out of it: the races run the
     * student's class in the grader's own JVM, and what it throws fails that check, never the grade.
     */
    private static Check orThrown(String name, StateCheck check) throws InterruptedException {
        try {
            return check.run();
        } catch (RuntimeException | StackOverflowError e) {
            return Check.fail(name, "the state threw " + e + thrownAt(e), THREW_HINT);
        }
    }

    /** " at" the first frame of the student's code (package {@code lab}) in {@code e}'s stack, else "". */
    static String thrownAt(Throwable e) {
        return Stuck.at(e.getStackTrace());
    }

    /**
     * {@value #HELD} threads open a connection each and hold it: the peak must then be exactly
     * {@value #HELD}. A lost update on a maximum makes it too low, never too high, so only an exact
     * figure catches it. The order is not left to the machine (an idle one interleaves the threads,
     * a busy one may run them one after another, and a check-then-act then looks right): the race
     * window holds every thread that pauses in it until all are in, or the next cannot get in (it
     * waits for a lock one of them holds), then lets them go on, the last to arrive first
     * ({@link LastInFirstOut}).
     */
    private static Check heldPeak(States.Variant variant) throws InterruptedException {
        String name = HELD_PEAK;
        for (int round = 1; round <= PEAK_ROUNDS; round++) {
            LastInFirstOut window = new LastInFirstOut();
            ServerState state = RaceWindow.scheduledBy(window, () -> variant.create(Duration.ofMillis(1)));
            CountDownLatch release = new CountDownLatch(1);
            List<Opener> openers = new ArrayList<>();
            for (int t = 0; t < HELD; t++) {
                openers.add(new Opener(state, release));
            }
            int started = 0;
            // gather: one thread at a time into the window, while each gets in
            while (started < HELD) {
                Opener next = openers.get(started++);
                next.thread.start();
                if (next.await(window) == Opener.Step.STUCK) {
                    break;
                }
            }
            // then let them go, the latest first, each once the one before has returned
            window.stopGathering();
            for (Thread t; (t = window.releaseLatest()) != null; ) {
                Thread released = t;
                openers.stream()
                        .filter(o -> o.thread == released)
                        .findFirst()
                        .orElseThrow()
                        .await(window);
            }
            while (started < HELD) {
                openers.get(started++).thread.start();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean allReturned = true;
            for (Opener o : openers) {
                allReturned &= o.opened.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            Throwable failure = openers.stream()
                    .map(o -> o.failure)
                    .filter(java.util.Objects::nonNull)
                    .findFirst()
                    .orElse(null);
            ServerState.Snapshot during = state.snapshot();
            release.countDown();
            for (Opener o : openers) {
                if (!allReturned) {
                    o.thread.interrupt(); // and leave it: a daemon thread that does not stop holds nothing up
                } else if (!o.thread.join(Duration.ofSeconds(30))) {
                    o.thread.interrupt();
                    allReturned = false; // connectionClosed did not return
                }
            }
            if (failure != null || !allReturned) {
                closeQuietly(state);
                return Check.fail(
                        name,
                        "round " + round + ": "
                                + (failure != null
                                        ? "a call threw " + failure
                                        : "a call of connectionOpened or connectionClosed did not return within 30 s"),
                        "connectionOpened and connectionClosed must return");
            }
            ServerState.Snapshot after = state.snapshot();
            closeQuietly(state);
            if (during.peak() != HELD || during.open() != HELD || after.open() != 0) {
                return Check.fail(
                        name,
                        "round " + round + ": " + HELD + " connections opened and held, the threads paused in the race"
                                + " window going on last-in first-out: peak " + during.peak() + ", open "
                                + during.open()
                                + "; after all closed, open " + after.open(),
                        during.open() != HELD || after.open() != 0
                                ? "open++ and open-- lose updates when threads call them at once: make each one atomic step"
                                        + " (AtomicLong, or synchronized on one and the same lock)"
                                : "connectionOpened checks the peak, then sets it: check-then-act. Another thread's larger value"
                                        + " is overwritten by a smaller one. Raise it in one step: AtomicLong.accumulateAndGet(now, Math::max),"
                                        + " or the check and the set under one lock");
            }
        }
        return Check.pass(
                name,
                PEAK_ROUNDS + " rounds of " + HELD
                        + " connections opened and held, the threads paused in the race window"
                        + " going on last-in first-out: peak " + HELD + " every time, open " + HELD + ", then 0");
    }

    /** One thread of the held-peak check: opens a connection, holds it until released, closes it. */
    private static final class Opener {
        enum Step {
            /** Held in the race window, or returned from connectionOpened: the next may start. */
            IN,
            /** Waiting for something (a lock) outside the window, or not done within the limit. */
            STUCK
        }

        /** How long a thread may wait outside the window before it counts as stuck behind a held one. */
        private static final long STUCK_NANOS = Duration.ofMillis(20).toNanos();

        private static final long STEP_LIMIT_NANOS = Duration.ofSeconds(5).toNanos();
        private static final long POLL_NANOS = Duration.ofMillis(1).toNanos() / 5;

        final CountDownLatch opened = new CountDownLatch(1);
        final Thread thread;
        volatile Throwable failure;

        Opener(ServerState state, CountDownLatch release) {
            thread = Thread.ofPlatform().daemon().unstarted(() -> {
                try {
                    state.connectionOpened();
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    opened.countDown();
                }
                try {
                    release.await();
                    if (failure == null) {
                        state.connectionClosed();
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            });
        }

        /** Waits until this thread is held in the window or has returned from connectionOpened, or is stuck. */
        Step await(LastInFirstOut window) {
            long start = System.nanoTime();
            long waitingSince = -1;
            while (System.nanoTime() - start < STEP_LIMIT_NANOS) {
                if (opened.getCount() == 0 || window.holds(thread)) {
                    return Step.IN;
                }
                Thread.State s = thread.getState();
                boolean waiting = s == Thread.State.BLOCKED || s == Thread.State.WAITING;
                if (!waiting) {
                    waitingSince = -1;
                } else if (waitingSince < 0) {
                    waitingSince = System.nanoTime();
                } else if (System.nanoTime() - waitingSince > STUCK_NANOS) {
                    return Step.STUCK;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
            }
            return Step.STUCK;
        }
    }

    /**
     * {@value #STRESS_THREADS} threads, released together, each make {@value #STRESS_CALLS} requests'
     * worth of calls; every round must hand out every number once and count every call. A race
     * shows only while threads run at the same moment, which a busy machine may not allow for a
     * while: a round counts only if its threads took turns at least {@value #SIDE_BY_SIDE} times
     * (each notes who called last, so a switch is one thread's call right after another's), and
     * rounds go on until {@value #STRESS_ROUNDS} did, for at most {@link #STRESS_LIMIT}.
     * A state with a race never passes on rounds that could not show it.
     */
    static Check stress(States.Variant variant, StateShape shape, Duration limit) throws InterruptedException {
        String name = STRESS;
        int sideBySide = 0, rounds = 0;
        long deadline = System.nanoTime() + limit.toNanos();
        while (sideBySide < STRESS_ROUNDS && (rounds < STRESS_ROUNDS || System.nanoTime() - deadline < 0)) {
            rounds++;
            ServerState state = variant.create(Duration.ZERO);
            List<List<Long>> numbers = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CyclicBarrier start = new CyclicBarrier(STRESS_THREADS);
            Turns turns = new Turns();
            List<Thread> threads = new ArrayList<>();
            long mark = Stuck.mark();
            for (int t = 0; t < STRESS_THREADS; t++) {
                List<Long> mine = new ArrayList<>(STRESS_CALLS);
                numbers.add(mine);
                int me = t;
                threads.add(Thread.ofPlatform()
                        .daemon()
                        .name("stress-" + (t + 1))
                        .start(() -> {
                            long switches = 0;
                            try {
                                start.await();
                                for (int i = 0; i < STRESS_CALLS; i++) {
                                    state.connectionOpened();
                                    mine.add(state.nextRequestNumber());
                                    // 1,024 clients, each served by every thread: a plain HashMap grows (and
                                    // rehashes) while others write to it, and two threads count one client at once
                                    state.requestServed(STRESS_CLIENTS[i % STRESS_CLIENTS.length]);
                                    state.connectionClosed();
                                    if (turns.last != me) {
                                        turns.last = me;
                                        switches++;
                                    }
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            } finally {
                                turns.add(switches);
                            }
                        }));
            }
            String stuck = Stuck.await(threads, ROUND_LIMIT, mark);
            if (stuck != null) {
                return Check.fail(name, "round " + rounds + ": " + stuck, STUCK_HINT);
            }
            Throwable thrown = failure.get();
            String problem;
            if (thrown != null) {
                problem = "a call threw " + thrown + StateShape.where(thrown);
            } else {
                try {
                    problem = problem(state.snapshot(), numbers);
                } catch (RuntimeException e) {
                    // a map that threads changed at once can hold one key twice: copying it then throws
                    thrown = e;
                    problem = "snapshot() threw " + e + thrownAt(e) + " after the threads' calls";
                }
            }
            closeQuietly(state);
            if (problem != null) {
                return Check.fail(name, "round " + rounds + ": " + problem, shape.stressHint(problem, thrown));
            }
            if (turns.total() >= SIDE_BY_SIDE) {
                sideBySide++;
            }
        }
        if (sideBySide < STRESS_ROUNDS) {
            return Check.skipped(
                    name,
                    "in " + rounds + " rounds over " + limit.toSeconds()
                            + " s the threads ran side by side in only " + sideBySide
                            + " (the machine was too busy to show a race): grade again when it is quieter");
        }
        return Check.pass(
                name,
                "every number handed out once, every call counted, peak within " + STRESS_THREADS
                        + (rounds > STRESS_ROUNDS
                                ? " (" + rounds + " rounds, " + sideBySide + " with the threads side by side)"
                                : ""));
    }

    /** Who called the state last, and how often the callers took turns: a measure of running side by side. */
    private static final class Turns {
        volatile int last = -1;
        private final java.util.concurrent.atomic.LongAdder switches = new java.util.concurrent.atomic.LongAdder();

        void add(long n) {
            switches.add(n);
        }

        long total() {
            return switches.sum();
        }
    }

    private static void closeQuietly(ServerState state) {
        if (state instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a shared-memory variant's file; nothing to do
            }
        }
    }

    /** What is wrong with one round, or null. */
    private static String problem(ServerState.Snapshot s, List<List<Long>> numbers) {
        long total = (long) STRESS_THREADS * STRESS_CALLS;
        Set<Long> distinct = new HashSet<>();
        numbers.forEach(distinct::addAll);
        long perClient =
                s.perClient().values().stream().mapToLong(Long::longValue).sum();
        List<String> wrong = new ArrayList<>();
        if (distinct.size() != total) {
            wrong.add((total - distinct.size()) + " duplicate request numbers");
        }
        if (s.served() != total) {
            wrong.add("served " + s.served() + " of " + total);
        }
        if (perClient != total) {
            wrong.add("per-client counts sum to " + perClient);
        }
        if (s.open() != 0) {
            wrong.add(s.open() + " connections open after all closed");
        }
        if (s.peak() > STRESS_THREADS) {
            // more open at once than there are threads: open++ or open-- lost an update on the way
            wrong.add("peak " + s.peak() + " with " + STRESS_THREADS + " threads" + MORE_THAN_OPEN);
        } else if (s.peak() < 1) {
            wrong.add("peak " + s.peak() + " with " + STRESS_THREADS + " threads");
        }
        return wrong.isEmpty() ? null : String.join(", ", wrong);
    }
}
