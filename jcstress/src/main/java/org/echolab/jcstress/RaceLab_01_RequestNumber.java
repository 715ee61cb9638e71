package org.echolab.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import org.echolab.state.AtomicState;
import org.echolab.state.BrokenAdderState;
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
import org.openjdk.jcstress.infra.results.JJJ_Result;

/*
   How to run:
       ./mvnw -pl jcstress -am package -DskipTests
       java -jar jcstress/target/jcstress.jar -t RaceLab_01            (add -m quick or -m default for longer)

   The lost update on the server-wide counter. Two requests each take a request number from the
   REAL state classes of the server (org.echolab.state, race window 0); afterwards the arbiter
   reads the counter. Result "r1, r2, last".

   BrokenState does `next = n + 1; n = next; return next` on a plain field: both threads can
   read 0, so both get number 1 (a duplicate) and the counter says 1 after two requests (a lost
   update). BrokenAdderState takes numbers from a LongAdder (increment, then sum): it never loses
   an increment, but both threads can sum after both increments and get 2. The fixes: one lock
   (SynchronizedState) or one atomic read-modify-write (AtomicLong.incrementAndGet in
   AtomicState, VarHandle.getAndAdd on shared memory in ShmAtomicState).

   Observed here (2 cores, JDK 25.0.3 Temurin, x86_64; samples across configurations):
       long run (every JVM mode jcstress detects, split compilation on: `-f 1 -iters 1 -time 100 -fsm 1`, 9 min for all 18 tests):
         Broken         1, 1, 1    90,900  (3.45%)  duplicate + lost update
         BrokenAdder    2, 2, 2       667  (0.03%)  duplicate, nothing lost
         ShmBroken      1, 1, 1    90,907  (2.61%)
         "1, 2, 1" / "2, 1, 1" (counter went back) never seen.
         Synchronized, Atomic, ShmAtomic: 0 FORBIDDEN.
       short run (jcstress/pom.xml's short mode: one JVM mode, `-time 200 -sc false`):
         Broken 1, 1, 1: 18,115 (4.56%); ShmBroken 1, 1, 1: 1,211 (2.37%);
         BrokenAdder 2, 2, 2: 0 in that run (2 in an earlier one: too rare for the short mode to be
         sure of; `echolab race` shows it at once with its race window). Fixed: 0 FORBIDDEN.
*/
public class RaceLab_01_RequestNumber {

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "One after the other: numbers 1 and 2, counter at 2.")
    @Outcome(
            id = "1, 1, 1",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Both read 0 before either wrote: both got number 1 (duplicate) and one increment is lost.")
    @Outcome(
            id = {"1, 2, 1", "2, 1, 1"},
            expect = ACCEPTABLE_INTERESTING,
            desc = "The stale write of 1 landed after the 2: the counter went back; the next request gets 2 again.")
    @State
    public static class Broken {
        final ServerState s = new BrokenState();

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "One after the other: numbers 1 and 2.")
    @Outcome(
            id = "2, 2, 2",
            expect = ACCEPTABLE_INTERESTING,
            desc =
                    "Both incremented before either summed: both got number 2. No increment lost, yet a duplicate: a LongAdder cannot hand out unique numbers.")
    @State
    public static class BrokenAdder {
        final ServerState s = new BrokenAdderState();

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "The lock orders the two increments.")
    @Outcome(
            id = {"1, 1, 1", "2, 2, 2", "1, 2, 1", "2, 1, 1"},
            expect = FORBIDDEN,
            desc = "Duplicate or lost: the lock failed.")
    @State
    public static class Synchronized {
        final ServerState s = new SynchronizedState();

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "incrementAndGet is one atomic read-modify-write.")
    @Outcome(
            id = {"1, 1, 1", "2, 2, 2", "1, 2, 1", "2, 1, 1"},
            expect = FORBIDDEN,
            desc = "Duplicate or lost: the atomic failed.")
    @State
    public static class Atomic {
        final ServerState s = new AtomicState();

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "One after the other.")
    @Outcome(
            id = "1, 1, 1",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Plain load and store on shared memory: both read 0, both got 1, one increment lost.")
    @Outcome(
            id = {"1, 2, 1", "2, 1, 1"},
            expect = ACCEPTABLE_INTERESTING,
            desc = "The stale store of 1 landed after the 2: the counter went back.")
    @State
    public static class ShmBroken {
        final ServerState s = new ShmBrokenState(SharedMemory.anonymous(Duration.ZERO));

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }

    @JCStressTest
    @Outcome(
            id = {"1, 2, 2", "2, 1, 2"},
            expect = ACCEPTABLE,
            desc = "getAndAdd (lock xadd) is atomic on shared memory.")
    @Outcome(
            id = {"1, 1, 1", "2, 2, 2", "1, 2, 1", "2, 1, 1"},
            expect = FORBIDDEN,
            desc = "Duplicate or lost: getAndAdd failed.")
    @State
    public static class ShmAtomic {
        final ServerState s = new ShmAtomicState(SharedMemory.anonymous(Duration.ZERO));

        @Actor
        public void request1(JJJ_Result r) {
            r.r1 = s.nextRequestNumber();
        }

        @Actor
        public void request2(JJJ_Result r) {
            r.r2 = s.nextRequestNumber();
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = s.snapshot().requestNumbers();
        }
    }
}
