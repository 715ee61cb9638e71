package org.echolab.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
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
import org.echolab.tls.ServerTls;

/**
 * A running EchoLab server: one model over one {@link EchoStack}, listening on one port, and with
 * {@code --udp} a {@link UdpEcho} beside it (the same for every model). With {@code --tls-port} a
 * second instance of the model serves TLS on a second port over the same stack's state, counts,
 * limits and registry of connections ({@link EchoStack#secured}); one stop drains both at once.
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
    private final Secure secure; // --tls-port: the model again, on the TLS port; else null
    private final SelfSigned selfSigned; // the certificate made at start (--tls without files), or null
    private volatile InetSocketAddress address;
    private volatile InetSocketAddress secureAddress; // --tls-port's, once it listens
    private volatile Monitor monitor; // null with --monitor-port -1
    private volatile UdpEcho udp; // null without --udp
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    /** {@code --tls-port}: a second instance of the model, whose stack shares every part but the TLS session. */
    private record Secure(ConcurrencyModel model, EchoStack stack) {}

    /** {@code --tls-port}'s port could not be bound ({@code --port}'s is reported as a plain BindException). */
    public static final class TlsPortTaken extends BindException {
        public TlsPortTaken(int port, BindException cause) {
            super("--tls-port " + port + ": " + cause.getMessage());
            initCause(cause);
        }
    }

    private EchoServer(
            ServerConfig config, ConcurrencyModel model, EchoStack stack, Secure secure, SelfSigned selfSigned) {
        this.config = config;
        this.model = model;
        this.stack = stack;
        this.secure = secure;
        this.selfSigned = selfSigned;
    }

    /**
     * Starts a server as configured.
     *
     * @throws IllegalArgumentException for an unknown model or state, {@code --tls} files that cannot be read, or
     *     {@code --tls-port} under a model that serves one connection at a time
     * @throws IOException if the address (or the monitor's) cannot be bound; {@link TlsPortTaken} for
     *     {@code --tls-port}'s
     */
    public static EchoServer start(ServerConfig config) throws IOException {
        // TLS without files: a certificate made now, in files that a process model's children read too
        SelfSigned selfSigned =
                (config.tls || config.tlsPort >= 0) && config.tlsCert.isEmpty() ? SelfSigned.create() : null;
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
            Secure secure;
            try {
                secure = c.tlsPort < 0 ? null : secure(c, stack);
            } catch (RuntimeException e) {
                stack.close();
                throw e;
            }
            server = new EchoServer(c, model, stack, secure, selfSigned);
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

    /**
     * {@code --tls-port}: the model again, configured for the TLS port. A model that serves one
     * connection at a time is refused: a second port would need a second accept thread, and then
     * two connections would be served at once.
     */
    private static Secure secure(ServerConfig c, EchoStack stack) {
        if (Models.byName(c.model).traits().oneAtATime()) {
            throw new IllegalArgumentException("--tls-port: --model " + c.model
                    + " serves one connection at a time on its one accept thread, and a second port would need a"
                    + " second; use --tls (HTTPS on --port), or another --model");
        }
        ServerConfig tlsOnly =
                c.toBuilder().port(c.tlsPort).tlsPort(-1).tls(true).build();
        return new Secure(Models.create(tlsOnly), stack.secured(tlsOnly));
    }

    /** Starts the model (on both ports with --tls-port), then the monitor; on a failure, undoes what was started. */
    private void listen() throws IOException {
        try {
            address = model.start(new ModelContext(stack, this::crashed));
        } catch (IOException | RuntimeException e) {
            closeStack();
            throw e;
        }
        if (secure != null) {
            try {
                secureAddress = secure.model().start(new ModelContext(secure.stack(), this::crashed));
            } catch (IOException | RuntimeException e) {
                stopQuietly();
                if (e instanceof BindException taken) {
                    throw new TlsPortTaken(config.tlsPort, taken);
                }
                throw e;
            }
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
            stopModels(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeStack();
        }
    }

    /**
     * Stops the model; with {@code --tls-port} both instances at once, so that their one registry
     * of connections drains once, within one grace, with both listeners closed.
     */
    private void stopModels(Duration grace) throws InterruptedException {
        Thread other = secureAddress == null
                ? null
                : Thread.ofPlatform().name("echolab-stop-tls-port").start(() -> {
                    try {
                        secure.model().stop(grace);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        try {
            model.stop(grace);
        } finally {
            if (other != null) {
                other.join();
            }
        }
    }

    /** Ends the deadline watch, releases the state's file; deletes a self-signed key and certificate. */
    private void closeStack() {
        stack.close();
        if (selfSigned != null) {
            selfSigned.close();
        }
    }

    /**
     * The model's figures for {@code /stats} (with {@code --tls-port}, both instances' added up,
     * and the TLS figures), and the UDP echo's when it runs.
     */
    private Map<String, Object> figures() {
        UdpEcho u = udp;
        if (u == null && secure == null) {
            return model.stats();
        }
        Map<String, Object> m = new LinkedHashMap<>(model.stats());
        if (secure != null) {
            m = added(m, secure.model().stats());
            m.put("tls", secure.stack().tls().figures());
        }
        if (u != null) {
            m.putAll(u.figures());
        }
        return m;
    }

    /**
     * Two instances' figures as one: numbers summed (so a peak is the sum of the two peaks, a bound
     * on the whole's), maps added alike, a pid and anything else as the first says it.
     */
    static Map<String, Object> added(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> sum = new LinkedHashMap<>(a);
        b.forEach((key, value) -> {
            if (key.equals("pid") || key.endsWith("Pid")) {
                sum.putIfAbsent(key, value); // the same process's, not a count
            } else {
                sum.merge(key, value, EchoServer::added);
            }
        });
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static Object added(Object x, Object y) {
        if (x instanceof Map<?, ?> mx && y instanceof Map<?, ?> my) {
            return added((Map<String, Object>) mx, (Map<String, Object>) my);
        }
        if (x instanceof Number nx && y instanceof Number ny) {
            boolean whole =
                    (nx instanceof Integer || nx instanceof Long) && (ny instanceof Integer || ny instanceof Long);
            return whole ? (Object) (nx.longValue() + ny.longValue()) : (Object) (nx.doubleValue() + ny.doubleValue());
        }
        return x;
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

    /** {@code --tls-port}'s port (0 becomes a real one), or -1 without it. */
    public int tlsPort() {
        InetSocketAddress a = secureAddress;
        return a == null ? -1 : a.getPort();
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
        InetSocketAddress tlsAt = secureAddress;
        return "echolab " + config.model + " (" + model.describe()
                + (tlsAt == null ? "" : "; on the TLS port: " + secure.model().describe()) + ") listening on "
                + address.getHostString() + ":" + address.getPort()
                + (tlsAt == null ? "" : " and " + tlsAt.getHostString() + ":" + tlsAt.getPort() + " (TLS)")
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
                + (tlsAt == null ? "" : " https://" + tlsAt.getHostString() + ":" + tlsAt.getPort() + "/")
                + (m == null ? "" : " live: " + m.url());
    }

    /** For the startup line: the certificate's file, for a client's --cacert, and its fingerprint, to check it. */
    private String tlsWords() {
        ServerTls tls = stack.tls() != null
                ? stack.tls()
                : secure != null ? secure.stack().tls() : null;
        if (tls == null) {
            return "";
        }
        return " tls=" + (selfSigned != null ? "self-signed" : "given") + " cert=" + config.tlsCert + " sha256="
                + tls.fingerprint();
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
                    stopModels(grace); // both ports' listeners close, and their connections drain as one
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
