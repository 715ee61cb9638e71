package org.echolab.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.LineDirective;
import org.echolab.protocol.Payload;
import org.echolab.protocol.Query;
import org.echolab.protocol.WebSocketDecoder;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.protocol.WebSocketHandshake;
import org.echolab.state.ServerState;

/**
 * The application: what each request gets back, and how long to wait first. Shared by every
 * model, it does no I/O and never blocks; the caller performs the wait and writes the bytes.
 * Thread-safe: it holds only the shared {@link ServerState}, the {@link Stats} gauges and
 * immutable configuration.
 *
 * <p>Routes: {@code GET|HEAD /echo?msg=&wait=&work=&size=}, {@code POST /echo} (echoes the body;
 * so does {@code POST /}, where echo-testing clients send it), {@code GET /} ({@link Page}),
 * {@code GET /health}, {@code GET /stats[?pretty]} ({@link Stats}), {@code GET /ws?wait=&work=}
 * (the WebSocket handshake; the {@link Conversation} then switches protocol). A TCP line, a
 * WebSocket message and a UDP datagram are echoed as they came, after the wait; each may start
 * with a {@link LineDirective} (a WebSocket message only if it is text). {@code msg} comes back byte
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
        this.config = config;
        this.state = state;
        // "auto" is resolved here, in each process: a prefork worker has a heap of its own
        this.memory = new Budget(config.memoryBudget > 0 ? config.memoryBudget : Runtime.getRuntime().maxMemory() / 4);
        this.cpu = new Budget(config.cpuBudget.isPositive() ? config.cpuBudget.toNanos()
                : config.maxWait.toNanos() * Runtime.getRuntime().availableProcessors());
        this.stats = new Stats(config.model, state, modelStats, memory, cpu);
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
     */
    public Reply http(HttpRequest req, boolean draining) {
        long began = System.nanoTime();
        stats.requestBegan();
        long number = state.nextRequestNumber();
        HttpResponse res;
        Duration wait = Duration.ZERO;
        Work work = Work.SLEEP;
        Reply.Upgrade upgrade = null;       // set by a WebSocket handshake that succeeds
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
                case "/ws" -> {
                    Map<String, String> q = query(req);   // checked first: a bad wait is a 400, not a switch
                    Reply.Upgrade asked = new Reply.Upgrade(waitOf(q.get("wait")),
                            q.get("work") == null ? Work.SLEEP : workOf(q.get("work")));
                    res = webSocket(req, draining);
                    upgrade = res.status() == 101 ? asked : null;
                }
                case "/" -> res = new HttpResponse(200, "OK").header("Content-Type", "text/html; charset=utf-8")
                        .body(Page.html(config, monitorPort));
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
        return upgrade != null ? Reply.upgrade(res, upgrade, ticket) : Reply.http(res, req.method().equals("HEAD"), wait, work, ticket);
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
        Directed d = directed(line, config.defaultWait, Work.SLEEP, "line");
        byte[] out = Arrays.copyOf(d.text(), d.text().length + 1);
        out[out.length - 1] = '\n';
        return Reply.line(out, d.delay(), d.work(), d.ticket());
    }

    // ---- WebSocket ---------------------------------------------------------------------------

    /**
     * The echo of one WebSocket message: the same message, in one frame, after the wait the
     * connection's upgrade asked for ({@code /ws?wait=&work=}). A text message may start with a
     * directive of its own, as a TCP line does; a bad one is answered with an {@code ERR} text.
     */
    public Reply message(WebSocketDecoder.Message m, Reply.Upgrade defaults) {
        Directed d = m.text() ? directed(m.payload(), defaults.delay(), defaults.work(), "ws")
                : new Directed(defaults.delay(), defaults.work(), m.payload(), began("ws", Activity.LINE_OK, defaults.delay()));
        byte[] frame = WebSocketFrames.frame(m.text() ? WebSocketFrames.TEXT : WebSocketFrames.BINARY, d.text());
        return Reply.message(frame, WebSocketFrames.close(WebSocketFrames.GOING_AWAY, "the server is stopping"),
                d.delay(), d.work(), d.ticket());
    }

    /** The answer to a WebSocket handshake: 101 Switching Protocols, or why not (400, 426, 503). */
    private static HttpResponse webSocket(HttpRequest req, boolean draining) {
        if (draining) {
            throw new Refusal(503, "Service Unavailable", "the server is stopping");
        }
        return switch (WebSocketHandshake.check(req)) {
            case WebSocketHandshake.Accept a -> new HttpResponse(101, "Switching Protocols").header("Upgrade", "websocket")
                    .header("Connection", "Upgrade").header("Sec-WebSocket-Accept", a.accept());
            case WebSocketHandshake.Refuse r -> {
                HttpResponse res = HttpResponse.text(r.status(), r.reason(), r.status() + " " + r.reason() + ": " + r.why() + "\n");
                yield r.status() == 426
                        ? res.header("Upgrade", "websocket").header("Sec-WebSocket-Version", WebSocketHandshake.VERSION)
                        : res;
            }
        };
    }

    // ---- UDP ---------------------------------------------------------------------------------

    /**
     * The echo of one UDP datagram: the same bytes, after the server's default wait or the one a
     * {@code [wait=..]} directive at its start asks for (the directive is not echoed). Only
     * {@code work=sleep}: the UDP side has a timer, not threads to burn.
     */
    public Reply datagram(byte[] data) {
        Directed d = directed(data, config.defaultWait, Work.SLEEP, "udp");
        if (d.work() == Work.CPU) {
            return Reply.line(Answers.errorLine("work=cpu is not served over UDP"), Duration.ZERO, Work.SLEEP, d.ticket());
        }
        return Reply.line(d.text(), d.delay(), d.work(), d.ticket());
    }

    // ---- directives --------------------------------------------------------------------------

    /** Bytes to echo after {@code delay} doing {@code work}, counted in {@link Activity} under {@code ticket}. */
    private record Directed(Duration delay, Work work, byte[] text, long ticket) {}

    /** {@code bytes} read for a {@link LineDirective}, which overrides the given wait and work; a bad one becomes an ERR line. */
    private Directed directed(byte[] bytes, Duration wait, Work work, String what) {
        try {
            LineDirective d = LineDirective.parse(bytes);
            Duration w = d.waitText() == null ? wait : waitOf(d.waitText());
            Work k = d.workText() == null ? work : workOf(d.workText());
            return new Directed(w, k, d.text(), began(what, Activity.LINE_OK, w));
        } catch (LineDirective.Malformed | Refusal e) {
            byte[] err = ("ERR " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            return new Directed(Duration.ZERO, Work.SLEEP, err, began(what, Activity.LINE_ERR, Duration.ZERO));
        }
    }

    /** A request that is not HTTP began: counted, numbered, and given its slot in {@link Activity}. */
    private long began(String what, int status, Duration wait) {
        long began = System.nanoTime();
        stats.requestBegan();
        return activity.began(began, state.nextRequestNumber(), what, status, wait.toMillis());
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
