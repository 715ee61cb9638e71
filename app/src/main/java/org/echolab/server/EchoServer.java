package org.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.echolab.config.ServerConfig;
import org.echolab.models.ConcurrencyModel;
import org.echolab.models.ModelContext;
import org.echolab.models.Models;
import org.echolab.protocol.Durations;
import org.echolab.session.EchoStack;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * A running EchoLab server: one model over one {@link EchoStack}, listening on one port.
 * {@link #start} returns once connections are accepted; {@link #close} drains and stops. Used by
 * the CLI, the tests, {@code race} and {@code bench}; the process models' children assemble the
 * same stack themselves.
 */
public final class EchoServer implements AutoCloseable {

    private final ServerConfig config;
    private final ConcurrencyModel model;
    private final EchoStack stack;
    private final InetSocketAddress address;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EchoServer(ServerConfig config, ConcurrencyModel model, EchoStack stack, InetSocketAddress address) {
        this.config = config;
        this.model = model;
        this.stack = stack;
        this.address = address;
    }

    /**
     * Starts a server as configured.
     *
     * @throws IllegalArgumentException for an unknown model or state
     * @throws IOException if the address cannot be bound
     */
    public static EchoServer start(ServerConfig config) throws IOException {
        ConcurrencyModel model = Models.create(config);
        ServerState state = States.byName(config.state).create(config.raceWindow);
        EchoStack stack = EchoStack.assemble(config, state, model::stats, config.maxConnections);
        InetSocketAddress address;
        try {
            address = model.start(new ModelContext(stack));
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
        return new EchoServer(config, model, stack, address);
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
        return stack.state();
    }

    /** The same figures as {@code GET /stats}. */
    public Map<String, Object> stats() {
        return stack.service().stats();
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
                + (config.reusePort ? " reuseport" : "")
                + (config.drainDelay.isPositive() ? " drain-delay=" + Durations.format(config.drainDelay) : "")
                + " pid=" + ProcessHandle.current().pid();
    }

    /** Stops accepting, drains within {@code grace}, ends the model's threads or processes. Idempotent. */
    public void stop(Duration grace) throws InterruptedException {
        stop(Duration.ZERO, grace);
    }

    /**
     * Stops as a server behind a load balancer should: first it stops being ready
     * ({@code /health/ready} answers 503) and goes on accepting and serving for {@code drainDelay},
     * so that the balancer's health checks take it out of rotation; then it stops accepting, drains
     * within {@code grace} and ends the model's threads or processes. Idempotent.
     */
    public void stop(Duration drainDelay, Duration grace) throws InterruptedException {
        if (stopped.compareAndSet(false, true)) {
            stack.service().readiness().leave();
            try {
                Thread.sleep(drainDelay);   // still accepting and serving: the balancer moves traffic away
            } finally {
                model.stop(grace);
                stack.close();              // e.g. a shm state deletes its /dev/shm file
            }
        }
    }

    /** Stops with the configured {@code --drain-delay} and {@code --grace}. */
    @Override
    public void close() {
        try {
            stop(config.drainDelay, config.grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
