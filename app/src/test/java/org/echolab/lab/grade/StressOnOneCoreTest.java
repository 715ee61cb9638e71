package org.echolab.lab.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.state.States;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The race stress counts only the rounds in which its threads ran side by side. Pinned to one core
 * (taskset), threads only take turns at time slices, so no round can show a race: the check says
 * it could not check, and never passes, whichever state it is given.
 */
class StressOnOneCoreTest {

    /** Runs the stress for a few seconds in this process, then prints whether it passed and what it saw. */
    public static void main(String[] args) throws Exception {
        States.Variant variant = States.byName(args[0]);
        Check c = RaceChecks.stress(variant, StateShape.of(variant), Duration.ofSeconds(Long.parseLong(args[1])));
        System.out.println((c.passed() ? "PASS " : "FAIL ") + c.saw());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void onOneCoreTheStressSaysItCouldNotCheckAndNeverPasses() throws Exception {
        for (String state : List.of("atomic", "broken-adder")) {
            Process p = new ProcessBuilder(
                            "taskset",
                            "-c",
                            "0",
                            ProcessHandle.current().info().command().orElseThrow(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            StressOnOneCoreTest.class.getName(),
                            state,
                            "3")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out)
                    .as("the '%s' state's stress on one core", state)
                    .startsWith("FAIL ")
                    .doesNotContain("PASS");
            if (state.equals("atomic")) {
                assertThat(out).contains("not checked: ").contains("ran side by side in only");
            }
        }
    }
}
