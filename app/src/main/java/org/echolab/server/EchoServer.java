package org.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.echolab.models.ConcurrencyModel;
import org.echolab.models.Models;
import org.echolab.models.ServerContext;
import org.echolab.protocol.Durations;
import org.echolab.state.States;

/**
 * A running EchoLab server: one model, its shared state and service, listening on one port.
 * {@link #start} returns once connections are accepted; {@link #close} drains and stops. Used by
 * the CLI, the tests, {@code race} and {@code bench}.
 */
public final class EchoServer implements AutoCloseable {

    private final ServerConfig config;
    private final ConcurrencyModel model;
    private final EchoService service;
    private final InetSocketAddress address;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EchoServer(ServerConfig config, ConcurrencyModel model, EchoService service, InetSocketAddress address) {
        this.config = config;
        this.model = model;
        this.service = service;
        this.address = address;
    }

    /**
     * Starts a server as configured.
     *
     * @throws IllegalArgumentException for an unknown model or state
     * @throws IOException if the address cannot be bound
     */
    public static EchoServer start(ServerConfig config) throws IOException {
        ConcurrencyModel model = Models.byName(config.model).factory().apply(config);
        ServerState state = States.byName(config.state).create(config);
        EchoService service = new EchoService(config, state, model::stats);
        Connections connections = new Connections(state, config.maxConnections);
        BlockingSession session = new BlockingSession(config, service, connections);
        InetSocketAddress address;
        try {
            address = model.start(new ServerContext(config, service, connections, session));
        } catch (IOException | RuntimeException e) {
            if (state instanceof AutoCloseable resource) {
                closeQuietly(resource);
            }
            throw e;
        }
        return new EchoServer(config, model, service, address);
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public ServerConfig config() {
        return config;
    }

    /** The shared state this server (this process) counts in: what {@code echolab race} reads. */
    public ServerState state() {
        return service.state();
    }

    /** The same figures as {@code GET /stats}. */
    public Map<String, Object> stats() {
        return service.stats();
    }

    /** One line that names the model, the address and the knobs in force. */
    public String startupLine() {
        return "echolab " + config.model + " (" + model.describe() + ") listening on "
                + address.getHostString() + ":" + address.getPort()
                + " protocol=" + config.protocol.name().toLowerCase()
                + " wait=" + Durations.format(config.defaultWait)
                + " max-wait=" + Durations.format(config.maxWait)
                + " max-connections=" + config.maxConnections
                + " state=" + config.state
                + " pid=" + ProcessHandle.current().pid();
    }

    /** Stops accepting, drains within {@code grace}, ends the model's threads or processes. Idempotent. */
    public void stop(Duration grace) throws InterruptedException {
        if (stopped.compareAndSet(false, true)) {
            model.stop(grace);
            if (service.state() instanceof AutoCloseable resource) {
                closeQuietly(resource);     // e.g. a shm state deletes its /dev/shm file
            }
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.getLogger("echolab.server").log(System.Logger.Level.WARNING, "closing the state failed: " + e);
        }
    }

    @Override
    public void close() {
        try {
            stop(config.grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
