package org.echolab.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.session.EchoService;

/**
 * The server's monitor: a small HTTP server on a port of its own ({@code --monitor-port}) that
 * shows what the model is doing, however busy the model is. The model's port is served by the
 * model, so under {@code sequential} a {@code /stats} there waits in the accept queue with every
 * other client; the monitor's port is not.
 *
 * <p>Routes: {@code /live} (the live view, a page that draws {@code /live.json} twice a second),
 * {@code /live.json}, {@code /metrics} (Prometheus), {@code /stats[?pretty]} (the same JSON as the
 * model's port), {@code /} (links).
 *
 * <p><b>Threads:</b> the JDK's {@code HttpServer} accepts on its dispatcher thread and answers on
 * one platform thread of its own, {@code echolab-monitor}; no thread of the model's is ever used.
 * <b>Cost</b> when no one watches: those two idle threads and a port; each request reads the
 * server's figures, the activity ring and /proc.
 */
public final class Monitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("echolab.monitor");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PAGE = page();

    private final HttpServer http;
    private final ExecutorService thread;

    private Monitor(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /**
     * Listens on {@code --bind}:{@code --monitor-port} and serves the monitor of the server whose
     * model listens on {@code port} and answers through {@code service}.
     *
     * @throws IOException if the monitor's port cannot be bound
     */
    public static Monitor start(ServerConfig config, EchoService service, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(config.bind, Math.max(0, config.monitorPort)), 64);
        LiveView live = new LiveView(config, service, port);
        Metrics metrics = new Metrics(config, service, port);
        http.createContext("/", exchange -> answer(exchange, switch (exchange.getRequestURI().getPath()) {
            case "/live" -> new Answer(200, "text/html; charset=utf-8", PAGE);
            case "/live.json" -> new Answer(200, "application/json", JSON.writeValueAsBytes(live.frame()));
            case "/metrics" -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.write(out);
                yield new Answer(200, Metrics.contentType(), out.toByteArray());
            }
            case "/stats" -> new Answer(200, "application/json", pretty(exchange)
                    ? JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(service.stats())
                    : JSON.writeValueAsBytes(service.stats()));
            case "/" -> new Answer(200, "text/html; charset=utf-8", index(config).getBytes());
            default -> new Answer(404, "text/plain", "no such path; try /live, /live.json, /metrics or /stats\n".getBytes());
        }));
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("echolab-monitor").unstarted(r));
        http.setExecutor(thread);
        http.start();
        return new Monitor(http, thread);
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The live view's address, as the startup line prints it. */
    public String url() {
        return "http://" + address().getHostString() + ":" + address().getPort() + "/live";
    }

    private record Answer(int status, String type, byte[] body) {}

    private static void answer(HttpExchange exchange, Answer a) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", a.type());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(a.status(), head ? -1 : a.body().length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(a.body());
                }
            }
        }
    }

    private static boolean pretty(HttpExchange exchange) {
        String q = exchange.getRequestURI().getRawQuery();
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
        http.stop(0);
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "the monitor's thread did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
