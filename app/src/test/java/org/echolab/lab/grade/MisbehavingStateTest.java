package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.echolab.state.ServerState;
import org.echolab.state.States;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The races run the student's state in the grader's own JVM, so what it does wrong must fail the
 * check that called it, never end or hang the grade. A plain HashMap changed by several threads at
 * once can hold one key twice, and {@code Map.copyOf} of it in {@code snapshot()} then throws
 * "duplicate key" (seen in a grade of that mistake): here a state throws so every time. Two locks
 * taken in opposite orders deadlock the callers: here two calls always do.
 */
@Timeout(180)
class MisbehavingStateTest {

    @Test
    void aSnapshotThatThrowsFailsEveryCheckThatReadsItAndTheGradeGoesOn() throws Exception {
        // the two checks that call the state in this JVM (the experiment's server finds a state by its registered name)
        Section races = RaceChecks.run(
                variant(() -> new ThrowsOnSnapshot()), new Only(List.of(RaceChecks.HELD_PEAK, RaceChecks.STRESS)));

        assertThat(races.checks()).extracting(Check::name).containsExactly(RaceChecks.HELD_PEAK, RaceChecks.STRESS);
        assertThat(races.checks()).noneMatch(Check::passed);
        assertThat(races.checks())
                .allSatisfy(c -> assertThat(c.saw()).contains("IllegalArgumentException: duplicate key: 10.0.2.16"));
        Check stress = races.checks().stream()
                .filter(c -> c.name().equals(RaceChecks.STRESS))
                .findFirst()
                .orElseThrow();
        assertThat(stress.saw()).startsWith("round 1: snapshot() threw");
    }

    @Test
    void aCallThatThrowsOutsideTheStressFailsItsCheck() throws Exception {
        Section held = RaceChecks.run(variant(() -> new ThrowsOnOpen()), Only.of(RaceChecks.HELD_PEAK));

        assertThat(held.checks()).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.saw()).contains("IllegalStateException: no more connections");
        });
    }

    @Test
    void aDeadlockFailsTheStressAtOnceNamingTheThreadsAndTheirLocks() throws Exception {
        States.Variant deadlocks = variant(() -> new DeadlocksOnOpen());

        Check stress = RaceChecks.stress(deadlocks, StateShape.of(deadlocks), Duration.ofSeconds(30));

        assertThat(stress.passed()).isFalse();
        assertThat(stress.saw())
                .as("the JVM's deadlock detector's finding, not the round's limit run out (\"did not return within\")")
                .startsWith("round 1: a deadlock: stress-")
                .contains(" waits for java.lang.Object@", " held by stress-")
                .contains("DeadlocksOnOpen.connectionOpened");
        assertThat(stress.hint()).contains("take them in one order");
    }

    private static States.Variant variant(Supplier<ServerState> state) {
        return new States.Variant("misbehaving", false, false, "a state that misbehaves", w -> state.get());
    }

    /** The project's atomic state, correct, but for the one method a subclass changes. */
    private abstract static class Misbehaving implements ServerState {
        final ServerState counts = States.byName("atomic").create(Duration.ZERO);

        @Override
        public String name() {
            return "misbehaving";
        }

        @Override
        public long nextRequestNumber() {
            return counts.nextRequestNumber();
        }

        @Override
        public void requestServed(String client) {
            counts.requestServed(client);
        }

        @Override
        public void connectionOpened() {
            counts.connectionOpened();
        }

        @Override
        public void connectionClosed() {
            counts.connectionClosed();
        }

        @Override
        public Snapshot snapshot() {
            return counts.snapshot();
        }
    }

    /** Its snapshot throws as {@code Map.copyOf} of a corrupted HashMap does. */
    private static final class ThrowsOnSnapshot extends Misbehaving {
        @Override
        public Snapshot snapshot() {
            throw new IllegalArgumentException("duplicate key: 10.0.2.16");
        }
    }

    /** Opens no connection: a call that throws on a thread of the held-peak check. */
    private static final class ThrowsOnOpen extends Misbehaving {
        @Override
        public void connectionOpened() {
            throw new IllegalStateException("no more connections");
        }
    }

    /**
     * The first two calls of connectionOpened take two locks in opposite orders, and each waits
     * until the other holds its first: a deadlock every time. The other callers then block on the
     * locks.
     */
    private static final class DeadlocksOnOpen extends Misbehaving {
        private final Object a = new Object();
        private final Object b = new Object();
        private final AtomicInteger calls = new AtomicInteger();
        private final CountDownLatch holdA = new CountDownLatch(1);
        private final CountDownLatch holdB = new CountDownLatch(1);

        @Override
        public void connectionOpened() {
            int call = calls.incrementAndGet();
            Object first = call == 1 ? a : b;
            Object second = call == 1 ? b : a;
            synchronized (first) {
                if (call <= 2) {
                    (call == 1 ? holdA : holdB).countDown();
                    try {
                        (call == 1 ? holdB : holdA).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                synchronized (second) {
                    counts.connectionOpened();
                }
            }
        }
    }
}
