package org.echolab.cli;

import java.io.IOException;
import java.net.BindException;
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
        description = {"Run the wait-and-echo server (HTTP/1.1 and line-based TCP on one port).",
                "Try: curl 'http://127.0.0.1:8080/echo?msg=hi&wait=100ms'"})
final class ServeCommand implements Callable<Integer> {

    private static final ServerConfig DEFAULTS = ServerConfig.builder().build();

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

    @Option(names = "--workers", paramLabel = "N", description = "prefork: worker processes. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int workers;

    @Option(names = "--worker-model", paramLabel = "MODEL", defaultValue = "pool", description = "prefork: the model each worker runs inside: sequential, pool or virtual. Default: ${DEFAULT-VALUE}.")
    String workerModel;

    @Option(names = "--loops", paramLabel = "N", description = "eventloop: selector loops. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int loops;

    @Option(names = "--offload", description = "eventloop: run work=cpu on a bounded worker pool instead of on the loop.")
    boolean offload;

    @Option(names = "--offload-threads", paramLabel = "N", description = "eventloop: threads of the --offload pool. Default: the number of cores (${DEFAULT-VALUE}).", defaultValue = "${sys:echolab.cores}")
    int offloadThreads;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "20000", description = "Open connections at most; beyond it new ones wait in the backlog. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "4096", description = "Listen backlog (the kernel caps it at net.core.somaxconn). Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", description = "On Ctrl-C or SIGTERM, how long requests in flight may take to finish. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0",
            description = "On Ctrl-C or SIGTERM, first answer 503 on /health/ready for this long while still serving, so a load balancer's health checks take this server out of rotation; then drain. Default: ${DEFAULT-VALUE} (drain at once).")
    Duration drainDelay;

    @Option(names = "--reuseport", description = "Listen with SO_REUSEPORT: several servers (and each prefork worker) bind the same port and the kernel spreads new connections over them.")
    boolean reusePort;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s", description = "A begun request must arrive within this, or 408 and close. Default: ${DEFAULT-VALUE}.")
    Duration headerTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s", description = "A connection idle between requests this long is closed. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576", description = "Largest request body; larger gets 413. Default: ${DEFAULT-VALUE}.")
    int maxBody;

    @Option(names = "--state", paramLabel = "VARIANT", defaultValue = "atomic", description = "Shared-state variant (race lab): ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = StateNames.class)
    String state;

    @Option(names = "--race-window", paramLabel = "DURATION", defaultValue = "0",
            description = "Race lab: the pause a broken --state takes between reading shared state and writing it back, e.g. 1ms, to make lost updates likely. Default: ${DEFAULT-VALUE} (none).")
    Duration raceWindow;

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
        System.out.println(server.startupLine());
        System.out.flush();
        awaitStopSignal();
        if (drainDelay.isPositive()) {
            System.err.println("echolab: stopping: /health/ready answers 503 for " + Durations.format(drainDelay)
                    + " while serving on; then no new connections and draining for up to " + Durations.format(grace)
                    + " (Ctrl-C again to stop at once)");
        } else {
            System.err.println("echolab: stopping: no new connections; draining for up to " + Durations.format(grace)
                    + " (Ctrl-C again to stop at once)");
        }
        server.close();
        System.err.println("echolab: stopped");
        return ExitCode.OK.code;
    }

    /**
     * Blocks until SIGTERM or SIGINT (Ctrl-C). The first signal starts a graceful stop, so the
     * command can drain and exit 0; a second one during the drain exits at once (130).
     */
    private static void awaitStopSignal() {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger signals = new AtomicInteger();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> {
                if (signals.incrementAndGet() > 1) {
                    System.err.println("echolab: second signal: stopping now, without draining");
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

    /** Builds the configuration, which checks every value; messages say what to fix. */
    ServerConfig config() {
        Models.byName(model);
        States.byName(state);
        return ServerConfig.builder()
                .model(model).bind(bind).port(port).backlog(backlog).protocol(protocol)
                .defaultWait(defaultWait).maxWait(maxWait)
                .limits(Limits.DEFAULT.withMaxBody(maxBody))
                .maxConnections(maxConnections).grace(grace).drainDelay(drainDelay).reusePort(reusePort)
                .headerTimeout(headerTimeout).idleTimeout(idleTimeout)
                .state(state).raceWindow(raceWindow).threads(threads).queue(queue).overflow(overflow)
                .maxChildren(maxChildren).workers(workers).workerModel(workerModel)
                .loops(loops).offload(offload).offloadThreads(offloadThreads)
                .build();
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
