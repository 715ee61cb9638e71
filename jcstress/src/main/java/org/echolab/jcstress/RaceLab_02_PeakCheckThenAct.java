package org.echolab.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import org.echolab.state.AtomicState;
import org.echolab.state.BrokenState;
import org.echolab.state.ServerState;
import org.echolab.state.SharedMemory;
import org.echolab.state.ShmAtomicState;
import org.echolab.state.ShmBrokenState;
import org.echolab.state.SynchronizedState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/*
   How to run:
       java -jar jcstress/target/jcstress.jar -t RaceLab_02

   Check-then-act on the peak of open connections. Two connections open at once
   (connectionOpened on the REAL state classes); the arbiter reads "open, peak". Right: "2, 2".

   BrokenState: `now = open + 1; open = now; if (now > peak) peak = now;`. Two ways to go wrong:
   both read open = 0 (a lost increment: "1, 1"), or the thread that counted 1 checks `1 > peak`
   while peak is still 0, the other thread writes peak = 2, and then the first acts on its stale
   check and writes peak = 1: the peak went DOWN ("2, 1"). The fixes: do the whole check-then-act
   under one lock (SynchronizedState), or make the act conditional on the check still holding:
   a compare-and-set loop (AtomicState's accumulateAndGet(now, max), ShmAtomicState's explicit
   loop on shared memory) retries when the peak moved in between, so it only ever goes up.

   Observed here (2 cores, JDK 25.0.3 Temurin, x86_64; samples across configurations):
       long run (every JVM mode jcstress detects, split compilation on: `-f 1 -iters 1 -time 100 -fsm 1`, 9 min for all 18 tests):
         Broken      1, 1: 54,312 (1.51%)   2, 1: 7 (<0.01%)    1, 2: 0
         ShmBroken   1, 1: 46,135 (1.77%)   2, 1: 297 (0.01%)   1, 2: 0
         Synchronized, Atomic, ShmAtomic: 0 FORBIDDEN.
       short run (jcstress/pom.xml's short mode: one JVM mode, `-time 200 -sc false`):
         Broken 1, 1: 1,567 (1.71%), 2, 1: 0; ShmBroken 1, 1: 12,363 (5.06%), 2, 1: 45 (0.02%).
         Fixed: 0 FORBIDDEN.
       The lowered peak ("2, 1") needs three steps of one thread to fall between two of the other:
       rare without a race window, but real.
*/
public class RaceLab_02_PeakCheckThenAct {

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "Both opens counted; peak 2.")
    @Outcome(
            id = "1, 1",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Both read open = 0: one open lost, so the peak is 1 too.")
    @Outcome(
            id = "2, 1",
            expect = ACCEPTABLE_INTERESTING,
            desc =
                    "Check-then-act: the thread that saw 1 wrote its peak after the one that saw 2: two open, peak says 1.")
    @Outcome(
            id = "1, 2",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The peak saw 2 but a stale write took open back to 1.")
    @State
    public static class Broken {
        final ServerState s = new BrokenState();

        @Actor
        public void open1() {
            s.connectionOpened();
        }

        @Actor
        public void open2() {
            s.connectionOpened();
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.open();
            r.r2 = x.peak();
        }
    }

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "The lock makes count, check and act one step.")
    @Outcome(
            id = {"1, 1", "2, 1", "1, 2"},
            expect = FORBIDDEN,
            desc = "A lost open or a lowered peak: the lock failed.")
    @State
    public static class Synchronized {
        final ServerState s = new SynchronizedState();

        @Actor
        public void open1() {
            s.connectionOpened();
        }

        @Actor
        public void open2() {
            s.connectionOpened();
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.open();
            r.r2 = x.peak();
        }
    }

    @JCStressTest
    @Outcome(
            id = "2, 2",
            expect = ACCEPTABLE,
            desc = "incrementAndGet, then a CAS loop for max: the peak only goes up.")
    @Outcome(
            id = {"1, 1", "2, 1", "1, 2"},
            expect = FORBIDDEN,
            desc = "A lost open or a lowered peak: the CAS loop failed.")
    @State
    public static class Atomic {
        final ServerState s = new AtomicState();

        @Actor
        public void open1() {
            s.connectionOpened();
        }

        @Actor
        public void open2() {
            s.connectionOpened();
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.open();
            r.r2 = x.peak();
        }
    }

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "Both opens counted; peak 2.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE_INTERESTING, desc = "Plain load/store on shared memory: one open lost.")
    @Outcome(
            id = "2, 1",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Check-then-act across the mapping: the peak went down to 1.")
    @Outcome(
            id = "1, 2",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The peak saw 2 but a stale store took open back to 1.")
    @State
    public static class ShmBroken {
        final ServerState s = new ShmBrokenState(SharedMemory.anonymous(Duration.ZERO));

        @Actor
        public void open1() {
            s.connectionOpened();
        }

        @Actor
        public void open2() {
            s.connectionOpened();
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.open();
            r.r2 = x.peak();
        }
    }

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "getAndAdd, then a compareAndSet loop on shared memory.")
    @Outcome(
            id = {"1, 1", "2, 1", "1, 2"},
            expect = FORBIDDEN,
            desc = "A lost open or a lowered peak: the shared-memory CAS loop failed.")
    @State
    public static class ShmAtomic {
        final ServerState s = new ShmAtomicState(SharedMemory.anonymous(Duration.ZERO));

        @Actor
        public void open1() {
            s.connectionOpened();
        }

        @Actor
        public void open2() {
            s.connectionOpened();
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.open();
            r.r2 = x.peak();
        }
    }
}
