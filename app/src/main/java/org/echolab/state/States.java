package org.echolab.state;

import java.util.List;
import java.util.function.Function;
import org.echolab.server.ServerConfig;
import org.echolab.server.ServerState;

/**
 * The shared-state variants a server can run with ({@code --state}): the race lab. Broken variants
 * say so in their name and sit beside their fixes. A new variant is one file plus one line here.
 */
public final class States {

    /**
     * A variant: its name, whether it is broken on purpose, whether its state is shared between the
     * processes of a {@code process}/{@code prefork} server (otherwise each process has its own),
     * a one-line summary, and how to make one (from the config: the race window).
     */
    public record Variant(String name, boolean broken, boolean acrossProcesses, String summary,
                          Function<ServerConfig, ServerState> maker) {

        /** A new state of this variant for a server with {@code config} (its race window). */
        public ServerState create(ServerConfig config) {
            return maker.apply(config);
        }
    }

    private static final List<Variant> ALL = List.of(
            new Variant("broken", true, false,
                    "BROKEN: plain fields and a HashMap: lost updates, duplicate numbers, check-then-act peak",
                    c -> new BrokenState(new RaceWindow(c.raceWindow))),
            new Variant("broken-adder", true, false,
                    "BROKEN: request numbers from a LongAdder (increment, then sum): duplicates, no losses",
                    c -> new BrokenAdderState(new RaceWindow(c.raceWindow))),
            new Variant("synchronized", false, false,
                    "the broken variant's fields behind one lock (synchronized methods)",
                    c -> new SynchronizedState()),
            new Variant("atomic", false, false,
                    "atomics, LongAdder and ConcurrentHashMap (the default)",
                    c -> new AtomicState()),
            new Variant("shm-broken", true, true,
                    "BROKEN: counters in a /dev/shm mapping shared by all processes, plain loads and stores",
                    c -> new ShmBrokenState(SharedMemory.openOrCreate(c.raceWindow))),
            new Variant("shm-atomic", false, true,
                    "counters in a /dev/shm mapping shared by all processes, atomic getAndAdd and CAS",
                    c -> new ShmAtomicState(SharedMemory.openOrCreate(c.raceWindow))));

    private States() {}

    public static List<Variant> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Variant::name).toList();
    }

    /** @throws IllegalArgumentException naming the variants there are */
    public static Variant byName(String name) {
        for (Variant v : ALL) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown state '" + name + "'; choose one of " + names());
    }
}
