package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.echolab.server.BlockingSession;
import org.echolab.server.Connections;
import org.echolab.server.EchoService;
import org.echolab.server.ServerConfig;

/**
 * What a model gets to work with: configuration, the shared service and session, the connection
 * registry and, inside a {@code prefork} worker, the listening socket it inherited (else null).
 */
public record ServerContext(ServerConfig config, EchoService service, Connections connections, BlockingSession session,
                            ServerSocket inheritedListener) {

    public ServerContext(ServerConfig config, EchoService service, Connections connections, BlockingSession session) {
        this(config, service, connections, session, null);
    }

    /**
     * A listening socket on {@code --bind}:{@code --port} with the configured backlog; or the
     * inherited one, so that a thread model runs unchanged inside a prefork worker process.
     */
    public ServerSocket openListener() throws IOException {
        if (inheritedListener != null) {
            return inheritedListener;
        }
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(config.bind, config.port), config.backlog);
        return listener;
    }
}
