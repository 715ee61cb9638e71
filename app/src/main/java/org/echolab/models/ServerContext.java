package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.echolab.server.BlockingSession;
import org.echolab.server.Connections;
import org.echolab.server.EchoService;
import org.echolab.server.ServerConfig;

/** What a model gets to work with: configuration, the shared service and session, the connection registry. */
public record ServerContext(ServerConfig config, EchoService service, Connections connections, BlockingSession session) {

    /** A listening socket on {@code --bind}:{@code --port} with the configured backlog. */
    public ServerSocket openListener() throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(config.bind, config.port), config.backlog);
        return listener;
    }
}
