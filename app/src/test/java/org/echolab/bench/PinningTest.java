package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    @Test
    void anUnpinnedRunStartsServersAsGivenAndSaysSoLoudly() {
        Pinning p = Pinning.not("this process may use 1 core");

        assertThat(p.onServerCore(List.of("java", "-cp", "x"))).containsExactly("java", "-cp", "x");
        assertThat(p.describe())
                .startsWith("NOT PINNED: this process may use 1 core")
                .contains("shared the cores");
    }
}
