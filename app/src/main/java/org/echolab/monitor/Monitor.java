package org.echolab.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.echolab.config.ServerConfig;
import org.echolab.monitor.MonitorServer.Answer;
import org.echolab.process.Resources;
import org.echolab.protocol.HttpRequest;

/**
 * The server's monitor: a small HTTP server on a port of its own ({@code --monitor-port}, on
 * {@code --monitor-bind}, loopback by default) that shows what the model is doing, however busy
 * the model is. The model's port is served by the model, so under {@code sequential} a
 * {@code /stats} there waits in the accept queue with every other client; the monitor's port is not.
 *
 * <p>Routes: {@code /live} (the live view, a page that draws {@code /live.json} twice a second),
 * {@code /live.json}, {@code /metrics} (Prometheus), {@code /stats[?pretty]} (the same JSON as the
 * model's port), {@code /} (links).
 *
 * <p><b>Threads:</b> {@link MonitorServer}: a virtual thread per connection under deadlines and a
 * bound on connections, so that a slow client (a slowloris on this port) cannot keep a scrape
 * from its answer; no thread of the model's is ever used. <b>Cost</b> when no one watches: an
 * accept thread, a deadline thread and a port; each request reads the server's figures, the
 * activity ring and /proc.
 */
public final class Monitor implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PAGE = page();

    private final MonitorServer http;

    private Monitor(MonitorServer http) {
        this.http = http;
    }

    /**
     * Listens on {@code --monitor-bind}:{@code --monitor-port} and serves the monitor of the server
     * whose model listens on {@code port} and holds {@code process}.
     *
     * @throws IOException if the monitor's port cannot be bound
     */
    public static Monitor start(ServerConfig config, Resources process, int port) throws IOException {
        LiveView live = new LiveView(config, process, port);
        Metrics metrics = new Metrics(config, process, port);
        Function<HttpRequest, Answer> routes = req -> {
            try {
                return switch (req.path()) {
                    case "/live" -> new Answer(200, "text/html; charset=utf-8", PAGE);
                    case "/live.json" -> new Answer(200, "application/json", JSON.writeValueAsBytes(live.frame()));
                    case "/metrics" -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        metrics.write(out);
                        yield new Answer(200, Metrics.contentType(), out.toByteArray());
                    }
                    case "/stats" ->
                        new Answer(
                                200,
                                "application/json",
                                pretty(req.rawQuery())
                                        ? JSON.writerWithDefaultPrettyPrinter()
                                                .writeValueAsBytes(
                                                        process.stats().figures())
                                        : JSON.writeValueAsBytes(process.stats().figures()));
                    case "/" ->
                        new Answer(
                                200, "text/html; charset=utf-8", index(config).getBytes(StandardCharsets.UTF_8));
                    default ->
                        new Answer(
                                404,
                                "text/plain",
                                "no such path; try /live, /live.json, /metrics or /stats\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new Monitor(MonitorServer.start(
                new InetSocketAddress(config.monitorBind, Math.max(0, config.monitorPort)), routes));
    }

    public InetSocketAddress address() {
        return http.address();
    }

    /** The live view's address, as the startup line prints it, with whom it is open to. */
    public String url() {
        InetSocketAddress a = address();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/live"
                + (a.getAddress().isLoopbackAddress() ? " (monitor on loopback only: --monitor-bind)" : "");
    }

    private static boolean pretty(String q) {
        return q != null && (q.equals("pretty") || q.startsWith("pretty=") || q.contains("&pretty"));
    }

    private static String index(ServerConfig config) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>EchoLab monitor</title></head>"
                + "<body style=\"font-family: sans-serif\"><h1>EchoLab monitor: " + config.model + "</h1><ul>"
                + "<li><a href=\"/live\">/live</a>: the live view</li>"
                + "<li><a href=\"/live.json\">/live.json</a>: its data</li>"
                + "<li><a href=\"/metrics\">/metrics</a>: Prometheus</li>"
                + "<li><a href=\"/stats?pretty\">/stats</a>: the server's figures</li></ul></body></html>";
    }

    private static byte[] page() {
        try (InputStream in = Monitor.class.getResourceAsStream("live.html")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops answering and ends the monitor's threads. */
    @Override
    public void close() {
        http.close();
    }
}
