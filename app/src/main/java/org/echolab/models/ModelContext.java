package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.echolab.config.ServerConfig;
import org.echolab.session.EchoStack;

/**
 * What a model gets to work with: the process's {@link EchoStack} (configuration, service,
 * connections, session) and, inside a {@code prefork} worker, the listening socket it inherited
 * (else null).
 */
public record ModelContext(EchoStack stack, ServerSocket inheritedListener) {

    public ModelContext(EchoStack stack) {
        this(stack, null);
    }

    public ServerConfig config() {
        return stack.config();
    }

    /**
     * A listening socket on {@code --bind}:{@code --port} with the configured backlog; or the
     * inherited one, so that a thread model runs unchanged inside a prefork worker process.
     */
    public ServerSocket openListener() throws IOException {
        if (inheritedListener != null) {
            return inheritedListener;
        }
        ServerConfig config = config();
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(config.bind, config.port), config.backlog);
        return listener;
    }
}
