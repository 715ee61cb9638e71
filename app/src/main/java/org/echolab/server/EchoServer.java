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
import org.echolab.models.EchoStack;
import org.echolab.models.ModelContext;
import org.echolab.models.Models;
import org.echolab.monitor.Monitor;
import org.echolab.protocol.Durations;
import org.echolab.state.ServerState;
import org.echolab.state.States;
import org.echolab.tls.SelfSigned;

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

    private static final System.Logger LOG = System.getLogger(EchoServer.class.getName());

    private final ServerConfig config;
    private final ConcurrencyModel model;
    private final EchoStack stack;
    private final SelfSigned selfSigned; // the certificate made at start (--tls without files), or null
    private volatile InetSocketAddress address;
    private volatile Monitor monitor; // null with --monitor-port -1
    private volatile UdpEcho udp; // null without --udp
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    private EchoServer(ServerConfig config, ConcurrencyModel model, EchoStack stack, SelfSigned selfSigned) {
        this.config = config;
        this.model = model;
        this.stack = stack;
        this.selfSigned = selfSigned;
    }

    /**
     * Starts a server as configured.
     *
     * @throws IllegalArgumentException for an unknown model or state, or {@code --tls} files that cannot be read
     * @throws IOException if the address (or the monitor's) cannot be bound
     */
    public static EchoServer start(ServerConfig config) throws IOException {
        // --tls without files: a certificate made now, in files that a process model's children read too
        SelfSigned selfSigned = config.tls && config.tlsCert.isEmpty() ? SelfSigned.create() : null;
        EchoServer server;
        try {
            ServerConfig c = selfSigned == null
                    ? config
                    : config.toBuilder()
                            .tlsCert(selfSigned.cert().toString())
                            .tlsKey(selfSigned.key().toString())
                            .build();
            ConcurrencyModel model = Models.create(c);
            ServerState state = States.byName(c.state).create(c.raceWindow);
            AtomicReference<EchoServer> self = new AtomicReference<>(); // the figures' supplier needs the server
            EchoStack stack = EchoStack.assemble(
                    c, state, () -> self.get().figures(), c.connectionLimit(), c.perClientLimit(model.capacity(c)));
            server = new EchoServer(c, model, stack, selfSigned);
            self.set(server);
        } catch (RuntimeException e) {
            if (selfSigned != null) {
                selfSigned.close();
            }
            throw e;
        }
        server.listen();
        return server;
    }

    /** Starts the model, then the monitor; on a failure, undoes what was started. */
    private void listen() throws IOException {
        try {
            address = model.start(new ModelContext(stack, this::crashed));
        } catch (IOException | RuntimeException e) {
            closeStack();
            throw e;
        }
        if (config.udp) {
            try {
                udp = UdpEcho.start(
                        config,
                        stack.service(),
                        stack.process().ledger(),
                        config.udpPort == ServerConfig.SAME_PORT ? address.getPort() : config.udpPort);
            } catch (IOException | RuntimeException e) {
                stopQuietly();
                throw e;
            }
        }
        if (config.monitorPort >= 0) {
            try {
                monitor = Monitor.start(config, stack.process(), address.getPort());
            } catch (IOException | RuntimeException e) {
                stopQuietly();
                throw e;
            }
            stack.service().monitorAt(monitor.address().getPort()); // for the link on GET /
        }
    }

    private void stopQuietly() {
        try {
            model.stop(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeStack();
        }
    }

    /** Ends the deadline watch, releases the state's file; deletes a self-signed key and certificate. */
    private void closeStack() {
        stack.close();
        if (selfSigned != null) {
            selfSigned.close();
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
        return stack.process().stats().figures();
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
                + (config.maxPerClient == ServerConfig.AUTO && config.perClientLimit(model.capacity(config)) > 0
                        ? " (not for loopback)"
                        : "")
                + " state=" + config.state
                + (config.reusePort ? " reuseport" : "")
                + (config.drainDelay.isPositive() ? " drain-delay=" + Durations.format(config.drainDelay) : "")
                + (udp == null ? "" : " udp=" + udp.port())
                + " pid=" + ProcessHandle.current().pid()
                + tlsWords()
                + (stack.tls() == null ? " http://" : " https://") + address.getHostString() + ":" + address.getPort()
                + "/"
                + (m == null ? "" : " live: " + m.url());
    }

    /** For the startup line: the certificate's file, for a client's --cacert, and its fingerprint, to check it. */
    private String tlsWords() {
        if (stack.tls() == null) {
            return "";
        }
        return " tls=" + (selfSigned != null ? "self-signed" : "given") + " cert=" + config.tlsCert + " sha256="
                + stack.tls().fingerprint();
    }

    /**
     * Stops accepting, drains within {@code grace}, ends the model's threads or processes.
     * Idempotent: a second call waits for the first to finish.
     */
    public void stop(Duration grace) throws InterruptedException {
        stop(Duration.ZERO, grace);
    }

    /**
     * Stops as a server behind a load balancer should: first it stops being ready
     * ({@code /health/ready} answers 503) and goes on accepting and serving for {@code drainDelay},
     * so that the balancer's health checks take it out of rotation; then it stops accepting, drains
     * within {@code grace} and ends the model's threads or processes. Idempotent: a second call
     * waits for the first to finish.
     */
    public void stop(Duration drainDelay, Duration grace) throws InterruptedException {
        if (stopping.compareAndSet(false, true)) {
            stack.process().readiness().leave();
            try {
                Thread.sleep(drainDelay); // still accepting and serving: the balancer moves traffic away
            } finally {
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
                    closeStack(); // the deadline watch ends; a shm state deletes its /dev/shm file
                } finally {
                    stopped.countDown();
                }
            }
        } else {
            stopped.await();
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
