package org.echolab.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.config.ServerConfig.Overflow;
import org.echolab.config.ServerConfig.ProtocolChoice;
import org.echolab.config.ServerConfig;
import org.echolab.models.Models;
import org.echolab.models.UnsupportedPlatformException;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Limits;
import org.echolab.server.EchoServer;
import org.echolab.state.States;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code echolab serve}: runs the server until Ctrl-C or SIGTERM, then drains and stops. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the wait-and-echo server (HTTP/1.1, WebSocket on /ws and line-based TCP on one port; UDP with --udp).",
                "Try: curl 'http://127.0.0.1:8080/echo?msg=hi&wait=100ms'"})
final class ServeCommand implements Callable<Integer> {

    /** Runtime lines (startup with {@code --access-log -}, stopping, stopped) in the one log format of {@code Logs}. */
    private static final System.Logger LOG = System.getLogger("echolab.server");

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "virtual",
            description = "Concurrency model (see 'echolab models'): ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port; 0 picks a free one (the startup line prints it). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0", description = "Wait before each echo when the request names none, e.g. 100ms. Default: ${DEFAULT-VALUE}.")
    Duration defaultWait;

    @Option(names = "--max-wait", paramLabel = "DURATION", defaultValue = "10s", description = "Longest wait a request may ask for; longer gets 400. Default: ${DEFAULT-VALUE}.")
    Duration maxWait;

    @Option(names = "--protocol", paramLabel = "P", defaultValue = "auto", description = "auto (tell HTTP from TCP lines by the first line), http or tcp. Default: ${DEFAULT-VALUE}.")
    ProtocolChoice protocol;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "200", description = "pool: worker threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "100", description = "pool: connections that may wait for a thread. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--overflow", paramLabel = "WHAT", defaultValue = "backlog",
            description = "pool: when threads and queue are full, 'backlog' (stop accepting; clients wait in the kernel's backlog) or 'reject' (answer 503). Default: ${DEFAULT-VALUE}.")
    Overflow overflow;

    @Option(names = "--max-children", paramLabel = "N", defaultValue = "256", description = "process: child processes at most; beyond it new connections wait in the backlog. Default: ${DEFAULT-VALUE}.")
    int maxChildren;

    @Option(names = "--spares", paramLabel = "N", defaultValue = "0",
            description = "process: N single-use children started ahead and waiting; the parent passes each connection to one (descriptor passing) and starts another. Default: ${DEFAULT-VALUE} (a child is spawned per connection).")
    int spares;

    @Option(names = "--max-starting", paramLabel = "N", description = "process: children whose JVM may be starting at once; further connections wait, accepted. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int maxStarting;

    @Option(names = "--workers", paramLabel = "N", description = "prefork: worker processes. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int workers;

    @Option(names = "--worker-model", paramLabel = "MODEL", defaultValue = "pool", description = "prefork: the model each worker runs inside: sequential, pool or virtual. Default: ${DEFAULT-VALUE}.")
    String workerModel;

    @Option(names = "--loops", paramLabel = "N", description = "eventloop: selector loops. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int loops;

    @Option(names = "--offload", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "eventloop: run work=cpu on a bounded worker pool; --no-offload runs it on the loop, which it blocks. Default: ${DEFAULT-VALUE}.")
    boolean offload;

    @Option(names = "--offload-threads", paramLabel = "N", description = "eventloop: threads of the --offload pool. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int offloadThreads;

    @Option(names = "--max-connections", paramLabel = "N|auto", defaultValue = "auto",
            description = "Open connections at most; beyond it new ones wait in the backlog. Default: auto, what the open-file limit (ulimit -n) leaves after the server's own files, and no more than the heap holds (this machine: ${sys:echolab.maxConnections}).")
    String maxConnections;

    @Option(names = "--max-per-client", paramLabel = "N|auto", defaultValue = "auto",
            description = "Connections one client address may hold at once; beyond it, 503 and close. 0: no bound. Default: auto, half of what the model serves at once (pool: --threads), for clients from other machines only: loopback clients (127.0.0.1, ::1) are not bounded unless a number is given.")
    String maxPerClient;

    @Option(names = "--memory-budget", paramLabel = "SIZE", converter = ByteSizes.AsLong.class, defaultValue = "0",
            description = "Bytes of request bodies and replies held at once, per process; beyond it new requests get 503. Default: 0, a quarter of the heap.")
    long memoryBudget;

    @Option(names = "--cpu-budget", paramLabel = "DURATION", defaultValue = "0",
            description = "work=cpu the requests in flight may ask for in total, per process; beyond it 503. Default: 0, cores x --max-wait.")
    Duration cpuBudget;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "4096", description = "Listen backlog (the kernel caps it at net.core.somaxconn). Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", description = "On Ctrl-C or SIGTERM, how long requests in flight may take to finish. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0",
            description = "On Ctrl-C or SIGTERM, first answer 503 on /health/ready for this long while still serving, so a load balancer's health checks take this server out of rotation; then drain. Default: ${DEFAULT-VALUE} (drain at once).")
    Duration drainDelay;

    @Option(names = "--reuseport", description = "Listen with SO_REUSEPORT: several servers (and each prefork worker) bind the same port and the kernel spreads new connections over them.")
    boolean reusePort;

    @Option(names = "--access-log", paramLabel = "FILE", description = "Log every answered request to FILE (appended to; - for stdout), one line each. Default: no log.")
    String accessLog;

    @Option(names = "--access-log-format", paramLabel = "FORMAT", defaultValue = "common",
            description = "common (the Common Log Format web log tools read) or json (one object a line, with duration and worker). Default: ${DEFAULT-VALUE}.")
    String accessLogFormat;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s", description = "A request's head must arrive within this of its first byte (of the connection, for the first request), or 408 (or a quiet close if nothing came). Default: ${DEFAULT-VALUE}.")
    Duration headerTimeout;

    @Option(names = "--body-timeout", paramLabel = "DURATION", defaultValue = "10s", description = "A request's body must arrive within this of its head, or 408 and close. Default: ${DEFAULT-VALUE}.")
    Duration bodyTimeout;

    @Option(names = "--write-timeout", paramLabel = "DURATION", defaultValue = "10s", description = "A response that the client takes none of for this long is given up, and the connection closed. Default: ${DEFAULT-VALUE}.")
    Duration writeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s", description = "A connection idle between requests this long is closed. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--max-body", paramLabel = "SIZE", converter = ByteSizes.AsInt.class, defaultValue = "1MiB", description = "Largest request body, e.g. 64KiB or 2m (2 MiB); larger gets 413. Default: ${DEFAULT-VALUE}.")
    int maxBody;

    @Option(names = "--state", paramLabel = "VARIANT", defaultValue = "atomic", description = "Shared-state variant (race lab): ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = StateNames.class)
    String state;

    @Option(names = "--race-window", paramLabel = "DURATION", defaultValue = "0",
            description = "Race lab: the pause a broken --state takes between reading shared state and writing it back, e.g. 1ms, to make lost updates likely. Default: ${DEFAULT-VALUE} (none).")
    Duration raceWindow;

    @Option(names = "--monitor-port", paramLabel = "PORT",
            description = "The monitor's port: /live (the live view), /metrics (Prometheus), /stats, answered on a thread of its own however busy the model is; 0 picks a free one, -1 turns it off. Default: --port + 1 (a free one if that is taken, or with --port 0).")
    Integer monitorPort;

    @Option(names = "--monitor-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The monitor's address. Default: ${DEFAULT-VALUE} (loopback only, whatever --bind says: the live view shows every client's requests).")
    String monitorBind;

    @Option(names = "--tls", description = "Serve HTTPS and TCP lines over TLS (1.3 or 1.2, ALPN http/1.1) on the port, with --tls-cert and --tls-key, or else a self-signed certificate made at start (its SHA-256 fingerprint is on the startup line).")
    boolean tls;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "", description = "--tls: PEM file of the server's certificate, then any chain.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "", description = "--tls: PEM file of its private key (PKCS#8, RSA or EC; not encrypted).")
    String tlsKey;
    @Option(names = "--ws-max-frame", paramLabel = "SIZE", converter = ByteSizes.AsInt.class, defaultValue = "1MiB",
            description = "WebSocket (/ws): largest frame payload; a larger one is closed with 1009. Default: ${DEFAULT-VALUE}.")
    int wsMaxFrame;

    @Option(names = "--ws-max-message", paramLabel = "SIZE", converter = ByteSizes.AsInt.class, defaultValue = "1MiB",
            description = "WebSocket (/ws): largest message, its fragments together; a larger one is closed with 1009. Default: ${DEFAULT-VALUE}.")
    int wsMaxMessage;

    @Option(names = "--udp", description = "Also echo UDP datagrams (RFC 862), each after its wait, on --udp-port.")
    boolean udp;

    @Option(names = "--udp-port", paramLabel = "PORT", description = "UDP port. Default: the TCP port's number.")
    Integer udpPort;

    @Option(names = "--udp-max-datagram", paramLabel = "SIZE", converter = ByteSizes.AsInt.class, defaultValue = "8KiB",
            description = "Larger datagrams are dropped and counted (/stats udpDroppedOversized). Default: ${DEFAULT-VALUE}.")
    int udpMaxDatagram;

    @Option(names = "--udp-queue", paramLabel = "N", defaultValue = "1024",
            description = "Echoes that may wait at once; datagrams beyond are dropped and counted (/stats udpDroppedQueueFull). Default: ${DEFAULT-VALUE}.")
    int udpQueue;

    @Option(names = {"-v", "--verbose"}, description = "Log each connection's errors and closes.")
    boolean verbose;

    @Override
    public Integer call() {
        Main.configureLogging(verbose);
        ServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            System.err.println("echolab serve: " + e.getMessage());
            return ExitCode.USAGE.code;
        }
        String notHere = ListenAddress.notHere(bind, ListenAddress.resolve(bind));     // resolved by config() already
        if (notHere != null) {
            System.err.println("echolab serve: " + notHere);
            return ExitCode.CANNOT_START.code;
        }
        EchoServer server;
        try {
            server = EchoServer.start(config);
        } catch (BindException e) {
            System.err.println("echolab serve: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                    + "; choose another --port (0 picks a free one)"
                    + (reusePort ? "" : ", or --reuseport on every server that shares it"));
            return ExitCode.CANNOT_START.code;
        } catch (UnsupportedPlatformException e) {
            System.err.println("echolab serve: model '" + model + "' cannot run here: " + e.getMessage());
            return ExitCode.UNSUPPORTED.code;
        } catch (IllegalArgumentException e) {      // a model name the registry refuses
            System.err.println("echolab serve: " + e.getMessage());
            return ExitCode.USAGE.code;
        } catch (IOException e) {
            System.err.println("echolab serve: cannot start: " + e.getMessage());
            return ExitCode.CANNOT_START.code;
        }
        if ("-".equals(accessLog)) {
            LOG.log(System.Logger.Level.INFO, server.startupLine());    // stdout is the access log's alone, so jq reads every line
        } else {
            System.out.println(server.startupLine());
            System.out.flush();
        }
        awaitStopSignal(server);
        if (server.failure().isDone()) {
            server.close();                 // waits for the stop the failure began
            LOG.log(System.Logger.Level.ERROR, "stopped because " + server.failure().join() + " (exit " + ExitCode.CRASHED.code + ")");
            return ExitCode.CRASHED.code;
        }
        if (drainDelay.isPositive()) {
            LOG.log(System.Logger.Level.INFO, "stopping: /health/ready answers 503 for " + Durations.format(drainDelay)
                    + " while serving on; then no new connections and draining for up to " + Durations.format(grace)
                    + " (Ctrl-C again to stop at once)");
        } else {
            LOG.log(System.Logger.Level.INFO, "stopping: no new connections; draining for up to " + Durations.format(grace)
                    + " (Ctrl-C again to stop at once)");
        }
        server.close();
        LOG.log(System.Logger.Level.INFO, "stopped");
        return ExitCode.OK.code;
    }

    /**
     * Blocks until SIGTERM or SIGINT (Ctrl-C), or until the server stops itself because a thread
     * it needs failed. The first signal starts a graceful stop, so the command can drain and exit
     * 0; a second one during the drain exits at once (130).
     */
    private static void awaitStopSignal(EchoServer server) {
        CountDownLatch stop = new CountDownLatch(1);
        server.failure().thenRun(stop::countDown);
        AtomicInteger signals = new AtomicInteger();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> {
                if (signals.incrementAndGet() > 1) {
                    LOG.log(System.Logger.Level.WARNING, "second signal: stopping now, without draining");
                    Runtime.getRuntime().halt(130);
                }
                stop.countDown();
            });
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ServerConfig.AccessLogFormat accessLogFormat() {
        return switch (accessLogFormat) {
            case "common" -> ServerConfig.AccessLogFormat.COMMON;
            case "json" -> ServerConfig.AccessLogFormat.JSON;
            default -> throw new IllegalArgumentException("--access-log-format must be common or json (got " + accessLogFormat + ")");
        };
    }

    /** Builds the configuration, which checks every value; messages say what to fix. */
    ServerConfig config() {
        ListenAddress.resolve(bind);
        Models.byName(model);
        States.byName(state);
        return ServerConfig.builder()
                .model(model).bind(bind).port(port).backlog(backlog).protocol(protocol)
                .defaultWait(defaultWait).maxWait(maxWait)
                .limits(Limits.DEFAULT.withMaxBody(maxBody))
                .maxConnections(numberOrAuto("--max-connections", maxConnections))
                .maxPerClient(numberOrAuto("--max-per-client", maxPerClient))
                .memoryBudget(memoryBudget).cpuBudget(cpuBudget).grace(grace).drainDelay(drainDelay).reusePort(reusePort)
                .accessLog(accessLog == null ? "" : accessLog.equals("-") ? "-" : Path.of(accessLog).toAbsolutePath().toString())
                .accessLogFormat(accessLogFormat())
                .headerTimeout(headerTimeout).bodyTimeout(bodyTimeout).writeTimeout(writeTimeout).idleTimeout(idleTimeout)
                .state(state).raceWindow(raceWindow).threads(threads).queue(queue).overflow(overflow)
                .maxChildren(maxChildren).spares(spares).maxStarting(maxStarting).workers(workers).workerModel(workerModel)
                .loops(loops).offload(offload).offloadThreads(offloadThreads)
                .monitorPort(monitorPort != null ? monitorPort : defaultMonitorPort())
                .monitorBind(monitorBind)
                .tls(tls).tlsCert(tlsCert).tlsKey(tlsKey)
                .wsMaxFrame(wsMaxFrame).wsMaxMessage(wsMaxMessage)
                .udp(udp).udpPort(udpPort != null ? udpPort : ServerConfig.SAME_PORT)
                .udpMaxDatagram(udpMaxDatagram).udpQueue(udpQueue)
                .build();
    }

    /** --port + 1 when it is free now, else any free port (0). */
    private int defaultMonitorPort() {
        if (port <= 0 || port >= 65535) {
            return 0;                       // and an out-of-range --port is refused by the config, in its own words
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(monitorBind, port + 1));
            return port + 1;
        } catch (IOException e) {
            return 0;
        }
    }

    private static int numberOrAuto(String option, String value) {
        if (value.equalsIgnoreCase("auto")) {
            return ServerConfig.AUTO;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number or auto (got '" + value + "')");
        }
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Models.names().iterator();
        }
    }

    static final class StateNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return States.all().stream().map(States.Variant::name).iterator();
        }
    }
}
