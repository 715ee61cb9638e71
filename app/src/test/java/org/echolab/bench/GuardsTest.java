package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The guards skip what would exhaust the machine or only time out, say why, and let the rest run. */
class GuardsTest {

    private static final long GIB = 1L << 30;
    private static final Machine TWO_CORES = new Machine(2, 20_000, 32_768, 300, 20 * GIB, "test");
    private static final Guards GUARDS = new Guards(TWO_CORES);
    private static final Workload SLEEP = Workload.parse("sleep:100ms");
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aProcessPerConnectionIsCappedAtAFewHundredClients() {
        assertThat(GUARDS.skip("process", 100, SLEEP, Duration.ofSeconds(30))).isEmpty();
        assertThat(GUARDS.skip("process", 1000, SLEEP, Duration.ofSeconds(300)))
                .hasValueSatisfying(
                        why -> assertThat(why).contains("a JVM per connection").contains("1000 processes"));
    }

    @Test
    void processesThatCannotAllStartWithinTheTimeoutAreSkipped() {
        assertThat(GUARDS.skip("process", 10, SLEEP, TIMEOUT)).isEmpty(); // 10 x 200 ms / 2 = 1 s
        assertThat(GUARDS.skip("process", 10, SLEEP, Duration.ofSeconds(1)))
                .hasValueSatisfying(
                        why -> assertThat(why).contains("starting at once").contains("timeout"));
    }

    @Test
    void aProcessPerConnectionMustFitInHalfTheMemory() {
        Guards small = new Guards(new Machine(2, 20_000, 32_768, 300, 4 * GIB, "test"));

        assertThat(small.skip("process", 100, SLEEP, Duration.ofSeconds(30)))
                .hasValueSatisfying(why -> assertThat(why).contains("over half the available memory"));
    }

    @Test
    void sequentialGetsAHandfulOfClients() {
        assertThat(GUARDS.skip("sequential", 10, SLEEP, TIMEOUT)).isEmpty();
        assertThat(GUARDS.skip("sequential", 100, SLEEP, TIMEOUT))
                .hasValueSatisfying(why -> assertThat(why).contains("one connection at a time"));
    }

    @Test
    void aThreadPerConnectionMustLeaveTaskIdsToTheMachine() {
        assertThat(GUARDS.skip("thread", 10_000, SLEEP, TIMEOUT)).isEmpty();
        Guards crowded = new Guards(new Machine(2, 20_000, 32_768, 20_000, 20 * GIB, "test"));

        assertThat(crowded.skip("thread", 10_000, SLEEP, TIMEOUT))
                .hasValueSatisfying(why -> assertThat(why).contains("task ids").contains("pid_max 32768"));
    }

    @Test
    void everyModelNeedsDescriptorsWithinTheLimit() {
        assertThat(GUARDS.skip("virtual", 10_000, SLEEP, TIMEOUT)).isEmpty();
        assertThat(GUARDS.skip("virtual", 19_900, SLEEP, TIMEOUT))
                .hasValueSatisfying(why -> assertThat(why).contains("ulimit -n is 20000"));
    }

    @Test
    void cpuWorkBeyondWhatTheCoresFinishWithinTheTimeoutIsSkipped() {
        Workload cpu = Workload.parse("cpu:5ms");

        assertThat(GUARDS.skip("virtual", 500, cpu, TIMEOUT)).isEmpty(); // 500 x 5 ms / 2 = 1.25 s
        assertThat(GUARDS.skip("virtual", 600, cpu, TIMEOUT))
                .hasValueSatisfying( // 1.5 s, half of 3 s
                        why -> assertThat(why).contains("CPU-bound").contains("1.5 s per request"));
        assertThat(GUARDS.skip("virtual", 1000, cpu, TIMEOUT))
                .hasValueSatisfying( // 2.5 s
                        why -> assertThat(why).contains("CPU-bound").contains("2.5 s per request"));
    }

    @Test
    void aModelTheGuardsDoNotKnowRunsUnderTheGenericGuardsOnly() {
        assertThat(GUARDS.skip("eventloop", 10_000, SLEEP, TIMEOUT)).isEmpty();
    }

    @Test
    void theWarmupCoversConnectingEveryClientAndSpawningAProcessPerClient() {
        Duration planned = Duration.ofSeconds(1);

        assertThat(GUARDS.warmup("process", 100, planned)).isEqualTo(Duration.ofSeconds(11)); // 100 x 200 ms / 2 + 1 s
        assertThat(GUARDS.warmup("process", 1, planned)).isEqualTo(Duration.ofMillis(1100));
        assertThat(GUARDS.warmup("virtual", 1000, planned)).isEqualTo(planned);
        assertThat(GUARDS.warmup("virtual", 10_000, planned))
                .isEqualTo(Duration.ofSeconds(5)); // time to connect them all
    }

    @Test
    void workloadsParseAndSayWhatIsWrong() {
        assertThat(Workload.parse("sleep:100ms").label()).isEqualTo("sleep 100ms");
        assertThat(Workload.parse("cpu:5ms").work()).isEqualTo("cpu");
        assertThat(Workload.parse("none").perRequest()).isZero();
        assertThatThrownBy(() -> Workload.parse("nap:1s")).hasMessageContaining("sleep:DURATION, cpu:DURATION or none");
        assertThatThrownBy(() -> Workload.parse("sleep")).hasMessageContaining("needs a wait above 0");
    }

    @Test
    void aHerdOfWorkerJvmsMustFitInHalfTheMemoryAndTheTaskIds() {
        Guards small = new Guards(new Machine(2, 20_000, 32_768, 300, 4 * GIB, "test")); // 2 GiB for workers
        Guards fewTasks = new Guards(new Machine(2, 20_000, 4_096, 300, 20 * GIB, "test")); // 1,898 ids for workers

        assertThat(GUARDS.skipHerd(120)).isEmpty();
        assertThat(small.skipHerd(15)).isEmpty();
        assertThat(small.skipHerd(60))
                .hasValueSatisfying(
                        why -> assertThat(why).contains("60 worker JVMs").contains("memory"));
        assertThat(fewTasks.skipHerd(60))
                .hasValueSatisfying(why -> assertThat(why).contains("task ids are free"));
    }
}
