package org.echolab.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.LineDirective;
import org.echolab.protocol.Payload;
import org.echolab.protocol.Query;
import org.echolab.state.ServerState;
import org.echolab.tls.TlsInfo;

/**
 * The application: what each request gets back, and how long to wait first. Shared by every
 * model, it does no I/O and never blocks; the caller performs the wait and writes the bytes.
 * Thread-safe: it holds only the shared {@link ServerState}, the {@link Stats} gauges and
 * immutable configuration.
 *
 * <p>Routes: {@code GET|HEAD /echo?msg=&wait=&work=&size=}, {@code POST /echo} (echoes the body;
 * so does {@code POST /}, where echo-testing clients send it), {@code GET /} ({@link Page}),
 * {@code GET /health}, {@code GET /stats[?pretty]} ({@link Stats}). A TCP line is echoed as it
 * came, after the wait; a line may start with a {@link LineDirective}. {@code msg} comes back byte
 * for byte, percent escapes decoded to bytes ({@code %ff} is the byte 0xff).
 *
 * <p>It also holds the process's two {@link Budget}s, which each {@link Conversation} takes from:
 * bytes held for request bodies and replies ({@code --memory-budget}) and CPU work in flight
 * ({@code --cpu-budget}).
 */
public final class EchoService {

    /** Largest body {@code size=} may ask for. */
    public static final int MAX_SIZE = 64 * 1024 * 1024;

    private static final long PID = ProcessHandle.current().pid();

    private final ServerConfig config;
    private final ServerState state;
    private final Budget memory;
    private final Budget cpu;
    private final Stats stats;
    private final Activity activity = new Activity();
    private volatile int monitorPort;

    public EchoService(ServerConfig config, ServerState state, Supplier<Map<String, Object>> modelStats) {
        this(config, state, modelStats, null);
    }

    /** As above; {@code tls}: the server's TLS figures for {@code /stats}, or null when it has none. */
    public EchoService(ServerConfig config, ServerState state, Supplier<Map<String, Object>> modelStats,
                       Map<String, Object> tls) {
        this.config = config;
        this.state = state;
        // "auto" is resolved here, in each process: a prefork worker has a heap of its own
        this.memory = new Budget(config.memoryBudget > 0 ? config.memoryBudget : Runtime.getRuntime().maxMemory() / 4);
        this.cpu = new Budget(config.cpuBudget.isPositive() ? config.cpuBudget.toNanos()
                : config.maxWait.toNanos() * Runtime.getRuntime().availableProcessors());
        this.stats = new Stats(config.model, state, modelStats, memory, cpu, tls);
        this.monitorPort = config.monitorPort;
    }

    /** Who served which request, and when: what the live view and {@code /metrics} read. */
    public Activity activity() {
        return activity;
    }

    /** The port of this server's monitor ({@code /live}), once it is known, for the link on {@code GET /}. */
    public void monitorAt(int port) {
        monitorPort = port;
    }

    /** Bytes held for request bodies and replies, across this process's connections. */
    public Budget memory() {
        return memory;
    }

    /** Nanoseconds of {@code work=cpu} the requests in flight asked for, in this process. */
    public Budget cpu() {
        return cpu;
    }

    public ServerState state() {
        return state;
    }

    /** The same figures as {@code GET /stats}. */
    public Map<String, Object> stats() {
        return stats.figures();
    }

    /** Who is serving: this process and the calling thread, as the X-Echo-Worker header says it. */
    public static String worker() {
        Thread t = Thread.currentThread();
        String name = t.getName().isEmpty() ? (t.isVirtual() ? "virtual-" : "thread-") + t.threadId() : t.getName();
        return "pid=" + PID + " thread=" + name;
    }

    // ---- HTTP --------------------------------------------------------------------------------

    /**
     * The reply to one request. Every call must be matched by {@link #done} once the reply is
     * written (or failed to be): between the two the request counts as in flight.
     *
     * @param tls what the connection's TLS handshake settled, or null on a plain connection
     */
    public Reply http(HttpRequest req, boolean draining, TlsInfo tls) {
        long began = System.nanoTime();
        stats.requestBegan();
        long number = state.nextRequestNumber();
        HttpResponse res;
        Duration wait = Duration.ZERO;
        Work work = Work.SLEEP;
        try {
            String path = req.path();
            boolean get = req.method().equals("GET") || req.method().equals("HEAD");
            if (path.equals("/") && req.method().equals("POST")) {
                path = "/echo";             // the body comes back, as from POST /echo
            }
            if (!get && !path.equals("/echo")) {
                throw new Refusal(405, "Method Not Allowed", "use GET on " + path);
            }
            switch (path) {
                case "/echo" -> {
                    if (!get && !req.method().equals("POST")) {
                        throw new Refusal(405, "Method Not Allowed", "use GET, HEAD or POST on /echo");
                    }
                    Map<String, String> q = query(req);
                    wait = waitOf(q.get("wait") != null ? q.get("wait") : req.header("X-Echo-Wait"));
                    String w = q.get("work") != null ? q.get("work") : req.header("X-Echo-Work");
                    work = w == null ? Work.SLEEP : workOf(w);
                    res = echo(req, q);
                }
                case "/" -> res = new HttpResponse(200, "OK").header("Content-Type", "text/html; charset=utf-8")
                        .body(Page.html(config, monitorPort, tls));
                case "/health" -> res = HttpResponse.text(200, "OK", "ok\n");
                case "/stats" -> res = new HttpResponse(200, "OK").header("Content-Type", "application/json")
                        .body(stats.json(query(req).containsKey("pretty")));
                default -> throw new Refusal(404, "Not Found", "no such path: " + path + " (see GET / for the endpoints)");
            }
        } catch (Refusal e) {
            res = HttpResponse.text(e.status, e.reason, e.status + " " + e.reason + ": " + e.getMessage() + "\n");
            wait = Duration.ZERO;
        } catch (JsonProcessingException e) {
            res = HttpResponse.text(500, "Internal Server Error", "stats could not be written\n");
        }
        boolean close = !req.keepAlive() || draining;
        res.header("Server", "EchoLab")
                .header("Date", Answers.HttpDate.now())
                .header("X-Echo-Model", config.model)
                .header("X-Echo-Worker", worker())
                .header("X-Echo-Request", Long.toString(number));
        if (!close && req.minorVersion() == 0) {
            res.header("Connection", "keep-alive");
        }
        res.close(close);
        long ticket = activity.began(began, number, req.path(), res.status(), wait.toMillis());
        return Reply.http(res, req.method().equals("HEAD"), wait, work, ticket);
    }

    /** {@code reply}, from {@link #http} or {@link #line}, was written ({@code written}) or abandoned. */
    public void done(Reply reply, String client, boolean written) {
        activity.ended(reply.ticket(), written);
        stats.requestEnded();
        if (written) {
            state.requestServed(client);
        }
    }

    private HttpResponse echo(HttpRequest req, Map<String, String> q) {
        String type = "text/plain; charset=utf-8";
        byte[] body;
        if (req.method().equals("POST")) {
            body = req.body();
            String t = req.header("Content-Type");
            type = t != null ? t : "application/octet-stream";
        } else {
            body = q.getOrDefault("msg", "").getBytes(StandardCharsets.ISO_8859_1);   // Query's bytes, exactly
        }
        String size = q.get("size");
        if (size != null) {
            int n;
            try {
                n = Integer.parseInt(size);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > MAX_SIZE) {
                throw new Refusal(400, "Bad Request", "size must be a whole number from 0 to " + MAX_SIZE);
            }
            byte[] prefix = Payload.prefix(body, n);
            return new HttpResponse(200, "OK").header("Content-Type", type).body(prefix).filler(n - prefix.length);
        }
        return new HttpResponse(200, "OK").header("Content-Type", type).body(body);
    }

    // ---- TCP lines ---------------------------------------------------------------------------

    /** The echo of one TCP line (without its line ending): {@code [wait=.. work=..] text} or plain text. */
    public Reply line(byte[] line) {
        long began = System.nanoTime();
        stats.requestBegan();
        long number = state.nextRequestNumber();
        try {
            LineDirective d = LineDirective.parse(line);
            Duration wait = waitOf(d.waitText());
            Work work = d.workText() == null ? Work.SLEEP : workOf(d.workText());
            byte[] out = new byte[d.text().length + 1];
            System.arraycopy(d.text(), 0, out, 0, d.text().length);
            out[out.length - 1] = '\n';
            return Reply.line(out, wait, work, activity.began(began, number, "line", Activity.LINE_OK, wait.toMillis()));
        } catch (LineDirective.Malformed | Refusal e) {
            return Reply.line(Answers.errorLine(e.getMessage()), Duration.ZERO, Work.SLEEP,
                    activity.began(began, number, "line", Activity.LINE_ERR, 0));
        }
    }

    // ---- parameters --------------------------------------------------------------------------

    private static Map<String, String> query(HttpRequest req) {
        try {
            return Query.parse(req.rawQuery());
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", "malformed query: " + e.getMessage());
        }
    }

    private Duration waitOf(String value) {
        if (value == null) {
            return config.defaultWait;
        }
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", "bad wait: " + e.getMessage());
        }
        if (d.compareTo(config.maxWait) > 0) {
            throw new Refusal(400, "Bad Request", "wait " + value + " is above this server's --max-wait of "
                    + Durations.format(config.maxWait));
        }
        return d;
    }

    private static Work workOf(String value) {
        try {
            return Work.parse(value);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", e.getMessage());
        }
    }

    /** A request the service refuses, with its status. */
    private static final class Refusal extends RuntimeException {
        final int status;
        final String reason;

        Refusal(int status, String reason, String message) {
            super(message, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }
}
