package org.echolab.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.echolab.config.ServerConfig;
import org.echolab.process.Activity;
import org.echolab.process.Resources;

/**
 * One frame of the live view ({@code /live.json}, drawn by {@code /live} and {@code echolab watch}):
 * the clients queued in the kernel, the server's gauges, what each worker is doing now, the child
 * processes, and the requests of the last {@link #WINDOW} (who served each, when it began and
 * ended). Times are milliseconds before now, so the reader needs no clock of the server's.
 *
 * <p>Workers are the threads seen serving in the window (a {@code thread} or {@code virtual}
 * server has a new one per connection; an event loop's few each hold many requests): the busy
 * ones are listed, the idle ones only counted, so the ten serving threads of a pool of 64 are
 * what a reader sees. The timeline's rows are {@link Lanes}, at most {@value #MAX_LANES}: a row
 * per request that overlapped others, whatever the number of threads. Under
 * {@code process} and {@code prefork} the requests are served in child processes: each child
 * copies its requests to the tree's shared ring, which this process's {@link Activity} includes,
 * so the workers are the children's threads ({@code pid 4242 main}) and the frame also lists
 * every child (pid, age, CPU, what it is doing), so a JVM started per connection shows as a child
 * that lives as long as its connection and begins serving only once it has started.
 *
 * <p>Thread-safe; built on the monitor's thread, only when someone asks.
 */
final class LiveView {

    static final Duration WINDOW = Duration.ofSeconds(10);

    /** Rows at most, so that ten thousand clients make a long list, not a huge frame. */
    private static final int MAX_WORKERS = 64, MAX_REQUESTS = 600, MAX_CHILDREN = 64;

    /** The timeline's rows at most: requests that find them all busy are counted, not drawn. */
    static final int MAX_LANES = 16;

    private final ServerConfig config;
    private final Resources process;
    private final int port;

    LiveView(ServerConfig config, Resources process, int port) {
        this.config = config;
        this.process = process;
        this.port = port;
    }

    Map<String, Object> frame() {
        long now = System.nanoTime();
        Map<String, Object> stats = process.stats().figures();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.model);
        m.put("pid", ProcessHandle.current().pid());
        m.put("port", port);
        m.put("windowMs", WINDOW.toMillis());
        OptionalInt queued = AcceptQueue.length(port);
        m.put("acceptQueue", queued.isPresent() ? queued.getAsInt() : null);
        m.put("backlog", config.backlog);
        for (String figure :
                List.of("connectionsOpen", "requestsInFlight", "requestsServed", "refused", "refusedBy", "threads")) {
            m.put(figure, stats.get(figure));
        }
        m.put("stats", stats);

        List<Activity.Request> requests =
                new ArrayList<>(process.ledger().activity().since(now - WINDOW.toNanos()));
        requests.sort(Comparator.comparingLong(Activity.Request::beganNanos));
        workers(requests, now, m);
        timeline(requests.subList(Math.max(0, requests.size() - MAX_REQUESTS), requests.size()), now, m);
        m.put("requestsOmitted", Math.max(0, requests.size() - MAX_REQUESTS));
        m.put("children", children(requests, now));
        return m;
    }

    /**
     * Per worker thread: what it is doing now (its oldest request in flight), and its requests in
     * the window. The busy ones are listed ({@code workers}, at most {@value #MAX_WORKERS}, the
     * rest in {@code workersBusyOmitted}); the idle ones are counted ({@code workersIdle}).
     */
    private static void workers(List<Activity.Request> requests, long now, Map<String, Object> m) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Activity.Request r : requests) {
            Map<String, Object> w = byName.computeIfAbsent(r.worker(), name -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", name);
                row.put("pid", r.pid());
                row.put("threadState", r.threadState()); // TIMED_WAITING: asleep in a wait; null in a child
                row.put("inFlight", 0);
                row.put("served", 0);
                row.put("doing", "idle");
                return row;
            });
            count(w, r, now);
        }
        List<Map<String, Object>> busy = byName.values().stream()
                .filter(w -> (int) w.get("inFlight") > 0)
                .toList();
        List<Map<String, Object>> shown = busy.subList(0, Math.min(MAX_WORKERS, busy.size()));
        manyInFlight(shown); // an event loop: many requests, each waiting on a timer
        m.put("workers", shown);
        m.put("workersBusyOmitted", busy.size() - shown.size());
        m.put("workersIdle", byName.size() - busy.size());
    }

    /**
     * The requests of the window, each with its row ({@code lane}, null when every row was busy
     * as it began), the rows' labels ({@code lanes}: the worker when one served all of a row's
     * requests, else how many did), and how many requests have no row ({@code requestsWithoutLane}).
     */
    private static void timeline(List<Activity.Request> requests, long now, Map<String, Object> m) {
        int[] lane = Lanes.assign(
                requests.stream()
                        .map(r -> new Lanes.Span(r.beganNanos(), r.endedNanos()))
                        .toList(),
                MAX_LANES);
        List<Map<String, Object>> timeline = new ArrayList<>();
        List<Set<String>> workersOf = new ArrayList<>();
        int without = 0;
        for (int i = 0; i < requests.size(); i++) {
            Activity.Request r = requests.get(i);
            if (lane[i] == Lanes.NONE) {
                without++;
            } else {
                while (workersOf.size() <= lane[i]) {
                    workersOf.add(new LinkedHashSet<>());
                }
                workersOf.get(lane[i]).add(r.worker());
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("worker", r.worker());
            row.put("pid", r.pid());
            row.put("request", r.number());
            row.put("what", r.what());
            row.put("status", status(r.status()));
            row.put("waitMs", r.waitMillis());
            row.put("beganMsAgo", (now - r.beganNanos()) / 1_000_000);
            row.put("endedMsAgo", r.inFlight() ? null : (now - r.endedNanos()) / 1_000_000);
            row.put("lane", lane[i] == Lanes.NONE ? null : lane[i]);
            timeline.add(row);
        }
        m.put("requests", timeline);
        m.put(
                "lanes",
                workersOf.stream()
                        .map(w -> w.size() == 1 ? w.iterator().next() : w.size() + " workers")
                        .toList());
        m.put("requestsWithoutLane", without);
    }

    /** Counts {@code r} in row {@code w}: in flight (the first one sets what it is doing) or served. */
    private static void count(Map<String, Object> w, Activity.Request r, long now) {
        if (r.inFlight()) {
            int n = (int) w.get("inFlight");
            if (n == 0) {
                w.put(
                        "doing",
                        "request " + r.number() + " " + r.what()
                                + (r.waitMillis() > 0 ? " wait " + r.waitMillis() + " ms" : "") + ", "
                                + (now - r.beganNanos()) / 1_000_000 + " ms so far");
            }
            w.put("inFlight", n + 1);
        } else {
            w.put("served", (int) w.get("served") + 1);
        }
    }

    /** A row with several requests in flight says how many, and what the oldest is. */
    private static void manyInFlight(List<Map<String, Object>> rows) {
        for (Map<String, Object> w : rows) {
            int n = (int) w.get("inFlight");
            if (n > 1) {
                w.put("doing", n + " requests in flight (oldest: " + w.get("doing") + ")");
            }
        }
    }

    /**
     * This process's children that serve (process, prefork): pid, age, CPU so far, and what each is doing,
     * from its requests in the window: serving one, idle, or (none in the window) starting or
     * waiting for a client.
     */
    private List<Map<String, Object>> children(List<Activity.Request> requests, long now) {
        Instant wallNow = Instant.now();
        List<Map<String, Object>> rows = process.ledger()
                .activity()
                .servingChildren()
                .limit(MAX_CHILDREN)
                .map(p -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("pid", p.pid());
                    c.put(
                            "ageMs",
                            p.info()
                                    .startInstant()
                                    .map(s -> Duration.between(s, wallNow).toMillis())
                                    .orElse(null));
                    c.put(
                            "cpuMs",
                            p.info().totalCpuDuration().map(Duration::toMillis).orElse(null));
                    c.put("inFlight", 0);
                    c.put("served", 0);
                    c.put("doing", "no request in the window: starting, or waiting for a client");
                    return c;
                })
                .toList();
        Map<Long, Map<String, Object>> byPid = new HashMap<>();
        rows.forEach(c -> byPid.put((Long) c.get("pid"), c));
        for (Activity.Request r : requests) {
            Map<String, Object> c = byPid.get(r.pid());
            if (c != null) {
                if ((int) c.get("inFlight") == 0 && (int) c.get("served") == 0) {
                    c.put("doing", "idle");
                }
                count(c, r, now);
            }
        }
        manyInFlight(rows); // a prefork worker's threads
        return rows;
    }

    private static String status(int status) {
        return status == Activity.LINE_OK ? "line" : status == Activity.LINE_ERR ? "ERR" : Integer.toString(status);
    }
}
