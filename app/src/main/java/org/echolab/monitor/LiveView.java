package org.echolab.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.echolab.config.ServerConfig;
import org.echolab.session.Activity;
import org.echolab.session.EchoService;

/**
 * One frame of the live view ({@code /live.json}, drawn by {@code /live} and {@code echolab watch}):
 * the clients queued in the kernel, the server's gauges, what each worker is doing now, the child
 * processes, and the requests of the last {@link #WINDOW} (who served each, when it began and
 * ended). Times are milliseconds before now, so the reader needs no clock of the server's.
 *
 * <p>Workers are the threads seen serving in the window (a {@code thread} or {@code virtual}
 * server has a new one per connection; an event loop's few each hold many requests). Under
 * {@code process} and {@code prefork} the requests are served in child processes, whose own
 * timelines this process cannot see: the frame lists the children instead (pid, age, CPU), so a
 * JVM started per connection shows as a child that lives as long as its connection.
 *
 * <p>Thread-safe; built on the monitor's thread, only when someone asks.
 */
final class LiveView {

    static final Duration WINDOW = Duration.ofSeconds(10);

    /** Rows at most, so that ten thousand clients make a long list, not a huge frame. */
    private static final int MAX_WORKERS = 64, MAX_REQUESTS = 600, MAX_CHILDREN = 64;

    private final ServerConfig config;
    private final EchoService service;
    private final int port;

    LiveView(ServerConfig config, EchoService service, int port) {
        this.config = config;
        this.service = service;
        this.port = port;
    }

    Map<String, Object> frame() {
        long now = System.nanoTime();
        Map<String, Object> stats = service.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.model);
        m.put("pid", ProcessHandle.current().pid());
        m.put("port", port);
        m.put("windowMs", WINDOW.toMillis());
        OptionalInt queued = AcceptQueue.length(port);
        m.put("acceptQueue", queued.isPresent() ? queued.getAsInt() : null);
        m.put("backlog", config.backlog);
        for (String figure : List.of("connectionsOpen", "requestsInFlight", "requestsServed", "threads")) {
            m.put(figure, stats.get(figure));
        }
        m.put("stats", stats);

        List<Activity.Request> requests = service.activity().since(now - WINDOW.toNanos());
        m.put("workers", workers(requests, now));
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (Activity.Request r : requests.subList(Math.max(0, requests.size() - MAX_REQUESTS), requests.size())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("worker", name(r.worker()));
            row.put("request", r.number());
            row.put("what", r.what());
            row.put("status", status(r.status()));
            row.put("waitMs", r.waitMillis());
            row.put("beganMsAgo", (now - r.beganNanos()) / 1_000_000);
            row.put("endedMsAgo", r.inFlight() ? null : (now - r.endedNanos()) / 1_000_000);
            timeline.add(row);
        }
        m.put("requests", timeline);
        m.put("requestsOmitted", Math.max(0, requests.size() - MAX_REQUESTS));
        m.put("children", children());
        return m;
    }

    /** Per worker thread: what it is doing now (its oldest request in flight), and its requests in the window. */
    private static List<Map<String, Object>> workers(List<Activity.Request> requests, long now) {
        Map<Thread, Map<String, Object>> byThread = new IdentityHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Activity.Request r : requests) {
            Map<String, Object> w = byThread.get(r.worker());
            if (w == null) {
                if (rows.size() >= MAX_WORKERS) {
                    continue;
                }
                w = new LinkedHashMap<>();
                w.put("name", name(r.worker()));
                w.put("threadState", r.worker().getState().name());   // TIMED_WAITING: asleep in a wait
                w.put("inFlight", 0);
                w.put("served", 0);
                w.put("doing", "idle");
                byThread.put(r.worker(), w);
                rows.add(w);
            }
            if (r.inFlight()) {
                int n = (int) w.get("inFlight");
                if (n == 0) {
                    w.put("doing", "request " + r.number() + " " + r.what() + (r.waitMillis() > 0 ? " wait " + r.waitMillis() + " ms" : "")
                            + ", " + (now - r.beganNanos()) / 1_000_000 + " ms so far");
                }
                w.put("inFlight", n + 1);
            } else {
                w.put("served", (int) w.get("served") + 1);
            }
        }
        for (Map<String, Object> w : rows) {
            int n = (int) w.get("inFlight");
            if (n > 1) {                    // an event loop: many requests, each waiting on a timer
                w.put("doing", n + " requests in flight (oldest: " + w.get("doing") + ")");
            }
        }
        return rows;
    }

    /** This process's children (process, prefork): pid, age, CPU so far. */
    private static List<Map<String, Object>> children() {
        Instant now = Instant.now();
        return ProcessHandle.current().children().limit(MAX_CHILDREN).map(p -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("pid", p.pid());
            c.put("ageMs", p.info().startInstant().map(s -> Duration.between(s, now).toMillis()).orElse(null));
            c.put("cpuMs", p.info().totalCpuDuration().map(Duration::toMillis).orElse(null));
            return c;
        }).toList();
    }

    static String name(Thread t) {
        return t.getName().isEmpty() ? (t.isVirtual() ? "virtual-" : "thread-") + t.threadId() : t.getName();
    }

    private static String status(int status) {
        return status == Activity.LINE_OK ? "line" : status == Activity.LINE_ERR ? "ERR" : Integer.toString(status);
    }
}
