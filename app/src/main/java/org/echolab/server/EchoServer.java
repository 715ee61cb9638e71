package org.echolab.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.echolab.config.ServerConfig;
import org.echolab.models.ConcurrencyModel;
import org.echolab.models.ModelContext;
import org.echolab.models.Models;
import org.echolab.monitor.Monitor;
import org.echolab.protocol.Durations;
import org.echolab.session.EchoStack;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * A running EchoLab server: one model over one {@link EchoStack}, listening on one port, and with
 * {@code --udp} a {@link UdpEcho} beside it (the same for every model).
 * {@link #start} returns once connections are accepted; {@link #close} drains and stops. Used by
 * the CLI, the tests, {@code race} and {@code bench}; the process models' children assemble the
 * same stack themselves.
 *
 * <p>If a thread the model cannot do without fails (the accept thread, a loop, a pool worker: an
 * {@link OutOfMemoryError}, a bug), the server logs it and stops itself at once, so that clients
 * are refused rather than left unanswered; {@link #failure} says what failed, and the CLI exits
 * with its own code.
 */
public final class EchoServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("echolab.server");

    private final ServerConfig config;
    private final ConcurrencyModel model;
    private final EchoStack stack;
    private volatile InetSocketAddress address;
    private volatile Monitor monitor;       // null with --monitor-port -1
    private volatile UdpEcho udp;           // null without --udp
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    private EchoServer(ServerConfig config, ConcurrencyModel model, EchoStack stack) {
        this.config = config;
        this.model = model;
        this.stack = stack;
    }

    /**
     * Starts a server as configured.
     *
     * @throws IllegalArgumentException for an unknown model or state
     * @throws IOException if the address (or the monitor's) cannot be bound
     */
    public static EchoServer start(ServerConfig config) throws IOException {
        ConcurrencyModel model = Models.create(config);
        ServerState state = States.byName(config.state).create(config.raceWindow);
        AtomicReference<EchoServer> self = new AtomicReference<>();    // the figures' supplier needs the server
        EchoStack stack = EchoStack.assemble(config, state, () -> self.get().figures(), config.connectionLimit(),
                config.perClientLimit(model.capacity(config)));
        EchoServer server = new EchoServer(config, model, stack);
        self.set(server);
        try {
            server.address = model.start(new ModelContext(stack, server::crashed));
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
        if (config.udp) {
            try {
                server.udp = UdpEcho.start(config, stack.service(),
                        config.udpPort == ServerConfig.SAME_PORT ? server.address.getPort() : config.udpPort);
            } catch (IOException | RuntimeException e) {
                stopQuietly(model, stack);
                throw e;
            }
        }
        if (config.monitorPort >= 0) {
            try {
                server.monitor = Monitor.start(config, stack.service(), server.address.getPort());
            } catch (IOException | RuntimeException e) {
                stopQuietly(model, stack);
                throw e;
            }
            stack.service().monitorAt(server.monitor.address().getPort());   // for the link on GET /
        }
        return server;
    }

    private static void stopQuietly(ConcurrencyModel model, EchoStack stack) {
        try {
            model.stop(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stack.close();
        }
    }

    /** The model's figures for {@code /stats}, and the UDP echo's when it runs. */
    private Map<String, Object> figures() {
        UdpEcho u = udp;
        if (u == null) {
            return model.stats();
        }
        Map<String, Object> m = new LinkedHashMap<>(model.stats());
        m.putAll(u.figures());
        return m;
    }

    /** A critical thread failed: say so, loudly, and stop at once (on a thread of its own: this one is dying). */
    private void crashed(Thread thread, Throwable cause) {
        if (failure.complete(thread.getName() + " failed: " + cause)) {
            LOG.log(Level.ERROR, thread.getName() + " failed; the server cannot serve without it, so it stops", cause);
            Thread.ofPlatform().name("echolab-crash-stop").start(() -> {
                try {
                    stop(Duration.ZERO);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** Completes, with what failed, when a critical thread failed and the server stopped itself because of it. */
    public CompletableFuture<String> failure() {
        return failure;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** The UDP echo's port, or -1 without {@code --udp}. */
    public int udpPort() {
        UdpEcho u = udp;
        return u == null ? -1 : u.port();
    }

    public ServerConfig config() {
        return config;
    }

    /** The monitor's address ({@code /live}, {@code /metrics}, {@code /stats}), or null if it has none. */
    public InetSocketAddress monitorAddress() {
        Monitor m = monitor;
        return m == null ? null : m.address();
    }

    /** The shared state this server (this process) counts in: what {@code echolab race} reads. */
    public ServerState state() {
        return stack.state();
    }

    /** The same figures as {@code GET /stats}. */
    public Map<String, Object> stats() {
        return stack.service().stats();
    }

    /** One line that names the model, the address and the knobs in force, and the URLs to open. */
    public String startupLine() {
        Monitor m = monitor;
        return "echolab " + config.model + " (" + model.describe() + ") listening on "
                + address.getHostString() + ":" + address.getPort()
                + " protocol=" + config.protocol.name().toLowerCase()
                + " wait=" + Durations.format(config.defaultWait)
                + " max-wait=" + Durations.format(config.maxWait)
                + " max-connections=" + config.connectionLimit()
                + " max-per-client=" + config.perClientLimit(model.capacity(config))
                + " state=" + config.state
                + (udp == null ? "" : " udp=" + udp.port())
                + " pid=" + ProcessHandle.current().pid()
                + " http://" + address.getHostString() + ":" + address.getPort() + "/"
                + (m == null ? "" : " live: " + m.url());
    }

    /**
     * Stops accepting, drains within {@code grace}, ends the model's threads or processes.
     * Idempotent: a second call waits for the first to finish.
     */
    public void stop(Duration grace) throws InterruptedException {
        if (stopping.compareAndSet(false, true)) {
            try {
                Monitor m = monitor;
                if (m != null) {
                    m.close();
                }
                UdpEcho u = udp;
                if (u != null) {
                    u.close();
                }
                model.stop(grace);
                stack.close();              // the write watch ends; a shm state deletes its /dev/shm file
            } finally {
                stopped.countDown();
            }
        } else {
            stopped.await();
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
