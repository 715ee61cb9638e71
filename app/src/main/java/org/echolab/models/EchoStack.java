package org.echolab.models;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.connection.BlockingSession;
import org.echolab.process.Connections;
import org.echolab.process.Readiness;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.state.ServerState;
import org.echolab.tls.ServerTls;

/**
 * Everything one server process runs below its concurrency model: the shared state, what the
 * process holds ({@link Resources}: its ledger, budgets, readiness), the application
 * ({@link EchoService}), the registry of open connections and the blocking session.
 * One assembly for every process that serves: the server a user starts, a {@code process} child
 * and a {@code prefork} worker. Thread-safe, as each of its parts is.
 *
 * @param connections the registry of this process's open connections, under every model (slots, counts, drain)
 * @param tls         with {@code --tls}, the server's key and certificate, read from the configured PEM
 *                    files in every process that serves; else null
 */
public record EchoStack(
        ServerConfig config,
        ServerState state,
        Resources process,
        EchoService service,
        Connections connections,
        BlockingSession session,
        ServerTls tls)
        implements AutoCloseable {

    /**
     * Assembles the parts around {@code state}.
     *
     * @param modelStats the model's own figures for {@code /stats}, asked for on each request
     * @param maxConnections connections this process may hold at once
     * @param maxPerClient connections one client address may hold at once (0: no bound)
     * @throws IllegalArgumentException if {@code --tls} files cannot be read (the message names the file)
     */
    public static EchoStack assemble(
            ServerConfig config,
            ServerState state,
            Supplier<Map<String, Object>> modelStats,
            int maxConnections,
            int maxPerClient) {
        return assemble(config, state, modelStats, maxConnections, maxPerClient, new Readiness());
    }

    /** As above, with the {@link Readiness} that {@code /health/ready} reports (a child's follows its parent's). */
    public static EchoStack assemble(
            ServerConfig config,
            ServerState state,
            Supplier<Map<String, Object>> modelStats,
            int maxConnections,
            int maxPerClient,
            Readiness readiness) {
        ServerTls tls = config.tls ? ServerTls.load(Path.of(config.tlsCert), Path.of(config.tlsKey)) : null;
        Resources process = Resources.of(config, state, modelStats, readiness, tls == null ? null : tls.figures());
        EchoService service = new EchoService(config, process);
        // an automatic --max-per-client spares loopback clients; a number given bounds them too
        Connections connections = new Connections(
                state,
                maxConnections,
                maxPerClient,
                config.maxPerClient != ServerConfig.AUTO,
                process.ledger().closes());
        return new EchoStack(
                config,
                state,
                process,
                service,
                connections,
                new BlockingSession(config, service, process, connections, tls),
                tls);
    }

    /**
     * This process's stack for a second port whose connections are TLS ({@code --tls-port}): the
     * same state, resources, application and registry of connections, so both ports count, limit
     * and drain as one; only the session differs, which begins with the handshake.
     *
     * @param secure this configuration on the second port, with {@code --tls} and its files
     * @throws IllegalArgumentException if the TLS files cannot be read (the message names the file)
     */
    public EchoStack secured(ServerConfig secure) {
        ServerTls tls = ServerTls.load(Path.of(secure.tlsCert), Path.of(secure.tlsKey));
        return new EchoStack(
                secure,
                state,
                process,
                service,
                connections,
                new BlockingSession(secure, service, process, connections, tls),
                tls);
    }

    /** Ends the deadline watch; releases what the state holds outside the heap (a shared-memory variant's /dev/shm file). */
    @Override
    public void close() {
        connections.close();
        process.close();
        if (state instanceof AutoCloseable resource) {
            try {
                resource.close();
            } catch (Exception e) {
                System.getLogger(EchoStack.class.getName()).log(Level.WARNING, "closing the state failed: " + e);
            }
        }
    }
}
