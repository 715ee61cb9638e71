package org.echolab.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.process.Activity;
import org.echolab.process.Ledger;
import org.echolab.process.Resources;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.WebSocketDecoder;
import org.echolab.protocol.WebSocketHandshake;

/**
 * The application: what each request gets back, and how long to wait first. Shared by every
 * model, it does no I/O and never blocks; the caller performs the wait and writes the bytes.
 * Thread-safe: it holds nothing of its own but the monitor's port.
 *
 * <p>Routes: {@code GET|HEAD /echo?msg=&wait=&work=&size=}, {@code POST /echo} (echoes the body;
 * so does {@code POST /}, where echo-testing clients send it), {@code /anything[/...]} by any
 * method (the request as JSON, {@link Inspection}), {@code GET /} ({@link Page}),
 * {@code GET /health/live} (200 while the process answers), {@code GET /health/ready} and
 * {@code /health} (200, or 503 once the server is stopping),
 * {@code GET /stats[?pretty]}, {@code GET /ws?wait=&work=} (the WebSocket handshake; the
 * conversation then switches protocol). TCP lines, WebSocket messages and UDP datagrams are
 * {@link Messages}'. {@code msg} comes back byte for
 * byte, percent escapes decoded to bytes ({@code %ff} is the byte 0xff). {@code /echo} and
 * {@code /anything} also take {@link Faults}; each parameter may come as an {@code X-Echo-Name} header.
 * go-httpbin's routes ({@code /get}, {@code /status/418}, {@code /delay/1}, ...) are {@link Httpbin}'s;
 * every response carries go-httpbin's CORS headers, and OPTIONS on any path is a CORS preflight.
 *
 * <p>Each request is begun and answered in the process's {@link Ledger}; its end is reported
 * there by whoever writes the reply.
 */
public final class EchoService {

    private final ServerConfig config;
    private final Resources process;
    private final Parameters parameters;
    private final Messages messages;
    private final Httpbin httpbin;
    private volatile int monitorPort;

    /** The answers of a process that holds {@code process}. */
    public EchoService(ServerConfig config, Resources process) {
        this.config = config;
        this.process = process;
        this.parameters = new Parameters(config);
        this.messages = new Messages(config.defaultWait, parameters, process.ledger());
        this.httpbin = new Httpbin(config);
        this.monitorPort = config.monitorPort;
    }

    /** The port of this server's monitor ({@code /live}), once it is known, for the link on {@code GET /}. */
    public void monitorAt(int port) {
        monitorPort = port;
    }

    /**
     * The reply to one request. Every call must be matched by the ledger's {@link Ledger#done} or
     * {@link Ledger#refused} once the reply is written (or failed to be): between the two the
     * request counts as in flight.
     */
    public Reply http(HttpRequest req, boolean draining, Origin origin) {
        Ledger.Begun begun = process.ledger().begin();
        Routed r;
        try {
            r = route(req, draining, origin, begun.number());
        } catch (Refusal e) {
            HttpResponse res =
                    HttpResponse.text(e.status, e.reason, e.status + " " + e.reason + ": " + e.getMessage() + "\n");
            r = new Routed(e.status == 503 ? res.header("Retry-After", "1") : res);
        } catch (JsonProcessingException e) {
            r = new Routed(HttpResponse.text(500, "Internal Server Error", "stats could not be written\n"));
        }
        HttpResponse res = r.response();
        Faults.Decision fate = r.faults().decide(origin.onConnection());
        if (fate.status() != 0) {
            res.status(fate.status(), HttpResponse.reasonOf(fate.status()));
        }
        Duration wait = r.delay().plus(fate.jitter());
        boolean close = !req.keepAlive() || draining;
        Httpbin.cors(req, res);
        res.header("Server", "EchoLab")
                .header("Date", Answers.HttpDate.at(begun.nanos()))
                .header("X-Echo-Model", config.model)
                .header("X-Echo-Worker", Activity.worker())
                .header("X-Echo-Request", Long.toString(begun.number()));
        if (r.faults().random()) {
            res.header("X-Echo-Seed", Long.toString(r.faults().seed()))
                    .header("X-Echo-On-Connection", Long.toString(origin.onConnection()));
        }
        if (!close && req.minorVersion() == 0) {
            res.header("Connection", "keep-alive");
        }
        res.close(close);
        boolean head = req.method().equals("HEAD");
        Ledger ledger = process.ledger();
        String logged =
                ledger.logsRequests() ? req.method() + " " + req.target() + " HTTP/1." + req.minorVersion() : null;
        Ledger.Entry entry = ledger.answered(
                begun,
                req.path(),
                res.status(),
                wait.toMillis(),
                logged,
                head ? 0 : res.body().length + res.fillerLength(false));
        if (r.upgrade() != null) {
            return Reply.upgrade(res, r.upgrade(), entry);
        }
        return r.pace() != null
                ? Reply.paced(res, head, wait, r.pace(), entry)
                : Reply.http(res, head, wait, r.work(), entry, fate);
    }

    /** What a route answers: the response, the wait and work before it, and what it asks of the writer. */
    private record Routed(
            HttpResponse response, Duration delay, Work work, Faults faults, Reply.Upgrade upgrade, Reply.Pace pace) {
        Routed(HttpResponse response) {
            this(response, Duration.ZERO, Work.SLEEP, Faults.NONE, null, null);
        }
    }

    /** The routes; a request that none will take is a {@link Refusal}. */
    private Routed route(HttpRequest req, boolean draining, Origin origin, long number) throws JsonProcessingException {
        String path =
                req.path().equals("/") && req.method().equals("POST") ? "/echo" : req.path(); // the body comes back
        boolean get = req.method().equals("GET") || req.method().equals("HEAD");
        boolean anything = path.equals("/anything") || path.startsWith("/anything/");
        Httpbin.Answer bin;
        if (req.method().equals("OPTIONS")) {
            return new Routed(Httpbin.preflight(req)); // a CORS preflight, on any path, as go-httpbin answers it
        } else if ((bin = httpbin.answer(req, origin)) != null) {
            return new Routed(bin.response(), bin.delay(), Work.SLEEP, Faults.NONE, null, bin.pace());
        } else if (path.equals("/echo") || anything) {
            if (!get && !anything && !req.method().equals("POST")) {
                throw new Refusal(405, "Method Not Allowed", "use GET, HEAD or POST on /echo");
            }
            Map<String, String> q = Parameters.echoQuery(req, anything);
            Duration wait = parameters.waitOf(Parameters.param(q, req, "wait"));
            Work work = Parameters.workOf(Parameters.param(q, req, "work"));
            Faults faults = parameters.faultsOf(q, req, wait);
            if (faults.drip() > 0 && q.containsKey("size")) {
                throw Refusal.badRequest("drip and size cannot be combined");
            }
            return new Routed(
                    anything ? inspection(req, origin, number) : Echo.of(req, q), wait, work, faults, null, null);
        } else if (!get) {
            throw new Refusal(405, "Method Not Allowed", "use GET on " + path);
        }
        return switch (path) {
            case "/ws" -> webSocket(req, draining);
            case "/" ->
                new Routed(new HttpResponse(200, "OK")
                        .header("Content-Type", "text/html; charset=utf-8")
                        .body(Page.html(config, monitorPort, origin.tls())));
            case "/health", "/health/ready" ->
                new Routed(
                        process.readiness().ready()
                                ? HttpResponse.text(200, "OK", path.equals("/health") ? "ok\n" : "ready\n")
                                : HttpResponse.text(503, "Service Unavailable", "not ready: stopping\n"));
            case "/health/live" -> new Routed(HttpResponse.text(200, "OK", "live\n"));
            case "/stats" ->
                new Routed(new HttpResponse(200, "OK")
                        .header("Content-Type", "application/json")
                        .body(process.stats().json(Parameters.query(req).containsKey("pretty"))));
            default -> throw new Refusal(404, "Not Found", "no such path: " + path + " (see GET / for the endpoints)");
        };
    }

    /**
     * {@code /anything}: what building its JSON may hold at worst is taken from the memory budget
     * for the while (a 503 if it does not fit); the reply's own bytes are then taken as any reply's.
     */
    private HttpResponse inspection(HttpRequest req, Origin origin, long number) {
        long holds = Inspection.worstCase(req);
        if (!process.memory().take(holds)) {
            throw new Refusal(
                    503, "Service Unavailable", "the server holds as much as --memory-budget allows; retry later");
        }
        try {
            return new HttpResponse(200, "OK")
                    .header("Content-Type", Httpbin.JSON)
                    .body(Inspection.json(req, origin, config.model, Activity.worker(), number));
        } finally {
            process.memory().give(holds);
        }
    }

    /** {@code GET /ws}: 101 Switching Protocols, or why not (400, 426, 503); its wait and work are checked first. */
    private Routed webSocket(HttpRequest req, boolean draining) {
        Map<String, String> q = Parameters.query(req);
        Reply.Upgrade asked = new Reply.Upgrade(parameters.waitOf(q.get("wait")), Parameters.workOf(q.get("work")));
        if (draining) {
            throw new Refusal(503, "Service Unavailable", "the server is stopping");
        }
        HttpResponse res = switch (WebSocketHandshake.check(req)) {
            case WebSocketHandshake.Accept a ->
                new HttpResponse(101, "Switching Protocols")
                        .header("Upgrade", "websocket")
                        .header("Connection", "Upgrade")
                        .header("Sec-WebSocket-Accept", a.accept());
            case WebSocketHandshake.Refuse r -> {
                HttpResponse refused = HttpResponse.text(
                        r.status(), r.reason(), r.status() + " " + r.reason() + ": " + r.why() + "\n");
                yield r.status() == 426
                        ? refused.header("Upgrade", "websocket")
                                .header("Sec-WebSocket-Version", WebSocketHandshake.VERSION)
                        : refused;
            }
        };
        return new Routed(res, Duration.ZERO, Work.SLEEP, Faults.NONE, res.status() == 101 ? asked : null, null);
    }

    /** The echo of one TCP line, {@code [wait=.. work=..] text} or plain text, given without its {@code ending}, which it keeps. */
    public Reply line(byte[] line, byte[] ending) {
        return messages.line(line, ending);
    }

    /** The echo of one WebSocket message, after the wait the connection's upgrade asked for ({@code /ws?wait=&work=}). */
    public Reply message(WebSocketDecoder.Message m, Reply.Upgrade defaults) {
        return messages.message(m, defaults);
    }

    /** The echo of one UDP datagram, after the default wait or the one its {@code [wait=..]} directive asks for. */
    public Reply datagram(byte[] data) {
        return messages.datagram(data);
    }
}
