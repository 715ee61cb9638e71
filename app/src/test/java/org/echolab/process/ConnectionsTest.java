package org.echolab.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.state.AtomicState;
import org.echolab.state.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry's bookkeeping, with members that are plain objects: each connection is counted
 * open once and closed once, a refused one not at all and its slot given back; the drain closes
 * members without an owner itself and asks an owner to close its own.
 */
@Timeout(30)
class ConnectionsTest {

    /** A member that any thread may close; {@code busy} ones stay open through {@link #closeIfIdle}. */
    private static class Plain implements Connections.Member {
        final Connections registry;
        final String client;
        boolean busy;
        boolean forced;

        Plain(Connections registry, String client) {
            this.registry = registry;
            this.client = client;
        }

        @Override
        public String client() {
            return client;
        }

        @Override
        public void closeIfIdle() {
            if (!busy) {
                registry.closed(this, Closes.Cause.DRAINED, "idle", false);
            }
        }

        @Override
        public void closeNow() {
            forced = true;
            registry.closed(this, Closes.Cause.FORCED, "forced", false);
        }
    }

    /** An owner that records what the drain asked of it, and closes its members when asked to close all. */
    private static final class Owner implements Connections.Owner {
        final List<Plain> members = new ArrayList<>();
        final AtomicInteger askedIdle = new AtomicInteger();

        @Override
        public void closeIdle() {
            askedIdle.incrementAndGet();
        }

        @Override
        public int closeAll() {
            members.forEach(m -> m.registry.closed(m, Closes.Cause.FORCED, "owner ended", false));
            return members.size();
        }

        Plain member(Connections registry, String client) {
            Plain m = new Plain(registry, client) {
                @Override
                public Connections.Owner owner() {
                    return Owner.this;
                }

                @Override
                public void closeIfIdle() {
                    throw new AssertionError("only its owner closes it");
                }

                @Override
                public void closeNow() {
                    throw new AssertionError("only its owner closes it");
                }
            };
            members.add(m);
            return m;
        }
    }

    @Test
    void eachConnectionIsCountedOnceARefusedOneNotAtAllAndItsSlotGoesBack() {
        ServerState state = new AtomicState();
        Connections registry = new Connections(state, 2, 1, true, new Closes());
        assertThat(registry.tryTakeSlot()).isTrue();
        Plain first = new Plain(registry, "10.0.0.1");
        assertThat(registry.admit(first)).isTrue();
        assertThat(registry.tryTakeSlot()).isTrue();
        assertThat(registry.admit(new Plain(registry, "10.0.0.1")))
                .as("over --max-per-client")
                .isFalse();
        assertThat(registry.perClientRefusal()).contains("--max-per-client");
        assertThat(state.snapshot().open()).isEqualTo(1);
        assertThat(registry.tryTakeSlot())
                .as("the refused one's slot went back")
                .isTrue();
        assertThat(registry.tryTakeSlot())
                .as("two slots: one held, one just taken")
                .isFalse();
        Plain second = new Plain(registry, "10.0.0.2");
        assertThat(registry.admit(second)).isTrue();
        registry.closed(first, Closes.Cause.CLIENT_CLOSED, "client closed", false);
        registry.closed(first, Closes.Cause.CLIENT_CLOSED, "client closed", false);
        assertThat(state.snapshot().open()).as("closed twice, counted once").isEqualTo(1);
        assertThat(state.snapshot().peak()).isEqualTo(2);
        assertThat(registry.tryTakeSlot()).as("its slot back, once").isTrue();
        assertThat(registry.tryTakeSlot()).isFalse();
        registry.closed(second, Closes.Cause.CLIENT_CLOSED, "client closed", false);
        assertThat(state.snapshot().open()).isZero();
        assertThat(registry.size()).isZero();
        registry.close();
    }

    @Test
    void theDrainClosesPlainMembersItselfAndAsksAnOwnerToCloseItsOwn() throws Exception {
        ServerState state = new AtomicState();
        Connections registry = new Connections(state, 0, 0, true, new Closes());
        Plain idle = new Plain(registry, "10.0.0.1");
        Plain busy = new Plain(registry, "10.0.0.2");
        busy.busy = true;
        Owner loop = new Owner();
        Plain owned = loop.member(registry, "10.0.0.3");
        for (Plain m : List.of(idle, busy, owned)) {
            assertThat(registry.tryTakeSlot()).isTrue();
            assertThat(registry.admit(m)).isTrue();
        }
        int forced = registry.drain(Duration.ofMillis(300));
        assertThat(registry.draining()).isTrue();
        assertThat(idle.forced).as("closed as idle").isFalse();
        assertThat(busy.forced).as("still busy when the grace ran out").isTrue();
        assertThat(loop.askedIdle.get()).as("asked at each scan of the drain").isGreaterThan(1);
        assertThat(forced).as("the busy one, and the owner's one").isEqualTo(2);
        assertThat(state.snapshot().open()).isZero();
        assertThat(registry.size()).isZero();
        registry.close();
    }
}
