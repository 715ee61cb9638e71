package org.echolab.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state variant in {@link States}, through one suite (HdrHistogram's habit): alone, each
 * counts right; under contention the fixed ones still do and the broken ones, with a race window,
 * lose updates or repeat numbers. A new variant is tested by adding it to States.
 */
class StateVariantsTest {

    private static final int THREADS = 4;
    private static final int PER_THREAD = 200;

    private final List<ServerState> made = new ArrayList<>();

    static Stream<States.Variant> variants() {
        return States.all().stream();
    }

    private ServerState make(States.Variant v, Duration window) {
        ServerState s = v.create(window);
        made.add(s);
        return s;
    }

    @AfterEach
    void closeShared() throws Exception {
        for (ServerState s : made) {
            if (s instanceof AutoCloseable c) {
                c.close();
            }
        }
        assertThat(System.getProperty(SharedMemory.PROPERTY))
                .as("a shm state's creator clears the property")
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void oneThreadCountsRight(States.Variant v) {
        ServerState s = make(v, Duration.ZERO);
        assertThat(s.name()).isEqualTo(v.name());
        for (int i = 1; i <= 5; i++) {
            assertThat(s.nextRequestNumber()).isEqualTo(i);
            s.requestServed("10.0.0.1");
        }
        s.requestServed("10.0.0.2");
        s.connectionOpened();
        s.connectionOpened();
        s.connectionClosed();
        s.connectionOpened();
        s.connectionClosed();
        s.connectionClosed();
        ServerState.Snapshot snap = s.snapshot();
        assertThat(snap.requestNumbers()).isEqualTo(5);
        assertThat(snap.served()).isEqualTo(6);
        assertThat(snap.open()).isZero();
        assertThat(snap.peak()).isEqualTo(2);
        if (!v.acrossProcesses()) {
            assertThat(snap.perClient())
                    .containsOnly(java.util.Map.entry("10.0.0.1", 5L), java.util.Map.entry("10.0.0.2", 1L));
        }
    }

    /**
     * THREADS threads, released together, each takes PER_THREAD numbers and counts as many
     * requests. Fixed variants: every number once, every request counted. Broken variants with a
     * 200us window: the gap is wide enough that losses are certain in practice (thousands of
     * overlapping windows), so "no loss" fails the test.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void contentionShowsExactlyTheBrokenOnes(States.Variant v) throws Exception {
        ServerState s = make(v, Duration.ofNanos(200_000));
        ConcurrentLinkedQueue<Long> numbers = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < PER_THREAD; i++) {
                    s.connectionOpened();
                    numbers.add(s.nextRequestNumber());
                    s.requestServed("127.0.0.1");
                    s.connectionClosed();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = THREADS * PER_THREAD;
        Set<Long> distinct = new HashSet<>(numbers);
        ServerState.Snapshot snap = s.snapshot();
        boolean clean = distinct.size() == total
                && snap.requestNumbers() == total
                && snap.served() == total
                && snap.open() == 0
                && snap.peak() >= 1
                && snap.peak() <= THREADS
                && (v.acrossProcesses() || snap.perClient().get("127.0.0.1") == total);
        assertThat(clean)
                .as(
                        "%s: %d distinct numbers, last %d, served %d, open %d, peak %d, per client %s",
                        v.name(),
                        distinct.size(),
                        snap.requestNumbers(),
                        snap.served(),
                        snap.open(),
                        snap.peak(),
                        snap.perClient())
                .isEqualTo(!v.broken());
        if (v.name().equals("broken-adder")) {
            assertThat(snap.served())
                    .as("a LongAdder loses no count; only its numbers repeat")
                    .isEqualTo(total);
            assertThat(distinct).hasSizeLessThan(total);
        }
    }
}
