package org.echolab.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shm variants' contract with the process models, with real child JVMs: the parent creates
 * the file and sets {@value SharedMemory#PROPERTY}; children given the property map the same
 * file; only the parent deletes it. Across processes the atomic variant loses nothing and the
 * broken one loses updates.
 */
class SharedMemoryAcrossProcessesTest {

    private static final int CHILDREN = 3;
    private static final int PER_CHILD = 1000;

    @Test
    void creatorMakesTheFileSetsThePropertyAndDeletesBoth() {
        ServerState parent = States.byName("shm-atomic").create(Duration.ZERO);
        Path file = Path.of(System.getProperty(SharedMemory.PROPERTY));
        assertThat(file).exists();
        // a second state in this JVM behaves like a child: it maps the same file
        ServerState child = States.byName("shm-atomic").create(Duration.ZERO);
        parent.nextRequestNumber();
        assertThat(child.nextRequestNumber()).isEqualTo(2);
        close(child);
        assertThat(file).as("only the creator deletes").exists();
        close(parent);
        assertThat(file).doesNotExist();
        assertThat(System.getProperty(SharedMemory.PROPERTY)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shm-atomic", "shm-broken"})
    void childProcessesShareTheCounters(String variant) throws Exception {
        ServerState parent = States.byName(variant).create(Duration.ofNanos(100_000));
        try {
            String file = System.getProperty(SharedMemory.PROPERTY);
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Process> children = new ArrayList<>();
            for (int i = 0; i < CHILDREN; i++) {
                children.add(new ProcessBuilder(
                                java,
                                "-D" + SharedMemory.PROPERTY + "=" + file,
                                "-cp",
                                System.getProperty("java.class.path"),
                                ShmCounterChild.class.getName(),
                                variant,
                                Integer.toString(PER_CHILD))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            for (Process p : children) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
                assertThat(p.exitValue()).isZero();
            }
            ServerState.Snapshot snap = parent.snapshot();
            long total = (long) CHILDREN * PER_CHILD;
            if (variant.equals("shm-atomic")) {
                assertThat(snap.requestNumbers()).isEqualTo(total);
                assertThat(snap.served()).isEqualTo(total);
                assertThat(snap.open()).isZero();
            } else {
                assertThat(snap.requestNumbers())
                        .as("plain loads and stores across processes lose updates")
                        .isLessThan(total);
            }
            assertThat(Files.exists(Path.of(file)))
                    .as("children do not delete the parent's file")
                    .isTrue();
        } finally {
            close(parent);
        }
    }

    private static void close(ServerState s) {
        try {
            ((AutoCloseable) s).close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
