package org.echolab.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.config.ServerConfig;
import org.echolab.config.Settings;
import org.echolab.models.Models;
import org.echolab.models.UnsupportedPlatformException;
import org.echolab.protocol.Durations;
import org.echolab.server.EchoServer;
import org.echolab.state.States;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code echolab serve}: runs the server until Ctrl-C or SIGTERM, then drains and stops. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = SettingOptions.class,
        description = {
            "Run the wait-and-echo server (HTTP/1.1, WebSocket on /ws and line-based TCP on one port; UDP with --udp).",
            "Try: curl 'http://127.0.0.1:8080/echo?msg=hi&wait=100ms'"
        })
final class ServeCommand implements Callable<Integer> {

    /** Runtime lines (startup with {@code --access-log -}, stopping, stopped) in the one log format of {@code Logs}. */
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    @Spec
    CommandSpec spec; // every setting's option is added to it by SettingOptions

    @Option(
            names = {"-v", "--verbose"},
            description = "Log each connection's errors and closes.")
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
        String bind = config.bind;
        String notHere = ListenAddress.notHere(bind, ListenAddress.resolve(bind)); // resolved by config() already
        if (notHere != null) {
            System.err.println("echolab serve: " + notHere);
            return ExitCode.CANNOT_START.code;
        }
        EchoServer server;
        try {
            server = EchoServer.start(config);
        } catch (EchoServer.TlsPortTaken e) {
            System.err.println("echolab serve: cannot listen on " + bind + ":" + config.tlsPort + " (--tls-port): "
                    + e.getCause().getMessage() + "; choose another --tls-port (0 picks a free one)");
            return ExitCode.CANNOT_START.code;
        } catch (BindException e) {
            System.err.println("echolab serve: cannot listen on " + bind + ":" + config.port + ": " + e.getMessage()
                    + "; choose another --port (0 picks a free one)"
                    + (config.reusePort ? "" : ", or --reuseport on every server that shares it"));
            return ExitCode.CANNOT_START.code;
        } catch (UnsupportedPlatformException e) {
            System.err.println("echolab serve: model '" + config.model + "' cannot run here: " + e.getMessage());
            return ExitCode.UNSUPPORTED.code;
        } catch (IllegalArgumentException e) { // a model name the registry refuses
            System.err.println("echolab serve: " + e.getMessage());
            return ExitCode.USAGE.code;
        } catch (IOException e) {
            System.err.println("echolab serve: cannot start: " + e.getMessage());
            return ExitCode.CANNOT_START.code;
        }
        CountDownLatch stop =
                onStopSignal(server); // before the startup line: a script may stop us as soon as it reads it
        if ("-".equals(config.accessLog)) {
            LOG.log(
                    System.Logger.Level.INFO,
                    server.startupLine()); // stdout is the access log's alone, so jq reads every line
        } else {
            System.out.println(server.startupLine());
            System.out.flush();
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server.failure().isDone()) {
            server.close(); // waits for the stop the failure began
            LOG.log(
                    System.Logger.Level.ERROR,
                    "stopped because " + server.failure().join() + " (exit " + ExitCode.CRASHED.code + ")");
            return ExitCode.CRASHED.code;
        }
        if (config.drainDelay.isPositive()) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "stopping: /health/ready answers 503 for " + Durations.format(config.drainDelay)
                            + " while serving on; then no new connections and draining for up to "
                            + Durations.format(config.grace)
                            + " (Ctrl-C again to stop at once)");
        } else {
            LOG.log(
                    System.Logger.Level.INFO,
                    "stopping: no new connections; draining for up to " + Durations.format(config.grace)
                            + " (Ctrl-C again to stop at once)");
        }
        server.close();
        LOG.log(System.Logger.Level.INFO, "stopped");
        return ExitCode.OK.code;
    }

    /**
     * A latch that opens at SIGTERM or SIGINT (Ctrl-C), or when the server stops itself because a
     * thread it needs failed. The first signal starts a graceful stop, so the command can drain and
     * exit 0; a second one during the drain exits at once (130).
     */
    private static CountDownLatch onStopSignal(EchoServer server) {
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
        return stop;
    }

    /** Builds the configuration from the options given, which checks every value; messages say what to fix. */
    ServerConfig config() {
        ServerConfig.Builder b = SettingOptions.read(spec);
        ListenAddress.resolve(b.get(Settings.BIND));
        Models.byName(b.get(Settings.MODEL));
        States.byName(b.get(Settings.STATE));
        if (!SettingOptions.given(
                spec, Settings.MONITOR_PORT)) { // serve's default, as its doc says; the builder's is none
            b.monitorPort(
                    defaultMonitorPort(b.get(Settings.PORT), b.get(Settings.TLS_PORT), b.get(Settings.MONITOR_BIND)));
        }
        return b.build();
    }

    /** --port + 1 when it is free now (and not --tls-port), else any free port (0). */
    private static int defaultMonitorPort(int port, int tlsPort, String monitorBind) {
        if (port <= 0 || port >= 65535 || port + 1 == tlsPort) {
            return 0; // and an out-of-range --port is refused by the config, in its own words
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(monitorBind, port + 1));
            return port + 1;
        } catch (IOException e) {
            return 0;
        }
    }
}
