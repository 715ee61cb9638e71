package org.echolab.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
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
import org.echolab.protocol.Sizes;
import org.echolab.protocol.WebSocketDecoder;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.protocol.WebSocketHandshake;
import org.echolab.state.ServerState;
import org.echolab.tls.TlsInfo;

/**
 * The application: what each request gets back, and how long to wait first. Shared by every
 * model, it does no I/O and never blocks; the caller performs the wait and writes the bytes.
 * Thread-safe: it holds only the shared {@link ServerState}, the {@link Stats} gauges and
 * immutable configuration.
 *
 * <p>Routes: {@code GET|HEAD /echo?msg=&wait=&work=&size=}, {@code POST /echo} (echoes the body;
 * so does {@code POST /}, where echo-testing clients send it), {@code /anything[/...]} by any
 * method (the request as JSON, {@link Inspection}), {@code GET /} ({@link Page}),
 * {@code GET /health/live} (200 while the process answers), {@code GET /health/ready} and
 * {@code /health} (200, or 503 once the server is stopping: see {@link Readiness}),
 * {@code GET /stats[?pretty]} ({@link Stats}), {@code GET /ws?wait=&work=} (the WebSocket
 * handshake; the {@link Conversation} then switches protocol). A TCP line, a WebSocket message and
 * a UDP datagram are echoed as they came, after the wait; each may start with a
 * {@link LineDirective} (a WebSocket message only if it is text). {@code msg} comes back byte for
 * byte, percent escapes decoded to bytes ({@code %ff} is the byte 0xff). {@code /echo} and
 * {@code /anything} also take {@link Faults}; each parameter may come as an {@code X-Echo-Name} header.
 * go-httpbin's routes ({@code /get}, {@code /status/418}, {@code /delay/1}, ...) are {@link Httpbin}'s;
 * every response carries go-httpbin's CORS headers, and OPTIONS on any path is a CORS preflight.
 *
 * <p>It also holds the process's two {@link Budget}s, which each {@link Conversation} takes from:
 * bytes held for request bodies and replies ({@code --memory-budget}) and CPU work in flight
 * ({@code --cpu-budget}).
 */
public final class EchoService {

    /**
     * What {@code /echo} and {@code /anything} read from the query: any other name on {@code /echo}
     * and any of these given twice is a 400 that names it ({@code /anything} reflects other names).
     */
    private static final java.util.List<String> ECHO_PARAMETERS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("msg", "wait", "work", "size"), Faults.PARAMETERS.stream()).toList();

    /** Largest body {@code size=} may ask for. */
    public static final int MAX_SIZE = 64 * 1024 * 1024;

    private static final long PID = ProcessHandle.current().pid();

    private final ServerConfig config;
    private final ServerState state;
    private final Budget memory;
    private final Budget cpu;
    private final Stats stats;
    private final Activity activity = new Activity();
    private final Refusals refusals = new Refusals();
    private final AccessLog accessLog;
    private final Readiness readiness;
    private final Httpbin httpbin;
    private volatile int monitorPort;

    public EchoService(ServerConfig config, ServerState state, Supplier<Map<String, Object>> modelStats) {
        this(config, state, modelStats, new Readiness(), null);
    }

    /**
     * As above, with the {@link Readiness} that {@code /health/ready} reports; {@code tls}: the
     * server's TLS figures for {@code /stats}, or null when it has none.
     */
    public EchoService(ServerConfig config, ServerState state, Supplier<Map<String, Object>> modelStats,
                       Readiness readiness, Map<String, Object> tls) {
        this.config = config;
        this.state = state;
        // "auto" is resolved here, in each process: a prefork worker has a heap of its own
        this.memory = new Budget(config.memoryBudget > 0 ? config.memoryBudget : Runtime.getRuntime().maxMemory() / 4);
        this.cpu = new Budget(config.cpuBudget.isPositive() ? config.cpuBudget.toNanos()
                : config.maxWait.toNanos() * Runtime.getRuntime().availableProcessors());
        this.stats = new Stats(config.model, state, modelStats, memory, cpu, refusals, tls);
        this.readiness = readiness;
        this.httpbin = new Httpbin(config);
        this.monitorPort = config.monitorPort;
        try {
            this.accessLog = AccessLog.open(config);
        } catch (IOException e) {
            throw new IllegalArgumentException("--access-log " + config.accessLog + ": cannot open it: " + e.getMessage(), e);
        }
    }

    /** {@code --access-log}: where the answered and refused requests are written (or {@link AccessLog#OFF}). */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** Who served which request, and when: what the live view and {@code /metrics} read. */
    public Activity activity() {
        return activity;
    }

    /** The clients turned away, by reason. */
    public Refusals refusals() {
        return refusals;
    }

    /** What {@code /health/ready} answers from. */
    public Readiness readiness() {
        return readiness;
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
        return "pid=" + PID + " thread=" + Activity.name(Thread.currentThread());
    }

    // ---- HTTP --------------------------------------------------------------------------------

    /** The reply to one request from an unknown peer, as its connection's first. */
    public Reply http(HttpRequest req, boolean draining) {
        return http(req, draining, Origin.UNKNOWN);
    }

    /**
     * The reply to one request. Every call must be matched by {@link #done} once the reply is
     * written (or failed to be): between the two the request counts as in flight.
     *
     * @param tls what the connection's TLS handshake settled, or null on a plain connection
     */
    public Reply http(HttpRequest req, boolean draining, Origin origin) {
        long began = System.nanoTime();
        stats.requestBegan();
        long number = state.nextRequestNumber();
        HttpResponse res;
        Duration wait = Duration.ZERO;
        Work work = Work.SLEEP;
        Faults faults = Faults.NONE;
        Reply.Upgrade upgrade = null;       // set by a WebSocket handshake that succeeds
        Httpbin.Answer bin = null;          // set by one of httpbin's routes
        try {
            String path = req.path();
            boolean get = req.method().equals("GET") || req.method().equals("HEAD");
            if (path.equals("/") && req.method().equals("POST")) {
                path = "/echo";             // the body comes back, as from POST /echo
            }
            boolean anything = path.equals("/anything") || path.startsWith("/anything/");
            if (req.method().equals("OPTIONS")) {
                res = Httpbin.preflight(req);       // a CORS preflight, on any path, as go-httpbin answers it
            } else if ((bin = httpbin.answer(req, origin)) != null) {
                res = bin.response();
                wait = bin.delay();
            } else if (!get && !path.equals("/echo") && !anything) {
                throw new Refusal(405, "Method Not Allowed", "use GET on " + path);
            } else if (path.equals("/echo") || anything) {
                if (!get && !anything && !req.method().equals("POST")) {
                    throw new Refusal(405, "Method Not Allowed", "use GET, HEAD or POST on /echo");
                }
                Map<String, String> q = query(req, anything);
                wait = waitOf(param(q, req, "wait"));
                String w = param(q, req, "work");
                work = w == null ? Work.SLEEP : workOf(w);
                faults = faultsOf(q, req, wait);
                if (faults.drip() > 0 && q.containsKey("size")) {
                    throw new Refusal(400, "Bad Request", "drip and size cannot be combined");
                }
                res = anything ? inspection(req, origin, number) : echo(req, q);
            } else {
                res = switch (path) {
                    case "/ws" -> {
                        Map<String, String> q = query(req);   // checked first: a bad wait is a 400, not a switch
                        Reply.Upgrade asked = new Reply.Upgrade(waitOf(q.get("wait")),
                                q.get("work") == null ? Work.SLEEP : workOf(q.get("work")));
                        HttpResponse r = webSocket(req, draining);
                        upgrade = r.status() == 101 ? asked : null;
                        yield r;
                    }
                    case "/" -> new HttpResponse(200, "OK").header("Content-Type", "text/html; charset=utf-8")
                            .body(Page.html(config, monitorPort, origin.tls()));
                    case "/health", "/health/ready" -> readiness.ready()
                            ? HttpResponse.text(200, "OK", path.equals("/health") ? "ok\n" : "ready\n")
                            : HttpResponse.text(503, "Service Unavailable", "not ready: stopping\n");
                    case "/health/live" -> HttpResponse.text(200, "OK", "live\n");
                    case "/stats" -> new HttpResponse(200, "OK").header("Content-Type", "application/json")
                            .body(stats.json(query(req).containsKey("pretty")));
                    default -> throw new Refusal(404, "Not Found", "no such path: " + path + " (see GET / for the endpoints)");
                };
            }
        } catch (Refusal e) {
            res = HttpResponse.text(e.status, e.reason, e.status + " " + e.reason + ": " + e.getMessage() + "\n");
            if (e.status == 503) {
                res.header("Retry-After", "1");
            }
            wait = Duration.ZERO;
            faults = Faults.NONE;
        } catch (JsonProcessingException e) {
            res = HttpResponse.text(500, "Internal Server Error", "stats could not be written\n");
        }
        Faults.Decision fate = faults.decide(origin.onConnection());
        if (fate.status() != 0) {
            res.status(fate.status(), HttpResponse.reasonOf(fate.status()));
        }
        wait = wait.plus(fate.jitter());
        boolean close = !req.keepAlive() || draining;
        Httpbin.cors(req, res);
        res.header("Server", "EchoLab")
                .header("Date", Answers.HttpDate.now())
                .header("X-Echo-Model", config.model)
                .header("X-Echo-Worker", worker())
                .header("X-Echo-Request", Long.toString(number));
        if (faults.random()) {
            res.header("X-Echo-Seed", Long.toString(faults.seed()))
                    .header("X-Echo-On-Connection", Long.toString(origin.onConnection()));
        }
        if (!close && req.minorVersion() == 0) {
            res.header("Connection", "keep-alive");
        }
        res.close(close);
        Activity.Entry entry = activity.began(began, number, req.path(), res.status(), wait.toMillis());
        Reply.Logged logged = !accessLog.on() ? null : new Reply.Logged(
                accessLog.arrival(req.method() + " " + req.target() + " HTTP/1." + req.minorVersion()), res.status(),
                req.method().equals("HEAD") ? 0 : res.body().length + res.fillerLength(false), number);
        if (upgrade != null) {
            return Reply.upgrade(res, upgrade, entry, logged);
        }
        return bin != null && bin.pace() != null ? Reply.paced(res, req.method().equals("HEAD"), wait, bin.pace(), entry, logged)
                : Reply.http(res, req.method().equals("HEAD"), wait, work, entry, fate, logged);
    }

    /**
     * {@code /anything}: what building its JSON may hold at worst is taken from the memory budget
     * for the while (a 503 if it does not fit); the reply's own bytes are then taken as any reply's.
     */
    private HttpResponse inspection(HttpRequest req, Origin origin, long number) {
        long holds = Inspection.worstCase(req);
        if (!memory.take(holds)) {
            throw new Refusal(503, "Service Unavailable", "the server holds as much as --memory-budget allows; retry later");
        }
        try {
            return new HttpResponse(200, "OK").header("Content-Type", Httpbin.JSON)
                    .body(Inspection.json(req, origin, config.model, worker(), number));
        } finally {
            memory.give(holds);
        }
    }

    /** {@code reply}, from {@link #http} or {@link #line}, was written ({@code written}) or abandoned. */
    public void done(Reply reply, String client, boolean written) {
        activity.ended(reply.entry(), written);
        stats.requestEnded();
        if (written) {
            state.requestServed(client);
        }
        Reply.Logged l = reply.logged();
        if (l != null) {
            accessLog.replied(client, l.arrival(), l.status(), l.bodyBytes(), l.number(), written);
        }
    }

    /**
     * {@code reply} was not sent: the budgets refused it and the client got a 503 instead (see
     * {@link Conversation}). It ends like an abandoned reply, and the access log says 503.
     */
    public void refused(Reply reply, String client) {
        activity.ended(reply.entry(), false);
        stats.requestEnded();
        Reply.Logged l = reply.logged();
        if (l != null) {
            accessLog.refused(client, l.arrival().request(), l.status() >= 100 ? 503 : 0);
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
                n = (int) Sizes.parse(size, MAX_SIZE);
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "Bad Request", "bad size: " + e.getMessage());
            }
            byte[] prefix = Payload.prefix(body, n);
            return new HttpResponse(200, "OK").header("Content-Type", type).body(prefix).filler(n - prefix.length);
        }
        return new HttpResponse(200, "OK").header("Content-Type", type).body(body);
    }

    // ---- TCP lines ---------------------------------------------------------------------------

    /** The echo of one TCP line ending in LF. */
    public Reply line(byte[] line) {
        return line(line, new byte[] {'\n'});
    }

    /**
     * The echo of one TCP line, {@code [wait=.. work=..] text} or plain text, given without its
     * {@code ending}, which the echo keeps: CR LF stays CR LF, and a last line cut short by the end
     * of input comes back as it came, with none.
     */
    public Reply line(byte[] line, byte[] ending) {
        Directed d = directed(line, config.defaultWait, Work.SLEEP, "line");
        byte[] out = Arrays.copyOf(d.text(), d.text().length + ending.length);
        System.arraycopy(ending, 0, out, d.text().length, ending.length);
        return Reply.line(out, d.delay(), d.work(), d.entry(), lineLogged(d.outcome(), out.length, d.number()));
    }

    // ---- WebSocket ---------------------------------------------------------------------------

    /**
     * The echo of one WebSocket message: the same message, in one frame, after the wait the
     * connection's upgrade asked for ({@code /ws?wait=&work=}). A text message may start with a
     * directive of its own, as a TCP line does; a bad one is answered with an {@code ERR} text.
     */
    public Reply message(WebSocketDecoder.Message m, Reply.Upgrade defaults) {
        Directed d = m.text() ? directed(m.payload(), defaults.delay(), defaults.work(), "ws")
                : undirected(m.payload(), defaults.delay(), defaults.work(), "ws");
        byte[] frame = WebSocketFrames.frame(m.text() ? WebSocketFrames.TEXT : WebSocketFrames.BINARY, d.text());
        return Reply.message(frame, WebSocketFrames.close(WebSocketFrames.GOING_AWAY, "the server is stopping"),
                d.delay(), d.work(), d.entry(), null);
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
            return Reply.line(Answers.errorLine("work=cpu is not served over UDP"), Duration.ZERO, Work.SLEEP, d.entry(), null);
        }
        return Reply.line(d.text(), d.delay(), d.work(), d.entry(), null);
    }

    // ---- directives --------------------------------------------------------------------------

    /**
     * Bytes to echo after {@code delay} doing {@code work}, counted in {@link Activity} as
     * {@code entry}; {@code number} is the request's, {@code outcome} {@link Activity#LINE_OK} or
     * {@link Activity#LINE_ERR}.
     */
    private record Directed(Duration delay, Work work, byte[] text, Activity.Entry entry, long number, int outcome) {}

    /** {@code bytes} read for a {@link LineDirective}, which overrides the given wait and work; a bad one becomes an ERR line. */
    private Directed directed(byte[] bytes, Duration wait, Work work, String what) {
        try {
            LineDirective d = LineDirective.parse(bytes);
            Duration w = d.waitText() == null ? wait : waitOf(d.waitText());
            Work k = d.workText() == null ? work : workOf(d.workText());
            return undirected(d.text(), w, k, what);
        } catch (LineDirective.Malformed | Refusal e) {
            byte[] err = ("ERR " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            return began(err, Duration.ZERO, Work.SLEEP, what, Activity.LINE_ERR);
        }
    }

    /** {@code bytes} to echo as they are, after {@code wait} doing {@code work}. */
    private Directed undirected(byte[] bytes, Duration wait, Work work, String what) {
        return began(bytes, wait, work, what, Activity.LINE_OK);
    }

    /** A request that is not HTTP began: counted, numbered, and given its slot in {@link Activity}. */
    private Directed began(byte[] text, Duration wait, Work work, String what, int outcome) {
        long began = System.nanoTime();
        stats.requestBegan();
        long number = state.nextRequestNumber();
        return new Directed(wait, work, text, activity.began(began, number, what, outcome, wait.toMillis()), number, outcome);
    }

    private Reply.Logged lineLogged(int outcome, int bytes, long number) {
        return !accessLog.on() ? null : new Reply.Logged(accessLog.arrival("LINE"), outcome, bytes, number);
    }

    // ---- parameters --------------------------------------------------------------------------

    /** A parameter from the query, or else from its {@code X-Echo-Name} header, or null. */
    private static String param(Map<String, String> q, HttpRequest req, String name) {
        String v = q.get(name);
        return v != null ? v : req.header("X-Echo-" + name);
    }

    private Faults faultsOf(Map<String, String> q, HttpRequest req, Duration wait) {
        try {
            return Faults.parse(name -> param(q, req, name), wait, config.maxWait);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", e.getMessage());
        }
    }

    private static Map<String, String> query(HttpRequest req) {
        try {
            return Query.parse(req.rawQuery());
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", "malformed query: " + e.getMessage());
        }
    }

    /** The query of {@code /echo} ({@code anything}: of {@code /anything}), checked against {@link #ECHO_PARAMETERS}. */
    private static Map<String, String> query(HttpRequest req, boolean anything) {
        try {
            return Query.parse(req.rawQuery(), ECHO_PARAMETERS, anything);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "Bad Request", e.getMessage());
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
