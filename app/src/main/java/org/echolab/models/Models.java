package org.echolab.models;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.AcceptLock;

/**
 * Every concurrency model, by name, with what the tools need to know about it. A new model is one
 * file plus one line here, or, from outside the project, a {@link Plugin} on the class path; the
 * race lab, the benchmark and the CLI ask a model's {@link Traits}, never its name.
 */
public final class Models {

    /** How a model's requests can interleave, which decides what shared state can race. */
    public enum Interleaving {
        /** One request at a time on one thread: nothing interleaves. */
        ONE_AT_A_TIME,
        /** Threads (platform, virtual or event loops) of one process: they share the heap. */
        THREADS,
        /** Several processes: each has its own heap; only a shared-memory mapping is shared. */
        PROCESSES
    }

    /** What a new connection costs the server, which decides how many clients a benchmark may try. */
    public enum PerConnection {
        /** Nothing beyond its socket and buffers: it waits for a worker that already exists. */
        NOTHING,
        /** A new kernel (platform) thread, with its stack. */
        PLATFORM_THREAD,
        /** A new virtual thread: a heap object. */
        VIRTUAL_THREAD,
        /** A new JVM process. */
        PROCESS
    }

    /**
     * What a model is like.
     *
     * @param interleaving       how its requests can interleave
     * @param perConnection      what a new connection costs
     * @param insidePreforkWorker whether it can run inside a {@code prefork} worker ({@code --worker-model})
     * @param unpRow             its row in UNP's Figure 30.1 (ch. 30), or {@link #NOT_IN_UNP}
     */
    public record Traits(
            Interleaving interleaving, PerConnection perConnection, boolean insidePreforkWorker, int unpRow) {

        /** The book predates the model (virtual threads, the event loop). */
        public static final int NOT_IN_UNP = -1;

        public boolean oneAtATime() {
            return interleaving == Interleaving.ONE_AT_A_TIME;
        }
    }

    /** A model's name, its one-line summary for {@code echolab models}, its traits and how to make one. */
    public record Entry(String name, String summary, Traits traits, Function<ServerConfig, ConcurrencyModel> factory) {}

    /**
     * Models written outside the project (a student's, say), found with {@link ServiceLoader}: a
     * class with a public no-argument constructor, named in a class path resource
     * {@code META-INF/services/org.echolab.models.Models$Plugin}. Each name must differ from every
     * other model's. They then run under {@code serve}, {@code load}, {@code race} and {@code bench}
     * like the project's own.
     */
    public interface Plugin {
        List<Entry> models();
    }

    private static final List<Entry> BUILT_IN = List.of(
            new Entry(
                    "sequential",
                    "one connection at a time on the accept thread: shows the problem",
                    new Traits(Interleaving.ONE_AT_A_TIME, PerConnection.NOTHING, true, 0),
                    c -> new SequentialModel()),
            new Entry(
                    "thread",
                    "a new platform thread per connection",
                    new Traits(Interleaving.THREADS, PerConnection.PLATFORM_THREAD, false, 6),
                    c -> new ThreadModel()),
            new Entry(
                    "pool",
                    "a fixed pool of --threads platform threads with a bounded --queue",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, true, 8),
                    PoolModel::new),
            new Entry(
                    "virtual",
                    "a virtual thread per connection",
                    new Traits(Interleaving.THREADS, PerConnection.VIRTUAL_THREAD, true, Traits.NOT_IN_UNP),
                    c -> new VirtualThreadModel()),
            new Entry(
                    "eventloop",
                    "--loops selector loops own all connections; waits are timers; work=cpu goes to --offload-threads",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, Traits.NOT_IN_UNP),
                    EventLoopModel::new),
            new Entry(
                    "netty",
                    "the event loop on Netty 4.2's native epoll transport: --loops loops own all connections",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, Traits.NOT_IN_UNP),
                    c -> new NettyModel(c, NettyModel.Transport.EPOLL)),
            new Entry(
                    "netty-uring",
                    "the event loop on Netty 4.2's io_uring transport: the kernel does the reads and writes",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, Traits.NOT_IN_UNP),
                    c -> new NettyModel(c, NettyModel.Transport.IO_URING)),
            new Entry(
                    "process",
                    "a new child JVM per connection (inetd style), at most --max-children",
                    new Traits(Interleaving.PROCESSES, PerConnection.PROCESS, false, 1),
                    ProcessModel::new),
            new Entry(
                    "prefork",
                    "--workers child JVMs that each accept, running --worker-model inside",
                    new Traits(Interleaving.PROCESSES, PerConnection.NOTHING, false, 2),
                    PreforkModel::new),
            new Entry(
                    "prefork-flock",
                    "prefork whose workers take a file lock (fcntl) around accept",
                    new Traits(Interleaving.PROCESSES, PerConnection.NOTHING, false, 3),
                    c -> new PreforkModel(c, AcceptLock.Kind.FILE)),
            new Entry(
                    "prefork-mutex",
                    "prefork whose workers take a pthread mutex in shared memory around accept",
                    new Traits(Interleaving.PROCESSES, PerConnection.NOTHING, false, 4),
                    c -> new PreforkModel(c, AcceptLock.Kind.MUTEX)),
            new Entry(
                    "prefork-pass",
                    "--workers child JVMs running --worker-model; only the parent accepts and passes each connection to one",
                    new Traits(Interleaving.PROCESSES, PerConnection.NOTHING, false, 5),
                    PassingPreforkModel::new),
            new Entry(
                    "prethread",
                    "--threads platform threads that each call accept and serve what they accepted",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, Traits.NOT_IN_UNP),
                    c -> new PrethreadModel(c, false)),
            new Entry(
                    "prethread-mutex",
                    "--threads platform threads that each call accept, a mutex around accept",
                    new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, 7),
                    c -> new PrethreadModel(c, true)));

    private static final List<Entry> ALL = withPlugins();

    private Models() {}

    private static List<Entry> withPlugins() {
        List<Entry> all = new ArrayList<>(BUILT_IN);
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            for (Entry e : plugin.models()) {
                if (all.stream().anyMatch(m -> m.name().equals(e.name()))) {
                    throw new IllegalStateException("two models are called '" + e.name() + "'; rename "
                            + plugin.getClass().getName() + "'s");
                }
                all.add(e);
            }
        }
        return List.copyOf(all);
    }

    public static List<Entry> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Entry::name).toList();
    }

    /** @throws IllegalArgumentException naming the models there are */
    public static Entry byName(String name) {
        for (Entry m : ALL) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; choose one of " + names());
    }

    /** The model a configuration names, made: checks the model names it uses against this registry. */
    public static ConcurrencyModel create(ServerConfig config) {
        Entry entry = byName(config.model);
        if (!preforkWorkerModels().contains(config.workerModel)) {
            throw new IllegalArgumentException(
                    "--worker-model must be one of " + preforkWorkerModels() + " (got '" + config.workerModel + "')");
        }
        return entry.factory().apply(config);
    }

    private static List<String> preforkWorkerModels() {
        return ALL.stream()
                .filter(m -> m.traits().insidePreforkWorker())
                .map(Entry::name)
                .toList();
    }
}
