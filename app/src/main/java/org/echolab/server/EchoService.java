package org.echolab.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.echolab.protocol.Durations;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Payload;
import org.echolab.protocol.Query;

/**
 * The application: what each request gets back, and how long to wait first. Shared by every
 * model, it does no I/O and never blocks; the caller performs the wait and writes the bytes.
 * Thread-safe: it holds only the shared {@link ServerState} and immutable configuration.
 *
 * <p>Routes: {@code GET|HEAD /echo?msg=&wait=&work=&size=}, {@code POST /echo} (echoes the body),
 * {@code GET /}, {@code GET /health}, {@code GET /stats}. A TCP line is echoed as it came, after
 * the wait; a line may start with {@code [wait=250ms work=cpu]} to choose its own.
 */
public final class EchoService {

    /** Largest body {@code size=} may ask for. */
    public static final int MAX_SIZE = 64 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PID = ProcessHandle.current().pid();

    private final ServerConfig config;
    private final ServerState state;
    private final Supplier<Map<String, Object>> modelStats;
    private final long startedNanos = System.nanoTime();
    // the measuring instrument, not the race lab's subject: always correct
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger inFlightPeak = new AtomicInteger();

    public EchoService(ServerConfig config, ServerState state, Supplier<Map<String, Object>> modelStats) {
        this.config = config;
        this.state = state;
        this.modelStats = modelStats;
    }

    public ServerState state() {
        return state;
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
        begin();
        long number = state.nextRequestNumber();
        HttpResponse res;
        Duration wait = Duration.ZERO;
        Work work = Work.SLEEP;
        try {
            String path = req.path();
            boolean get = req.method().equals("GET") || req.method().equals("HEAD");
            if (!get && !path.equals("/echo")) {
                throw new HttpError(405, "Method Not Allowed", "use GET on " + path);
            }
            switch (path) {
                case "/echo" -> {
                    if (!get && !req.method().equals("POST")) {
                        throw new HttpError(405, "Method Not Allowed", "use GET, HEAD or POST on /echo");
                    }
                    Map<String, String> q = query(req);
                    wait = waitOf(q.get("wait") != null ? q.get("wait") : req.header("X-Echo-Wait"));
                    String w = q.get("work") != null ? q.get("work") : req.header("X-Echo-Work");
                    work = w == null ? Work.SLEEP : parseWork(w);
                    res = echo(req, q);
                }
                case "/" -> res = page(req);
                case "/health" -> res = HttpResponse.text(200, "OK", "ok\n");
                case "/stats" -> res = new HttpResponse(200, "OK")
                        .header("Content-Type", "application/json")
                        .body(JSON.writeValueAsBytes(stats()));
                default -> throw new HttpError(404, "Not Found", "no such path: " + path + " (see GET / for the endpoints)");
            }
        } catch (HttpError e) {
            res = HttpResponse.text(e.status, e.reason, e.status + " " + e.reason + ": " + e.getMessage() + "\n");
            wait = Duration.ZERO;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            res = HttpResponse.text(500, "Internal Server Error", "stats could not be written\n");
        }
        boolean close = !req.keepAlive() || draining;
        res.header("Server", "EchoLab")
                .header("Date", HttpDate.now())
                .header("X-Echo-Model", config.model)
                .header("X-Echo-Worker", worker())
                .header("X-Echo-Request", Long.toString(number));
        if (!close && req.minorVersion() == 0) {
            res.header("Connection", "keep-alive");
        }
        res.close(close);
        return Reply.http(res, req.method().equals("HEAD"), wait, work);
    }

    private void begin() {
        inFlightPeak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    /** The reply from {@link #http} or {@link #line} was written ({@code written}) or abandoned. */
    public void done(String client, boolean written) {
        inFlight.decrementAndGet();
        if (written) {
            state.requestServed(client);
        }
    }

    /** The answer to a request the parser refused: always closes. */
    public Reply failure(HttpParser.Failure f) {
        HttpResponse res = HttpResponse.error(f)
                .header("Server", "EchoLab")
                .header("Date", HttpDate.now())
                .header("X-Echo-Model", config.model);
        return Reply.http(res, false, Duration.ZERO, Work.SLEEP);
    }

    /** The answer when the server will not take the connection (pool full, overflow=reject). */
    public static byte[] busy(String why) {
        return HttpResponse.text(503, "Service Unavailable", "503 Service Unavailable: " + why + "\n")
                .header("Retry-After", "1").close(true).encode(false);
    }

    /** Sent when a request began but did not arrive in time; the connection closes. */
    public static byte[] requestTimeout() {
        return HttpResponse.text(408, "Request Timeout", "408 Request Timeout: the request did not arrive in time\n")
                .close(true).encode(false);
    }

    private HttpResponse echo(HttpRequest req, Map<String, String> q) {
        String type = "text/plain; charset=utf-8";
        byte[] body;
        if (req.method().equals("POST")) {
            body = req.body();
            String t = req.header("Content-Type");
            type = t != null ? t : "application/octet-stream";
        } else {
            body = q.getOrDefault("msg", "").getBytes(StandardCharsets.UTF_8);
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
                throw new HttpError(400, "Bad Request", "size must be a whole number from 0 to " + MAX_SIZE);
            }
            body = Payload.of(body, n);
        }
        return new HttpResponse(200, "OK").header("Content-Type", type).body(body);
    }

    private HttpResponse page(HttpRequest req) {
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>EchoLab</title></head>
                <body style="font-family: sans-serif; max-width: 44em; margin: 2em auto">
                <h1>EchoLab wait-and-echo server</h1>
                <p>Model <b>%s</b>, default wait %s, longest wait %s. Every response names its model,
                worker (pid and thread) and request number in its X-Echo-* headers.</p>
                <ul>
                <li><code>GET /echo?msg=hi&amp;wait=250ms&amp;work=sleep|cpu&amp;size=N</code>: echoes msg
                (or N bytes starting with it) after the wait; the wait may also come in an
                <code>X-Echo-Wait</code> header</li>
                <li><code>POST /echo</code>: echoes the body with its Content-Type</li>
                <li><code>GET /health</code>: ok</li>
                <li><code>GET /stats</code>: JSON: model, uptime, requests, connections, threads</li>
                <li>TCP on the same port: each line comes back after the wait;
                <code>[wait=250ms work=cpu] text</code> sets one line's wait</li>
                </ul></body></html>
                """.formatted(config.model, Durations.format(config.defaultWait), Durations.format(config.maxWait));
        return new HttpResponse(200, "OK").header("Content-Type", "text/html; charset=utf-8")
                .body(html.getBytes(StandardCharsets.UTF_8));
    }

    public Map<String, Object> stats() {
        ServerState.Snapshot s = state.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.model);
        m.put("pid", PID);
        m.put("uptimeSeconds", (System.nanoTime() - startedNanos) / 1e9);
        m.put("state", state.name());
        m.put("requestsServed", s.served());
        m.put("requestNumbersIssued", s.requestNumbers());
        m.put("requestsInFlight", inFlight.get());
        m.put("requestsInFlightPeak", inFlightPeak.get());
        m.put("connectionsOpen", s.open());
        m.put("connectionsPeak", s.peak());
        m.put("clients", s.perClient().size());
        m.put("threads", java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
        m.putAll(modelStats.get());
        return m;
    }

    // ---- TCP lines ---------------------------------------------------------------------------

    /** The echo of one TCP line: {@code [wait=.. work=..] text} or plain text. */
    public Reply line(byte[] line) {
        begin();
        state.nextRequestNumber();
        Duration wait = config.defaultWait;
        Work work = Work.SLEEP;
        int start = 0;
        if (line.length > 0 && line[0] == '[') {
            int end = indexOf(line, (byte) ']');
            if (end < 0) {
                return errorLine("directive '[' without ']'; use e.g. [wait=250ms work=cpu] text");
            }
            String directive = new String(line, 1, end - 1, StandardCharsets.US_ASCII).strip();
            try {
                for (String part : directive.split("\\s+")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    String key = eq < 0 ? part : part.substring(0, eq);
                    String value = eq < 0 ? "" : part.substring(eq + 1);
                    switch (key) {
                        case "wait" -> wait = waitOf(value);
                        case "work" -> work = parseWork(value);
                        default -> throw new HttpError(400, "", "unknown directive '" + key + "'; use wait= and work=");
                    }
                }
            } catch (HttpError e) {
                return errorLine(e.getMessage());
            }
            start = end + 1;
            if (start < line.length && line[start] == ' ') {
                start++;
            }
        }
        byte[] out = new byte[line.length - start + 1];
        System.arraycopy(line, start, out, 0, line.length - start);
        out[out.length - 1] = '\n';
        return Reply.line(out, wait, work);
    }

    private static Reply errorLine(String why) {
        return Reply.line(("ERR " + why + "\n").getBytes(StandardCharsets.UTF_8), Duration.ZERO, Work.SLEEP);
    }

    /** The line sent before closing a TCP connection whose line did not end in time. */
    public static byte[] lineTimeout() {
        return "ERR line not complete within the header timeout; closing\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** The line sent before closing a TCP connection whose line was too long. */
    public static byte[] lineTooLong(int limit) {
        return ("ERR line longer than " + limit + " bytes; closing\n").getBytes(StandardCharsets.US_ASCII);
    }

    // ---- parameters --------------------------------------------------------------------------

    private static Map<String, String> query(HttpRequest req) {
        try {
            return Query.parse(req.rawQuery());
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "Bad Request", "malformed query: " + e.getMessage());
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
            throw new HttpError(400, "Bad Request", "bad wait: " + e.getMessage());
        }
        if (d.compareTo(config.maxWait) > 0) {
            throw new HttpError(400, "Bad Request", "wait " + value + " is above this server's --max-wait of "
                    + Durations.format(config.maxWait));
        }
        return d;
    }

    private static Work parseWork(String value) {
        try {
            return Work.parse(value);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "Bad Request", e.getMessage());
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** A request the service refuses, with its status. */
    private static final class HttpError extends RuntimeException {
        final int status;
        final String reason;

        HttpError(int status, String reason, String message) {
            super(message, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }

    /** The Date header, formatted once a second rather than once a request. */
    static final class HttpDate {
        private static final DateTimeFormatter FORMAT =
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
        private record Cached(long second, String text) {}
        private static volatile Cached cached = new Cached(-1, "");

        static String now() {
            long second = System.currentTimeMillis() / 1000;
            Cached c = cached;
            if (c.second() != second) {
                c = new Cached(second, FORMAT.format(ZonedDateTime.now(ZoneOffset.UTC)));
                cached = c;
            }
            return c.text();
        }
    }
}
