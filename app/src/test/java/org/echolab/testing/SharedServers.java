package org.echolab.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.echolab.server.EchoServer;

/**
 * One server per model with the default test settings ({@link Servers#config}), started on first
 * use and shared by the cases of a test class that only send requests; {@link #close()} stops
 * them after the last case.
 */
public final class SharedServers implements AutoCloseable {

    private final Map<String, EchoServer> servers = new ConcurrentHashMap<>();

    /** The server of {@code model}, started now if this is its first use. */
    public EchoServer of(String model) {
        return servers.computeIfAbsent(model, m -> Servers.start(Servers.config(m)));
    }

    @Override
    public void close() {
        servers.values().forEach(EchoServer::close);
        servers.clear();
    }
}
