package org.echolab.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The ring behind the live view and the counts behind {@code /metrics}: every answered request
 * is counted, however long it took while others went round the ring, and readers racing writers
 * never see a mix of two requests.
 */
class ActivityTest {

    @Test
    void aLongRequestIsCountedAfterTheRingWentRoundWithoutIt() {
        Activity activity = new Activity();
        Activity.Entry slow = activity.began(System.nanoTime(), 1, "/echo", 200, 2000);
        for (int n = 2; n <= 3 * Activity.CAPACITY; n++) {
            activity.ended(activity.began(System.nanoTime(), n, "/echo", 200, 0), true);
        }
        activity.ended(activity.began(System.nanoTime(), 0, "/gone", 200, 0), false); // abandoned: not counted

        activity.ended(slow, true);

        assertThat(activity.answered(200)).isEqualTo(3L * Activity.CAPACITY);
        long counted = 0;
        for (long n : activity.latencyCounts()) {
            counted += n;
        }
        assertThat(counted).isEqualTo(3L * Activity.CAPACITY);
        assertThat(activity.since(0))
                .as("the ring keeps the newest")
                .hasSize(Activity.CAPACITY)
                .noneMatch(r -> r.number() == 1);
    }

    @Test
    void readersNeverSeeAMixOfTwoRequests() throws Exception {
        Activity activity = new Activity();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            // every field of a request says the same number, so a mix of two shows
            writers.add(Thread.ofPlatform().name("w" + w).start(() -> {
                for (long n = 1; !stop.get(); n++) {
                    activity.ended(activity.began(n, n, "/n" + n, (int) (n % 500) + 100, n), true);
                }
            }));
        }
        long checked = 0;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline || checked < 10_000) {
            for (Activity.Request r : activity.since(0)) {
                long n = r.number();
                assertThat(r.beganNanos()).isEqualTo(n);
                assertThat(r.what()).isEqualTo("/n" + n);
                assertThat(r.status()).isEqualTo((int) (n % 500) + 100);
                assertThat(r.waitMillis()).isEqualTo(n);
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
