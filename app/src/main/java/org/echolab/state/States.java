package org.echolab.state;

import java.util.List;
import java.util.function.Supplier;
import org.echolab.server.ServerState;

/** The shared-state variants a server can run with ({@code --state}); the race lab adds more here. */
public final class States {

    public record Variant(String name, boolean broken, String summary, Supplier<ServerState> factory) {}

    private static final List<Variant> ALL = List.of(
            new Variant("atomic", false, "atomics, LongAdder and ConcurrentHashMap (the default)", AtomicState::new));

    private States() {}

    public static List<Variant> all() {
        return ALL;
    }

    public static Variant byName(String name) {
        for (Variant v : ALL) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown state '" + name + "'; choose one of "
                + ALL.stream().map(Variant::name).toList());
    }
}
