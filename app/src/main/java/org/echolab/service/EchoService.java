package org.echolab.service;

import org.echolab.process.Ledger;
import org.echolab.process.Resources;
import org.echolab.process.Refusals;
import org.echolab.process.Readiness;
import org.echolab.process.Budget;
import org.echolab.process.Activity;
import org.echolab.process.AccessLog;
import org.echolab.connection.Conversation;
import org.echolab.connection.Connection;
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
 * Thread-safe: it holds nothing of its own but the monitor's port.
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
 * <p>Each request is begun and answered in the process's {@link Ledger}; its end is reported
 * there by whoever writes the reply.
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

    private final ServerConfig config;
    private final Resources process;
    private final Httpbin httpbin;
    private volatile int monitorPort;

    /** The answers of a process that holds {@code process}. */
    public EchoService(ServerConfig config, Resources process) {
        this.config = config;
        this.process = process;
        this.httpbin = new Httpbin(config);
        this.monitorPort = config.monitorPort;
    }

    /** The port of this server's monitor ({@code /live}), once it is known, for the link on {@code GET /}. */
    public void monitorAt(int port) {
        monitorPort = port;
    }

    // ---- HTTP --------------------------------------------------------------------------------

    /** The reply to one request from an unknown peer, as its connection's first. */
    public Reply http(HttpRequest req, boolean draining) {
        return http(req, draining, Origin.UNKNOWN);
    }

    /**
     * The reply to one request. Every call must be matched by the ledger's {@link Ledger#done} or
     * {@link Ledger#refused} once the reply is written (or failed to be): between the two the
     * request counts as in flight.
     *
     * @param tls what the connection's TLS handshake settled, or null on a plain connection
     */
    public Reply http(HttpRequest req, boolean draining, Origin origin) {
        Ledger.Begun begun = process.ledger().begin();
        long number = begun.number();
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
                    case "/health", "/health/ready" -> process.readiness().ready()
                            ? HttpResponse.text(200, "OK", path.equals("/health") ? "ok\n" : "ready\n")
                            : HttpResponse.text(503, "Service Unavailable", "not ready: stopping\n");
                    case "/health/live" -> HttpResponse.text(200, "OK", "live\n");
                    case "/stats" -> new HttpResponse(200, "OK").header("Content-Type", "application/json")
                            .body(process.stats().json(query(req).containsKey("pretty")));
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
                .header("X-Echo-Worker", Activity.worker())
                .header("X-Echo-Request", Long.toString(number));
        if (faults.random()) {
            res.header("X-Echo-Seed", Long.toString(faults.seed()))
                    .header("X-Echo-On-Connection", Long.toString(origin.onConnection()));
        }
        if (!close && req.minorVersion() == 0) {
            res.header("Connection", "keep-alive");
        }
        res.close(close);
        Ledger.Entry entry = process.ledger().answered(begun, req.path(), res.status(), wait.toMillis(),
                req.method() + " " + req.target() + " HTTP/1." + req.minorVersion(),
                req.method().equals("HEAD") ? 0 : res.body().length + res.fillerLength(false));
        if (upgrade != null) {
            return Reply.upgrade(res, upgrade, entry);
        }
        return bin != null && bin.pace() != null ? Reply.paced(res, req.method().equals("HEAD"), wait, bin.pace(), entry)
                : Reply.http(res, req.method().equals("HEAD"), wait, work, entry, fate);
    }

    /**
     * {@code /anything}: what building its JSON may hold at worst is taken from the memory budget
     * for the while (a 503 if it does not fit); the reply's own bytes are then taken as any reply's.
     */
    private HttpResponse inspection(HttpRequest req, Origin origin, long number) {
        long holds = Inspection.worstCase(req);
        if (!process.memory().take(holds)) {
            throw new Refusal(503, "Service Unavailable", "the server holds as much as --memory-budget allows; retry later");
        }
        try {
            return new HttpResponse(200, "OK").header("Content-Type", Httpbin.JSON)
                    .body(Inspection.json(req, origin, config.model, Activity.worker(), number));
        } finally {
            process.memory().give(holds);
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
        return Reply.line(out, d.delay(), d.work(), d.entered("LINE", out.length));
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
                d.delay(), d.work(), d.entered(null, 0));
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
            return Reply.line(Answers.errorLine("work=cpu is not served over UDP"), Duration.ZERO, Work.SLEEP, d.entered(null, 0));
        }
        return Reply.line(d.text(), d.delay(), d.work(), d.entered(null, 0));
    }

    // ---- directives --------------------------------------------------------------------------

    /**
     * Bytes to echo after {@code delay} doing {@code work}, for a request {@code begun} in the
     * ledger as {@code what}, with {@code outcome} {@link Activity#LINE_OK} or {@link Activity#LINE_ERR}.
     */
    private record Directed(Duration delay, Work work, byte[] text, Ledger.Begun begun, String what, int outcome, Ledger ledger) {

        /** The request answered: {@code request} is its access-log text (null: not logged), {@code bytes} the echo's length. */
        Ledger.Entry entered(String request, long bytes) {
            return ledger.answered(begun, what, outcome, delay.toMillis(), request, bytes);
        }
    }

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
        return new Directed(wait, work, text, process.ledger().begin(), what, outcome, process.ledger());
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
