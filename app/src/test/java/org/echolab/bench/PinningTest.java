package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
     * The bench's servers start with the flags {@code ./echolab serve} gives a server on one core,
     * read from scripts/server-jvm.sh, where they are declared; ECHOLAB_SERVER_JVM_OPTS replaces
     * them, as it does for the launcher and the perf check.
     */
    @Test
    void aPinnedServersJvmFlagsAreTheOnesDeclaredForOneCore() throws IOException {
        Tools.require(Path.of("/usr/bin/taskset"), "apt-get install util-linux");
        Path script = Path.of("../scripts/server-jvm.sh").toAbsolutePath().normalize();
        String declared = Files.readString(script)
                .lines()
                .filter(l -> l.startsWith("echolab_one_core_jvm_opts="))
                .findFirst()
                .orElseThrow()
                .replaceAll("^[^=]*=\"|\"$", "");

        assertThat(Pinning.serverJvmOptions(script, 0, null))
                .isEqualTo(List.of(declared.split(" ")))
                .contains("-XX:+UseSerialGC");
        assertThat(Pinning.serverJvmOptions(script, 0, "-Xmx64m -Xss512k")).containsExactly("-Xmx64m", "-Xss512k");
        assertThat(Pinning.serverJvmOptions(script, 0, "")).isEmpty();
        assertThatThrownBy(() -> Pinning.serverJvmOptions(script.resolveSibling("nosuch.sh"), 0, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nosuch.sh");
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
