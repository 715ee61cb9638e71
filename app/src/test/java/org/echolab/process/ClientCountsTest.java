package org.echolab.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-client bound: an automatic one spares loopback clients, a number bounds every address. */
@Timeout(10)
class ClientCountsTest {

    @Test
    void anAutomaticBoundSparesLoopbackAndHoldsForOtherAddresses() {
        ClientCounts auto = new ClientCounts(1, false);
        for (int i = 0; i < 5; i++) {
            assertThat(auto.open("127.0.0.1")).isTrue();
            assertThat(auto.open("::1")).isTrue();
        }
        assertThat(auto.open("10.0.0.7")).isTrue();
        assertThat(auto.open("10.0.0.7")).as("another machine: bounded").isFalse();
        auto.close("10.0.0.7");
        assertThat(auto.open("10.0.0.7")).isTrue();
    }

    @Test
    void aBoundGivenAsANumberHoldsForLoopbackToo() {
        ClientCounts given = new ClientCounts(2, true);
        assertThat(given.open("127.0.0.1")).isTrue();
        assertThat(given.open("127.0.0.1")).isTrue();
        assertThat(given.open("127.0.0.1")).isFalse();
        assertThat(new ClientCounts(0, true).open("127.0.0.1"))
                .as("0: no bound")
                .isTrue();
    }

    @Test
    void loopbackIsReadFromTheAddressWithoutALookup() {
        assertThat(ClientCounts.loopback("127.0.0.2")).isTrue();
        assertThat(ClientCounts.loopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(ClientCounts.loopback("192.168.1.4")).isFalse();
        assertThat(ClientCounts.loopback("?")).isFalse();
        assertThat(ClientCounts.loopback("localhost"))
                .as("a name, not an address")
                .isFalse();
    }
}
