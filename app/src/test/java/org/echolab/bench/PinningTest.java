package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.echolab.models.Models;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where a pinned run starts its servers, and what an unpinned one says. */
@Timeout(10)
class PinningTest {

    @Test
    void readsTheCoresOfACpusAllowedListInOrder() {
        String status = "Name:\tjava\nCpus_allowed:\t3\nCpus_allowed_list:\t4,0-1\nMems_allowed_list:\t0\n";

        assertThat(Pinning.cpuList(status)).containsExactly(0, 1, 4);
        assertThat(Pinning.cpuList("Cpus_allowed_list:\t7\n")).containsExactly(7);
        assertThatThrownBy(() -> Pinning.cpuList("Name:\tjava\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPinnedRunStartsEachServerUnderTasksetOnTheServersCore() {
        Pinning p = new Pinning(true, 0, 1, "every server on core 0, the load generator on core 1");

        assertThat(p.onServerCore(List.of("nginx", "-p", "/x")))
                .containsExactly("taskset", "-c", "0", "nginx", "-p", "/x");
        assertThat(p.describe()).startsWith("Pinned: every server on core 0");
    }

    /**
     * The bench's servers start with the flags {@code ./echolab serve} gives their model's server
     * on one core, read from scripts/server-jvm.sh, where they are declared: the serial collector
     * for every model, a bounded young generation for all but the models that serve on platform
     * threads (each collection stops all their threads). ECHOLAB_SERVER_JVM_OPTS replaces them for
     * every model, as it does for the launcher and the perf check.
     */
    @Test
    void aPinnedServersJvmFlagsAreTheOnesDeclaredForItsModelOnOneCore() throws IOException {
        Tools.require(Path.of("/usr/bin/taskset"), "apt-get install util-linux");
        Path script = Path.of("../scripts/server-jvm.sh").toAbsolutePath().normalize();
        Set<String> onPlatformThreads = Set.of("sequential", "thread", "pool", "prethread", "prethread-mutex");

        Map<String, List<String>> flags = Pinning.serverJvmOptions(script, 0, null, Models.names());

        assertThat(flags).containsOnlyKeys(Models.names());
        assertThat(List.copyOf(flags.keySet())).as("in the models' order").isEqualTo(Models.names());
        flags.forEach((model, f) -> {
            assertThat(f).as(model).contains("-XX:+UseSerialGC");
            assertThat(f.contains("-Xmn16m")).as(model + ": " + f).isEqualTo(!onPlatformThreads.contains(model));
        });
        assertThat(Pinning.serverJvmOptions(script, 0, "-Xmx64m -Xss512k", List.of("thread", "virtual")))
                .containsExactly(
                        Map.entry("thread", List.of("-Xmx64m", "-Xss512k")),
                        Map.entry("virtual", List.of("-Xmx64m", "-Xss512k")));
        assertThat(Pinning.serverJvmOptions(script, 0, "", List.of("thread", "virtual")))
                .containsExactly(Map.entry("thread", List.of()), Map.entry("virtual", List.of()));
        assertThatThrownBy(() -> Pinning.serverJvmOptions(script.resolveSibling("nosuch.sh"), 0, null, List.of("pool")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nosuch.sh");
    }

    /** A script whose flags for a model span two lines cannot be read model by model: refused, saying so. */
    @Test
    void flagsThatDoNotComeOneLinePerModelAreRefused(@TempDir Path dir) throws IOException {
        Tools.require(Path.of("/usr/bin/taskset"), "apt-get install util-linux");
        Path script = dir.resolve("server-jvm.sh");
        Files.writeString(script, "echolab_server_jvm_opts() { echo -XX:+UseSerialGC; echo -Xmn16m; }\n");

        assertThatThrownBy(() -> Pinning.serverJvmOptions(script, 0, null, List.of("thread", "pool")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("printed 4 lines of flags for 2 models");
    }

    @Test
    void aServerStartsWithItsModelsFlagsAndTheNoteGroupsModelsByFlags() {
        Map<String, List<String>> jvm = new LinkedHashMap<>();
        jvm.put("virtual", List.of("-XX:+UseSerialGC", "-Xmn16m"));
        jvm.put("pool", List.of("-XX:+UseSerialGC"));
        jvm.put("eventloop", List.of("-XX:+UseSerialGC", "-Xmn16m"));
        Pinning p = new Pinning(true, 0, 1, "on core 0", jvm);

        assertThat(p.serverJvm("pool")).containsExactly("-XX:+UseSerialGC");
        assertThat(p.serverJvm("eventloop")).containsExactly("-XX:+UseSerialGC", "-Xmn16m");
        assertThat(p.serverJvm("netty")).as("a model the run did not name").isEmpty();
        assertThat(Pinning.byFlags(jvm))
                .isEqualTo("-XX:+UseSerialGC -Xmn16m (virtual, eventloop), -XX:+UseSerialGC (pool)");
        assertThat(Pinning.byFlags(Map.of("thread", List.of()))).isEqualTo("no flags (thread)");
    }

    @Test
    void anUnpinnedRunStartsServersAsGivenAndSaysSoLoudly() {
        Pinning p = Pinning.not("this process may use 1 core");

        assertThat(p.onServerCore(List.of("java", "-cp", "x"))).containsExactly("java", "-cp", "x");
        assertThat(p.describe())
                .startsWith("NOT PINNED: this process may use 1 core")
                .contains("shared the cores");
    }
}
