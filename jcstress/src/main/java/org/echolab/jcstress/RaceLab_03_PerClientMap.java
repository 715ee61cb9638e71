package org.echolab.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.echolab.state.AtomicState;
import org.echolab.state.BrokenState;
import org.echolab.state.ServerState;
import org.echolab.state.SynchronizedState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.J_Result;

/*
   How to run:
       java -jar jcstress/target/jcstress.jar -t RaceLab_03

   The map race: per-client request counts in the REAL state classes (requestServed(client)).

   SameClient: two requests from one client (the server's usual case: every local client is
   127.0.0.1). The arbiter reads "count for the client, total served"; right: "2, 2". BrokenState
   does get-then-put on a plain HashMap (and served++ on a plain field): both can read the old
   count and both put 1.

   TwoClients: the first requests of two different clients on a fresh map. The arbiter counts
   the clients in the map; right: 2. A plain HashMap allocates its table on the first put; two
   threads can both find no table, each allocate one and put its own entry, and the table that
   is assigned last wins: the other client's entry vanished. Not even the map's structure
   survives unsynchronised writers.

   The fixes: one lock around get-and-put (SynchronizedState, HashMap.merge under the monitor),
   or ConcurrentHashMap.merge (AtomicState), which is atomic per key and safe for structure.

   Observed here (2 cores, JDK 25.0.3 Temurin, x86_64; samples across configurations):
       long run (every JVM mode jcstress detects, split compilation on: `-f 1 -iters 1 -time 100 -fsm 1`, 9 min for all 18 tests):
         BrokenSameClient   1, 1: 32,759 (1.00%)   1, 2: 4,352 (0.13%)   2, 1: 50 (<0.01%)
         BrokenTwoClients   1: 34,099 (1.38%)  (an entry vanished)
         SynchronizedSameClient, AtomicSameClient, AtomicTwoClients: 0 FORBIDDEN.
       short run (jcstress/pom.xml's short mode: one JVM mode, `-time 200 -sc false`):
         BrokenSameClient 1, 1: 13,853 (3.49%); BrokenTwoClients 1: 52,592 (13.59%).
         Fixed: 0 FORBIDDEN.
*/
public class RaceLab_03_PerClientMap {

    private static final String CLIENT = "127.0.0.1";

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "Both requests counted for the client and in the total.")
    @Outcome(
            id = {"1, 1", "1, 2", "2, 1"},
            expect = ACCEPTABLE_INTERESTING,
            desc = "Both read the old count and put 1: a lost per-client (and/or total) update.")
    @State
    public static class BrokenSameClient {
        final ServerState s = new BrokenState();

        @Actor
        public void request1() {
            s.requestServed(CLIENT);
        }

        @Actor
        public void request2() {
            s.requestServed(CLIENT);
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.perClient().getOrDefault(CLIENT, 0L);
            r.r2 = x.served();
        }
    }

    @JCStressTest
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "Both clients are in the map.")
    @Outcome(
            id = "1",
            expect = ACCEPTABLE_INTERESTING,
            desc =
                    "One client's entry vanished: both threads allocated the HashMap's first table and the last assignment won.")
    @State
    public static class BrokenTwoClients {
        final ServerState s = new BrokenState();

        @Actor
        public void client1() {
            s.requestServed("10.0.0.1");
        }

        @Actor
        public void client2() {
            s.requestServed("10.0.0.2");
        }

        @Arbiter
        public void after(J_Result r) {
            r.r1 = s.snapshot().perClient().size();
        }
    }

    @JCStressTest
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "get-and-put under one lock.")
    @Outcome(
            id = {"1, 1", "1, 2", "2, 1"},
            expect = FORBIDDEN,
            desc = "A lost count: the lock failed.")
    @State
    public static class SynchronizedSameClient {
        final ServerState s = new SynchronizedState();

        @Actor
        public void request1() {
            s.requestServed(CLIENT);
        }

        @Actor
        public void request2() {
            s.requestServed(CLIENT);
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.perClient().getOrDefault(CLIENT, 0L);
            r.r2 = x.served();
        }
    }

    @JCStressTest
    @Outcome(
            id = "2, 2",
            expect = ACCEPTABLE,
            desc = "ConcurrentHashMap.merge is atomic per key; LongAdder loses no count.")
    @Outcome(
            id = {"1, 1", "1, 2", "2, 1"},
            expect = FORBIDDEN,
            desc = "A lost count: merge failed.")
    @State
    public static class AtomicSameClient {
        final ServerState s = new AtomicState();

        @Actor
        public void request1() {
            s.requestServed(CLIENT);
        }

        @Actor
        public void request2() {
            s.requestServed(CLIENT);
        }

        @Arbiter
        public void after(JJ_Result r) {
            ServerState.Snapshot x = s.snapshot();
            r.r1 = x.perClient().getOrDefault(CLIENT, 0L);
            r.r2 = x.served();
        }
    }

    @JCStressTest
    @Outcome(
            id = "2",
            expect = ACCEPTABLE,
            desc = "ConcurrentHashMap initialises its table with a CAS: both clients are in.")
    @Outcome(id = "1", expect = FORBIDDEN, desc = "A client's entry vanished: ConcurrentHashMap failed.")
    @State
    public static class AtomicTwoClients {
        final ServerState s = new AtomicState();

        @Actor
        public void client1() {
            s.requestServed("10.0.0.1");
        }

        @Actor
        public void client2() {
            s.requestServed("10.0.0.2");
        }

        @Arbiter
        public void after(J_Result r) {
            r.r1 = s.snapshot().perClient().size();
        }
    }
}
