package org.echolab.race;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.echolab.cli.Main;
import org.echolab.state.States;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code echolab race} end to end: real servers on free ports, real client sockets. Broken
 * variants must show losses or duplicates under threads, fixed ones none, and the command's exit
 * status must say whether every row was as expected.
 */
class RaceCommandTest {

    private static final RaceLab.Settings SETTINGS = new RaceLab.Settings(400, 8, Duration.ofMillis(1), false);

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"thread,broken", "virtual,broken", "pool,broken-adder", "virtual,shm-broken"})
    void brokenVariantsLoseOrRepeatUnderThreads(String model, String state) throws Exception {
        RaceRow row = RaceLab.run(model, States.byName(state), SETTINGS);
        assertThat(row.errors()).isZero();
        assertThat(row.expected()).isEqualTo(400);
        assertThat(row.duplicates()).as("request numbers seen twice").isPositive();
        if (!state.equals("broken-adder")) {
            assertThat(row.lost()).as("lost updates").isPositive();
        }
        assertThat(row.clean()).isFalse();
        assertThat(row.asExpected()).isTrue();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"thread,atomic", "virtual,synchronized", "pool,shm-atomic", "sequential,broken"})
    void fixedVariantsAndOneAtATimeLoseNothing(String model, String state) throws Exception {
        RaceRow row = RaceLab.run(model, States.byName(state), SETTINGS);
        assertThat(row.errors()).isZero();
        assertThat(row.served()).isEqualTo(400);
        assertThat(row.lastNumber()).isEqualTo(400);
        assertThat(row.duplicates()).isZero();
        assertThat(row.peakRight())
                .as("peak %d, open %d", row.peak(), row.open())
                .isTrue();
        assertThat(row.clean()).isTrue();
        assertThat(row.asExpected()).isTrue();
    }

    /**
     * Processes: a heap variant, even a correct one, counts in each child's own heap, so the
     * parent sees nothing and the clients see numbers again; shared memory is shared, and only
     * the atomic kind is right. Real child JVMs (one per connection under 'process').
     */
    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"process,atomic,false", "process,shm-broken,false", "process,shm-atomic,true", "prefork,shm-atomic,true"
    })
    void processesShareOnlyWhatIsInSharedMemory(String model, String state, boolean clean) throws Exception {
        RaceRow row =
                RaceLab.run(model, States.byName(state), new RaceLab.Settings(200, 4, Duration.ofMillis(1), false));
        assertThat(row.errors()).isZero();
        assertThat(row.clean()).as("%s", row).isEqualTo(clean);
        assertThat(row.asExpected()).isTrue();
        if (state.equals("atomic")) {
            assertThat(row.served())
                    .as("the parent's heap saw none of the children's requests")
                    .isZero();
            assertThat(row.duplicates()).as("4 children each numbering from 1").isPositive();
        }
    }

    @Test
    void commandPrintsTheTableAndExitsZeroWhenEveryRowIsAsExpected() {
        Output out = run("race", "--models", "virtual", "--states", "broken,atomic", "-n", "300");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text)
                .contains("expected", "lost", "dups")
                .containsPattern("virtual\\s+broken\\s+300 .*races, as expected")
                .containsPattern("virtual\\s+atomic\\s+300\\s+300\\s+300\\s+0\\s+0\\s+300 .*correct, as expected")
                .contains("every row as expected");
    }

    @Test
    void perConnectionSpreadShowsSequentialServingOneConnectionUntilItLeaves() {
        // 8 clients each send a first request at once; sequential answers one connection until the
        // 400 requests are all taken (400 - 7 = 393), then each of the other seven gets its one answer
        Output out = run("race", "--models", "sequential", "--states", "atomic", "-n", "400");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("per conn").containsPattern("sequential\\s+atomic\\s+400 .* 1 / 1 / 393 ");
    }

    @Test
    void brokenVariantWithoutAWindowOnOneRequestIsReportedAsUnexpected() {
        // one request cannot race with anything: the broken variant looks correct, and race says so
        Output out =
                run("race", "--models", "thread", "--states", "broken", "-n", "1", "-c", "1", "--race-window", "0");
        assertThat(out.code).as(out.text).isEqualTo(1);
        assertThat(out.text).contains("UNEXPECTED, expected races");
    }

    @Test
    void badOptionsGetUsageExit() {
        assertThat(run("race", "--states", "nonsense").code).isEqualTo(2);
        assertThat(run("race", "--models", "nonsense").code).isEqualTo(2);
        assertThat(run("race", "--clients", "0").code).isEqualTo(2);
        assertThat(run("race", "--race-window", "soon").code).isEqualTo(2);
    }

    private record Output(int code, String text) {}

    private static synchronized Output run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Output(code, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }
}
