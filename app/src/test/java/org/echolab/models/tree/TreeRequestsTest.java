package org.echolab.models.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.echolab.process.Activity;
import org.junit.jupiter.api.Test;

/**
 * The tree's request ring on its own: what a child writes the parent reads back whole, counts
 * add up, and readers racing many writers never take a half-written record for a whole one.
 */
class TreeRequestsTest {

    private static final String MARK = "-Decholab.tree.file=/dev/shm/echolab-tree-test.bin";

    @Test
    void itServesOnlyTheChildrenStartedWithItsTreesFile() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            TreeRequests ring = new TreeRequests(arena.allocate(TreeRequests.SIZE, 64), MARK);
            // a command line over a page, as a child's class path makes it: the JDK's ProcessHandle.Info lists no
            // arguments then
            Process ours = new ProcessBuilder("/bin/sh", "-c", "sleep 30", MARK, "x".repeat(8192)).start();
            Process other = new ProcessBuilder("/bin/sh", "-c", "sleep 30", "-Decholab.tree.file=/elsewhere").start();
            try {
                assertThat(ring.serves(ours.toHandle())).isTrue();
                assertThat(ring.serves(other.toHandle())).isFalse();
            } finally {
                ours.destroyForcibly().waitFor();
                other.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aRecordReadsBackAsWrittenAndItsEndIsCounted() {
        try (Arena arena = Arena.ofConfined()) {
            TreeRequests ring = new TreeRequests(arena.allocate(TreeRequests.SIZE, 64), MARK);
            Activity.Copy child = ring.writer();
            String name = Thread.currentThread().getName();
            Thread.currentThread().setName("serving-thread");
            long h;
            try {
                h = child.began(1_000, 7, "/echo", 200, 250);
            } finally {
                Thread.currentThread().setName(name);
            }

            Activity.Request r = ring.since(0).getFirst();
            assertThat(r.inFlight()).isTrue();
            assertThat(r.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(r.worker()).isEqualTo("pid " + r.pid() + " serving-thread");
            assertThat(r.threadState()).isNull();
            assertThat(r.what()).isEqualTo("/echo");
            assertThat(r.number()).isEqualTo(7);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.waitMillis()).isEqualTo(250);

            child.ended(h, 3_000_000, 200, 2_999_000);
            assertThat(ring.since(0).getFirst().endedNanos()).isEqualTo(3_000_000);
            assertThat(ring.since(3_000_000)).as("ended before the window").isEmpty();
            assertThat(ring.answered(200)).isEqualTo(1);
            assertThat(ring.latencyCounts()[Activity.bucket(0.002999)]).isEqualTo(1);
            assertThat(ring.latencyNanos()).isEqualTo(2_999_000);

            child.ended(child.began(1, 8, "/gone", 200, 0), 2, 0, 1); // abandoned: in the timeline, not counted
            assertThat(ring.answered(200)).isEqualTo(1);
        }
    }

    @Test
    void eachChildWritesAStripeOfItsOwnAndTheReaderSeesThemAll() {
        try (Arena arena = Arena.ofConfined()) {
            TreeRequests ring = new TreeRequests(arena.allocate(TreeRequests.SIZE, 64), MARK);
            List<Activity.Copy> children = new ArrayList<>();
            for (int c = 0; c < TreeRequests.STRIPES + 2; c++) { // more children than stripes: they share in turn
                children.add(ring.writer());
            }
            for (int n = 1; n <= 3 * TreeRequests.PER_STRIPE; n++) {
                for (Activity.Copy child : children) {
                    child.ended(child.began(n, n, "/echo", 200, 0), n + 1, 200, 1_000);
                }
            }
            long answered = 3L * TreeRequests.PER_STRIPE * children.size();
            assertThat(ring.answered(200)).isEqualTo(answered);
            assertThat(ring.latencyNanos()).isEqualTo(answered * 1_000);
            assertThat(ring.since(0))
                    .as("the newest of every stripe")
                    .hasSize(TreeRequests.STRIPES * TreeRequests.PER_STRIPE)
                    .allSatisfy(r -> assertThat(r.number()).isGreaterThan(TreeRequests.PER_STRIPE));
        }
    }

    @Test
    void longTextsAreCutAndNonAsciiIsReplaced() {
        try (Arena arena = Arena.ofConfined()) {
            TreeRequests ring = new TreeRequests(arena.allocate(TreeRequests.SIZE, 64), MARK);
            Activity.Copy child = ring.writer();
            child.began(1, 1, "/anything/" + "x".repeat(100) + "é", 200, 0);
            child.began(2, 2, "/é", 200, 0);
            List<Activity.Request> rs = ring.since(0);
            assertThat(rs.get(0).what()).hasSize(TreeRequests.TEXT).startsWith("/anything/xx");
            assertThat(rs.get(1).what()).isEqualTo("/?");
        }
    }

    @Test
    void readersNeverSeeAMixOfTwoRecords() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TreeRequests ring = new TreeRequests(arena.allocate(TreeRequests.SIZE, 64), MARK);
            Activity.Copy shared = ring.writer(); // a prefork worker's threads share its stripe
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                // every field of a record says the same number, so a mix of two records shows
                writers.add(Thread.ofPlatform().name("w" + w).start(() -> {
                    for (long n = 1; !stop.get(); n++) {
                        long h = shared.began(n, n, "/n" + n, (int) (n % 500) + 100, n);
                        shared.ended(h, n + 1, 0, 0);
                    }
                }));
            }
            long checked = 0;
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline || checked < 10_000) {
                for (Activity.Request r : ring.since(0)) {
                    long n = r.number();
                    assertThat(r.beganNanos()).isEqualTo(n);
                    assertThat(r.what()).isEqualTo("/n" + n);
                    assertThat(r.status()).isEqualTo((int) (n % 500) + 100);
                    assertThat(r.waitMillis()).isEqualTo(n);
                    assertThat(r.worker()).matches("pid \\d+ w[0-2]");
                    checked++;
                }
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(checked).isGreaterThan(10_000);
        }
    }
}
