package org.echolab.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/*
   How to run:
       java -jar jcstress/target/jcstress.jar -t RaceLab_04

   A visibility race: the stop flag. A worker loops `while (!stopping) { ... }` (the server's
   accept loop, Acceptor.run, and its drain flag, Connections.draining, have this shape); another
   thread sets `stopping = true` and expects the worker to end.

   With a plain field nothing obliges the worker to ever read memory again: once the loop is
   compiled, the JIT may read `stopping` once and spin forever on the register copy. There is no
   lost update here (only one writer), just a write that is never seen. `volatile` forbids that
   hoisting and orders the write before the worker's next read; the server's flags are volatile
   for exactly this reason. (This test uses its own flag: the server's are already fixed, and a
   broken copy of Acceptor would need a socket.)

   Observed here (2 cores, JDK 25.0.3 Temurin, x86_64):
       long run (every JVM mode jcstress detects, split compilation on: `-f 1 -iters 1 -time 100 -fsm 1`, 9 min for all 18 tests):
         BrokenPlainFlag   STALE 2 of 22 runs (the worker spun on after the signal)
         VolatileFlag      0 FORBIDDEN
       short run (jcstress/pom.xml's short mode: one JVM mode, `-time 200 -sc false`):
         BrokenPlainFlag STALE 1 of 3; VolatileFlag TERMINATED 122 of 122.
       CI's short mode leaves BrokenPlainFlag out: a STALE fork costs 30 s, the wait jcstress gives a
       spinning worker before it ends the JVM, and its verdict cannot fail.
*/
public class RaceLab_04_StopFlagVisibility {

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The worker saw stopping = true and ended.")
    @Outcome(
            id = "STALE",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The worker never saw the plain stopping = true: the JIT hoisted the read out of the loop.")
    @State
    public static class BrokenPlainFlag {
        boolean stopping;

        @Actor
        public void worker() {
            while (!stopping) {
                // serve (nothing here, so the loop is tight: the JIT's favourite case)
            }
        }

        @Signal
        public void stop() {
            stopping = true;
        }
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The worker saw the volatile stopping = true and ended.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "A volatile write must become visible: the worker hung.")
    @State
    public static class VolatileFlag {
        volatile boolean stopping;

        @Actor
        public void worker() {
            while (!stopping) {
                // serve
            }
        }

        @Signal
        public void stop() {
            stopping = true;
        }
    }
}
