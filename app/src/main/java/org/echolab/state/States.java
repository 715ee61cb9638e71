package org.echolab.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The shared-state variants a server can run with ({@code --state}): the race lab. Broken variants
 * say so in their name and sit beside their fixes. A new variant is one file plus one line here,
 * or, from outside the project, a {@link Plugin} on the class path.
 */
public final class States {

    /**
     * A variant: its name, whether it is broken on purpose, whether its state is shared between the
     * processes of a {@code process}/{@code prefork} server (otherwise each process has its own),
     * a one-line summary, and how to make one from the race window ({@code --race-window}: the
     * pause a broken variant takes between its read and its write).
     */
    public record Variant(
            String name,
            boolean broken,
            boolean acrossProcesses,
            String summary,
            Function<Duration, ServerState> maker) {

        /** A new state of this variant, whose broken steps (if any) pause for {@code raceWindow}. */
        public ServerState create(Duration raceWindow) {
            return maker.apply(raceWindow);
        }
    }

    /**
     * Variants written outside the project (a student's), found with {@link ServiceLoader}: named
     * in a class path resource {@code META-INF/services/org.echolab.state.States$Plugin}.
     */
    public interface Plugin {
        List<Variant> states();
    }

    private static final List<Variant> BUILT_IN = List.of(
            new Variant(
                    "broken",
                    true,
                    false,
                    "BROKEN: plain fields and a HashMap: lost updates, duplicate numbers, check-then-act peak",
                    w -> new BrokenState(new RaceWindow(w))),
            new Variant(
                    "broken-adder",
                    true,
                    false,
                    "BROKEN: request numbers from a LongAdder (increment, then sum): duplicates, no losses",
                    w -> new BrokenAdderState(new RaceWindow(w))),
            new Variant(
                    "synchronized",
                    false,
                    false,
                    "the broken variant's fields behind one lock (synchronized methods)",
                    w -> new SynchronizedState()),
            new Variant(
                    "atomic",
                    false,
                    false,
                    "atomics, LongAdder and ConcurrentHashMap (the default)",
                    w -> new AtomicState()),
            new Variant(
                    "shm-broken",
                    true,
                    true,
                    "BROKEN: counters in a /dev/shm mapping shared by all processes, plain loads and stores",
                    w -> new ShmBrokenState(SharedMemory.openOrCreate(w))),
            new Variant(
                    "shm-atomic",
                    false,
                    true,
                    "counters in a /dev/shm mapping shared by all processes, atomic getAndAdd and CAS",
                    w -> new ShmAtomicState(SharedMemory.openOrCreate(w))));

    private static final List<Variant> ALL = withPlugins();

    private States() {}

    private static List<Variant> withPlugins() {
        List<Variant> all = new ArrayList<>(BUILT_IN);
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            for (Variant v : plugin.states()) {
                if (all.stream().anyMatch(x -> x.name().equals(v.name()))) {
                    throw new IllegalStateException("two states are called '" + v.name() + "'; rename "
                            + plugin.getClass().getName() + "'s");
                }
                all.add(v);
            }
        }
        return List.copyOf(all);
    }

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
