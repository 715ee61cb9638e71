package org.echolab.models;

import java.util.List;
import java.util.function.Function;
import org.echolab.server.ServerConfig;

/** Every concurrency model, by name. A new model is one file plus one line here. */
public final class Models {

    /** A model's name, its one-line summary for {@code echolab models}, and how to make one. */
    public record Info(String name, String summary, Function<ServerConfig, ConcurrencyModel> factory) {}

    private static final List<Info> ALL = List.of(
            new Info("sequential", "one connection at a time on the accept thread: shows the problem",
                    c -> new SequentialModel()),
            new Info("thread", "a new platform thread per connection",
                    c -> new ThreadModel()),
            new Info("pool", "a fixed pool of --threads platform threads with a bounded --queue",
                    PoolModel::new),
            new Info("virtual", "a virtual thread per connection",
                    c -> new VirtualThreadModel()),
            new Info("eventloop", "--loops selector loops own all connections; waits are timers; work=cpu blocks a loop unless --offload",
                    EventLoopModel::new),
            new Info("process", "a new child JVM per connection (inetd style), at most --max-children", ProcessModel::new),
            new Info("prefork", "--workers child JVMs that each accept, running --worker-model inside", PreforkModel::new));

    private Models() {}

    public static List<Info> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Info::name).toList();
    }

    /** @throws IllegalArgumentException naming the models there are */
    public static Info byName(String name) {
        for (Info m : ALL) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; choose one of " + names());
    }
}
