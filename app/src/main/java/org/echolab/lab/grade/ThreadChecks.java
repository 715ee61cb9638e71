package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.echolab.monitor.AcceptQueue;

/**
 * Grade item 2, a thread pool. The model is served by a JVM of its own ({@link GradedServer}),
 * and the grader judges it by what the kernel shows, never by names: its threads and their CPU
 * from {@code /proc/PID/task}, the connections it holds from {@code /proc/PID/fd}, the requests
 * it is serving and the clients left in the backlog from {@code /proc/net/tcp}, and what its log
 * says when a thread dies. Graded with {@code --threads 4 --queue 2}, then again with
 * {@code --threads 2 --queue 0} (a hand-off: no place to wait in).
 *
 * <p><b>Threads:</b> one caller; the clients run on virtual threads of their own.
 */
final class ThreadChecks {

    static final int THREADS = 4;
    static final int QUEUE = 2;
    /** The other size graded: no queue at all, so each connection goes straight to an idle worker. */
    static final int HANDOFF_THREADS = 2;

    /** A model thread burning more than this, summed, with nothing to do, is spinning. */
    private static final double SPIN_CORES = 0.25;
    /** A model thread that wakes up more often than this a second with nothing to do is polling. */
    private static final double POLL_WAKEUPS = 40;
    /** How long a stop may take: the grace, the model's own patience, and margin. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(40);
    /** Short connections at once, and how many times: an unsafe queue rarely survives three bursts of 64. */
    private static final int BURST = 64;

    private static final int BURSTS = 3;
    private static final Pattern DIED = Pattern.compile("Exception in thread \"([^\"]+)\" (\\S+)");
    private static final String FILE = "src/lab/ThreadPool.java";
    private static final String TITLE = "2. A thread pool";

    static final String STARTS = "the server starts with --threads " + THREADS + " --queue " + QUEUE;
    static final String ECHOES = "echoes right over real sockets";
    static final String IDLE = "no CPU burnt while idle";
    static final String AT_ONCE = "clients served at once";
    static final String BOUNDED_THREADS = "a bounded number of threads";
    static final String BOUNDED_ACCEPT = "at most threads + queue connections accepted";
    static final String FULL_CPU = "no CPU burnt while the pool is full";
    static final String BURST_NAME = "a burst of clients: every one answered, every worker alive";
    static final String NONE_LOST = "clients beyond the pool wait or are refused; none is lost";
    static final String STOP = "stop with a request in flight";
    static final String HAND_OFF = "with --threads " + HANDOFF_THREADS + " --queue 0 (a hand-off)";
    /** The three checks made while the pool is full. */
    private static final List<String> FULL = List.of(BOUNDED_THREADS, BOUNDED_ACCEPT, FULL_CPU);
    /** The checks that need the main server up and echoing, between the echo and the stop, in the order they run. */
    private static final List<String> LOADS =
            List.of(IDLE, AT_ONCE, BOUNDED_THREADS, BOUNDED_ACCEPT, FULL_CPU, BURST_NAME, NONE_LOST);
    /** The checks made with {@code --threads 4 --queue 2}, on one server (the start is on the sheet only when it fails). */
    private static final List<String> ON_MAIN_SERVER = java.util.stream.Stream.of(
                    List.of(STARTS, ECHOES), LOADS, List.of(STOP))
            .flatMap(List::stream)
            .toList();
    /** Every check of this item, as {@code --only} matches them. */
    static final List<String> NAMES = java.util.stream.Stream.concat(
                    ON_MAIN_SERVER.stream(), java.util.stream.Stream.of(HAND_OFF))
            .toList();

    private ThreadChecks() {}

    static Section run(String model, List<Path> classPath, Path logs) throws InterruptedException {
        return run(model, classPath, logs, Only.ALL);
    }

    /**
     * Runs the checks {@code only} selects and what they stand on: a server starts only for a
     * check that needs one, and the echo check runs on it first (on the sheet when selected, or
     * when it fails, which is why the selected ones could not run).
     */
    static Section run(String model, List<Path> classPath, Path logs, Only only) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        // the hand-off size runs beside the main one: each server is a process of its own, measured alone,
        // and most of a check is waiting for clients
        java.util.concurrent.CompletableFuture<Check> handOff = new java.util.concurrent.CompletableFuture<>();
        if (only.selects(HAND_OFF)) {
            Thread.ofPlatform().name("grader-hand-off").start(() -> {
                try {
                    handOff.complete(handOff(model, classPath, logs));
                } catch (Throwable e) {
                    handOff.complete(Check.fail(HAND_OFF, e.toString(), ""));
                }
            });
        }
        if (only.selectsAny(ON_MAIN_SERVER)) {
            checks.addAll(onTheMainServer(model, classPath, logs, only));
        }
        if (only.selects(HAND_OFF)) {
            checks.add(handOff.join());
        }
        return new Section(TITLE, FILE, checks, "");
    }

    /** The checks made with {@code --threads 4 --queue 2}, those {@code only} selects, in one server's life. */
    private static List<Check> onTheMainServer(String model, List<Path> classPath, Path logs, Only only)
            throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        GradedServer server;
        try {
            server = GradedServer.start(model, args(THREADS, QUEUE), classPath, logs.resolve("threads-4-2.log"));
        } catch (IOException e) {
            checks.add(Check.fail(STARTS, e.getMessage(), Hints.startFailure(logs.resolve("threads-4-2.log"))));
            return checks;
        }
        if (only.partial() && only.selects(STARTS)) {
            checks.add(Check.pass(STARTS, "it listens on port " + server.port()));
        }
        try (server) {
            Check echoes = echoes(server);
            if (only.selects(ECHOES) || !echoes.passed()) {
                checks.add(echoes);
            }
            if (!echoes.passed()) {
                LOADS.stream()
                        .filter(only::selects)
                        .forEach(name -> checks.add(Check.skipped(name, "no echo came back")));
            } else if (only.selectsAny(LOADS)) {
                Baseline idle = Baseline.of(server);
                if (only.selects(IDLE)) {
                    checks.add(idle(server, idle));
                }
                if (only.selects(AT_ONCE)) {
                    checks.add(atOnce(server, THREADS));
                }
                if (only.selectsAny(FULL)) {
                    full(server, idle, THREADS, QUEUE).stream()
                            .filter(c -> only.selects(c.name()))
                            .forEach(checks::add);
                }
                if (only.selects(BURST_NAME)) {
                    checks.add(burst(server, idle));
                }
                if (only.selects(NONE_LOST)) {
                    checks.add(noneLost(server, THREADS, QUEUE));
                }
            }
            if (only.selects(STOP)) {
                checks.add(stopInFlight(server, STOP));
            }
        }
        return checks;
    }

    static List<String> args(int threads, int queue) {
        return List.of(
                "--threads",
                Integer.toString(threads),
                "--queue",
                Integer.toString(queue),
                "--grace",
                "5s",
                "--header-timeout",
                "5s",
                "--idle-timeout",
                "10s");
    }

    /** What the server looks like with no client: its model's threads and its sockets (the listening one). */
    private record Baseline(int threads, int sockets, Set<String> names) {
        static Baseline of(GradedServer server) {
            List<ServerProcfs.Task> t = poolThreads(server.pid());
            return new Baseline(
                    t.size(),
                    ServerProcfs.sockets(server.pid()),
                    t.stream().map(ServerProcfs.Task::name).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    /** The model's threads: not the JVM's own, nor EchoLab's, except the accept thread, which runs run(). */
    static List<ServerProcfs.Task> poolThreads(long pid) {
        return ServerProcfs.modelTasks(pid).stream()
                .filter(t -> !t.name().startsWith("echolab-") || t.name().equals("echolab-accept"))
                .toList();
    }

    private static List<ServerProcfs.Task> workers(long pid) {
        return poolThreads(pid).stream()
                .filter(t -> !t.name().equals("echolab-accept"))
                .toList();
    }

    private static Check echoes(GradedServer server) {
        String name = ECHOES;
        try (RawClient c = new RawClient(server.port())) {
            c.readTimeout(Clients.ANSWER_TIMEOUT_MILLIS);
            String first = c.send("GET /echo?msg=one HTTP/1.1\r\nHost: x\r\n\r\n")
                    .readResponse()
                    .text();
            String second = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo")
                    .readResponse()
                    .text();
            return first.equals("one") && second.equals("two")
                    ? Check.pass(name, "GET then POST on one kept-alive connection, echoed byte for byte")
                    : Check.fail(
                            name, "got '" + first + "' and '" + second + "'", "each connection runs lab.echo(client)");
        } catch (IOException e) {
            return Check.fail(name, "GET /echo: " + e.getMessage(), Hints.noAnswer(server.log()));
        }
    }

    /**
     * CPU, wake-ups and time runnable of the model's threads over one second. On a busy machine a
     * spinning thread gets little CPU, but the kernel shows it runnable (state R) whenever it looks;
     * a thread that waits properly sleeps (state S).
     */
    record Window(Map<String, Double> cores, Map<String, Double> wakeups, Map<String, Double> runnable) {
        private static final int LOOKS = 50;

        static Window measure(long pid) throws InterruptedException {
            List<ServerProcfs.Task> before = poolThreads(pid);
            long t0 = System.nanoTime();
            Map<String, Double> runnable = new java.util.TreeMap<>();
            for (int i = 0; i < LOOKS; i++) {
                Thread.sleep(1_000 / LOOKS);
                for (ServerProcfs.Task t : poolThreads(pid)) {
                    runnable.merge(t.name(), t.state() == 'R' ? 1.0 / LOOKS : 0.0, Double::sum);
                }
            }
            List<ServerProcfs.Task> after = poolThreads(pid);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Window(
                    ServerProcfs.coresByName(before, after, seconds),
                    ServerProcfs.wakeupsByName(before, after, seconds),
                    runnable);
        }

        /** Cores burnt, or where the machine gave a spinning thread little CPU, the share of it runnable. */
        double totalCores() {
            return Math.max(
                    cores.values().stream().mapToDouble(Double::doubleValue).sum(),
                    runnable.values().stream().mapToDouble(Double::doubleValue).sum());
        }

        private double busy(String thread) {
            return Math.max(cores.getOrDefault(thread, 0.0), runnable.getOrDefault(thread, 0.0));
        }

        double mostWakeups() {
            return wakeups.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .max()
                    .orElse(0);
        }

        String busiest(Map<String, Double> by, String unit) {
            return by.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(4)
                    .map(e -> String.format("%s %.2f%s", e.getKey(), e.getValue(), unit))
                    .collect(Collectors.joining(", "));
        }

        /** Empty if the window shows neither spinning nor polling; else what it shows, with a hint. */
        /**
         * Spinning: cores burnt, or one thread runnable most of the window (where the machine gave it
         * little CPU). Several threads each runnable now and then are waking up, not spinning.
         */
        boolean spinning() {
            return cores.values().stream().mapToDouble(Double::doubleValue).sum() > SPIN_CORES
                    || runnable.values().stream()
                                    .mapToDouble(Double::doubleValue)
                                    .max()
                                    .orElse(0)
                            > 0.5;
        }

        String[] problem(String when) {
            if (spinning()) {
                boolean acceptSpins = busy("echolab-accept") > SPIN_CORES / 2;
                String saw = String.format(
                        "%.2f cores busy %s (%s; runnable %s)",
                        totalCores(), when, busiest(cores, " cores"), busiest(runnable, ""));
                return new String[] {
                    saw,
                    acceptSpins
                            ? "the accept thread (your run()) loops without waiting: when the queue is full, block"
                                    + " (put(), or await() on a \"not full\" Condition) or refuse with lab.refuse; retrying offer() spins"
                            : "a worker loops on the queue without waiting for it: take() (or await() on a \"not empty\""
                                    + " Condition) sleeps until a connection arrives; a loop on isEmpty()/poll() burns a core"
                };
            }
            if (mostWakeups() > POLL_WAKEUPS) {
                String saw = String.format("threads woke up %s, %s", busiest(wakeups, "/s"), when);
                boolean accept = wakeups.getOrDefault("echolab-accept", 0.0) > POLL_WAKEUPS;
                return new String[] {
                    saw,
                    "a thread that sleeps and looks again (poll, then sleep) wakes up all the time"
                            + " for nothing, and a connection waits until it next looks: "
                            + (accept
                                    ? "the accept thread should block while the queue is full (put(), or await() on a \"not full\""
                                            + " Condition), or refuse the client with lab.refuse"
                                    : "wait on the queue instead (take(), or await() on a Condition), which wakes a thread only when"
                                            + " there is something to do")
                };
            }
            return new String[0];
        }
    }

    private static Check idle(GradedServer server, Baseline idle) throws InterruptedException {
        String name = IDLE;
        Window w = Window.measure(server.pid());
        String[] problem = w.problem("with no client at all");
        return problem.length == 0
                ? Check.pass(
                        name,
                        String.format(
                                "%.2f cores over 1 s with no client; %d threads of your model (%s)",
                                w.totalCores(), idle.threads(), idle.names()))
                : Check.fail(name, problem[0], problem[1]);
    }

    /**
     * {@code threads} clients arrive one after another, each while the earlier ones are still
     * being served; all of them must be in service together (seen in /proc/net/tcp, not timed).
     */
    static Check atOnce(GradedServer server, int threads) throws InterruptedException {
        String name = AT_ONCE;
        int most = 0;
        List<Clients.Outcome> outcomes;
        try (Clients.Held held = Clients.held()) {
            for (int i = 0; i < threads; i++) {
                held.add(server.port(), Clients.closingGet("/echo?msg=at-once-" + i + "&wait=1500ms"));
                int want = i + 1;
                if (!await(() -> ServerProcfs.inService(server.port(), threads) >= want, Duration.ofSeconds(5))) {
                    break; // the earlier ones block it: no point adding more
                }
            }
            most = ServerProcfs.inService(server.port(), threads);
            outcomes = held.answers(10_000);
        } catch (IOException e) {
            return Check.fail(name, "could not connect: " + e.getMessage(), Hints.noAnswer(server.log()));
        }
        if (outcomes.size() < threads) {
            most = Math.min(most, outcomes.size() - 1);
        }
        long answered = Clients.answered(outcomes);
        Set<String> servedBy = outcomes.stream()
                .filter(Clients.Outcome::ok)
                .map(Clients.Outcome::thread)
                .collect(Collectors.toCollection(TreeSet::new));
        String saw = threads + " clients waiting 1.5 s each, arriving one by one: " + most
                + " requests in service at once (/proc/net/tcp)," + " " + answered + " answered, by " + servedBy;
        if (most >= threads && answered == outcomes.size()) {
            return Check.pass(name, saw);
        }
        String hint;
        if (servedBy.equals(Set.of("echolab-accept"))) {
            hint = "the accept thread serves each client itself, one at a time: hand each connection to the workers"
                    + " through the queue (TODO 4) and let them call lab.echo (TODO 5)";
        } else if (most < outcomes.size() && workers(server.pid()).size() >= threads) {
            hint = "several workers served, but one at a time: something they all hold while serving (a lock"
                    + " around lab.echo, or around the take and the echo together) makes them wait for each other;"
                    + " hold a lock only to take from the queue";
        } else if (answered < threads) {
            hint = Hints.noAnswer(server.log());
        } else {
            hint = "only " + workers(server.pid()).size() + " worker thread(s) for --threads " + threads
                    + ": start lab.threads() workers (TODO 3) and let each take from the queue";
        }
        return Check.fail(name, saw, hint);
    }

    /**
     * Holds more clients than the pool has threads and queue places, and looks at the server while
     * they wait: its threads, the connections it accepted, its CPU.
     */
    static List<Check> full(GradedServer server, Baseline idle, int threads, int queue) throws InterruptedException {
        String threadsName = BOUNDED_THREADS;
        String boundName = BOUNDED_ACCEPT;
        String cpuName = FULL_CPU;
        int allowed = threads + queue + 1; // the accept thread may hold one it cannot place yet
        int clients = threads + queue + 8;
        List<Check> checks = new ArrayList<>();
        try (Clients.Held held =
                Clients.hold(server.port(), clients, i -> Clients.closingGet("/echo?msg=full-" + i + "&wait=2s"))) {
            await(() -> ServerProcfs.inService(server.port(), clients) >= threads, Duration.ofSeconds(10));
            awaitSteady(server);
            List<ServerProcfs.Task> now = poolThreads(server.pid());
            int accepted = ServerProcfs.sockets(server.pid()) - idle.sockets();
            int backlog = AcceptQueue.length(server.port()).orElse(-1);
            Window w = Window.measure(server.pid());

            long distinctNames =
                    now.stream().map(ServerProcfs.Task::name).distinct().count();
            String saw = now.size() + " threads of your model while " + clients + " clients were held ("
                    + idle.threads() + " with none), --threads " + threads;
            if (now.size() <= threads + 1) {
                checks.add(Check.pass(threadsName, saw));
            } else {
                String alike = distinctNames < now.size()
                        ? "; only " + distinctNames
                                + " distinct names among them: threads named alike are still distinct threads"
                        : "";
                checks.add(Check.fail(
                        threadsName,
                        saw + alike,
                        "a thread per connection is not a pool: start lab.threads() workers once, in run(), before"
                                + " the accept loop (TODO 3), and let only them serve" + alike));
            }

            String accSaw = accepted + " of " + clients + " held clients accepted by the server (/proc/" + server.pid()
                    + "/fd), " + (backlog >= 0 ? backlog + " left in the kernel's backlog" : "backlog unknown")
                    + "; --threads " + threads + " --queue " + queue + " allows " + allowed;
            if (accepted <= allowed) {
                checks.add(Check.pass(boundName, accSaw));
            } else {
                boolean executors = now.stream().anyMatch(t -> t.name().matches("pool-\\d+-thread-.*"));
                checks.add(
                        Check.fail(
                                boundName,
                                accSaw,
                                executors
                                        ? "Executors.newFixedThreadPool queues without a bound (a LinkedBlockingQueue): lab.queue() is"
                                                + " ignored and the server takes every client however overloaded; keep your own queue of lab.queue() places"
                                        : now.size() > threads + 1
                                                ? "each connection got a thread of its own, so none waits; see the check above"
                                                : "your queue holds more than lab.queue() connections: give it that bound (new"
                                                        + " ArrayBlockingQueue<>(lab.queue()), not new LinkedBlockingQueue<>()), then wait or refuse when it is full"));
            }

            String[] problem = w.problem("while the pool was full and clients waited");
            checks.add(
                    problem.length == 0
                            ? Check.pass(
                                    cpuName,
                                    String.format(
                                            "%.2f cores while the pool was full and %d clients waited",
                                            w.totalCores(), clients - threads))
                            : Check.fail(cpuName, problem[0], problem[1]));
        } catch (IOException e) {
            for (String n : List.of(threadsName, boundName, cpuName)) {
                checks.add(Check.fail(n, "could not hold clients: " + e.getMessage(), Hints.noAnswer(server.log())));
            }
        }
        // the held clients are closed: the workers finish their 2 s waits, then read end of stream from the rest
        awaitServes(server);
        return checks;
    }

    /**
     * Dozens of short connections at once: an unsafe queue loses connections or kills workers
     * here. Then the server must still serve with as many workers as before.
     */
    private static Check burst(GradedServer server, Baseline idle) throws InterruptedException {
        String name = BURST_NAME;
        int before = workers(server.pid()).size();
        int clients = 0;
        long answered = 0;
        boolean lostByClose = false;
        for (int burst = 0;
                burst < BURSTS && answered == clients && !server.log().contains("Exception in thread");
                burst++) {
            List<Clients.Outcome> outcomes =
                    Clients.atOnce(server.port(), BURST, i -> Clients.closingGet("/echo?msg=burst-" + i));
            lostByClose |= outcomes.stream().anyMatch(ThreadChecks::closedUnanswered);
            clients += BURST;
            answered += outcomes.stream()
                    .filter(o -> o.response() != null
                            && (o.response().status() == 200 || o.response().status() == 503))
                    .count();
        }
        await(() -> workers(server.pid()).size() >= before, Duration.ofSeconds(2));
        int after = workers(server.pid()).size();
        Clients.Outcome again = Clients.once(server.port(), Clients.closingGet("/echo?msg=after-burst"));
        Matcher died = DIED.matcher(server.log());
        List<String> deaths = new ArrayList<>();
        while (died.find()) {
            deaths.add(died.group(1) + " died of " + died.group(2));
        }
        String saw = clients + " clients in bursts of " + BURST + ": " + answered + " answered; workers " + before
                + " before, " + after
                + " after; then a new client " + (again.ok() ? "was served" : "got " + describe(again))
                + (deaths.isEmpty()
                        ? ""
                        : "; the log: " + String.join(", ", deaths.subList(0, Math.min(3, deaths.size()))));
        if (answered == clients && after >= before && again.ok() && deaths.isEmpty()) {
            return Check.pass(name, saw);
        }
        String hint;
        if (!deaths.isEmpty()) {
            hint = "a worker died of an exception thrown by the queue: it is not safe for several threads at once"
                    + " (two workers both saw it non-empty, and both took). Guard every use of it with one lock,"
                    + " and wait on Conditions, or use an ArrayBlockingQueue";
        } else if (lostByClose) {
            hint = "connections were closed without an answer: a client you turn away must hear why,"
                    + " lab.refuse(client, why) sends it 503 and closes";
        } else if (after < before) {
            hint = "workers ended during the burst; a worker must loop until stop() ends it";
        } else {
            hint = "connections were lost in the burst: with an unsafe queue two workers can take the same connection"
                    + " while another is never taken; guard the queue with one lock, or use an ArrayBlockingQueue";
        }
        return Check.fail(name, saw, hint);
    }

    static Check noneLost(GradedServer server, int threads, int queue) throws InterruptedException {
        String name = NONE_LOST;
        int clients = 3 * (threads + queue) + 2;
        List<Clients.Outcome> outcomes = Clients.atOnce(
                server.port(), clients, i -> Clients.closingGet("/echo?msg=beyond-" + i + "&wait=300ms"));
        Map<String, Long> by = new TreeMap<>();
        for (Clients.Outcome o : outcomes) {
            by.merge(o.response() != null ? Integer.toString(o.response().status()) : o.failure(), 1L, Long::sum);
        }
        long lost = outcomes.stream()
                .filter(o -> o.response() == null
                        || (o.response().status() != 200 && o.response().status() != 503))
                .count();
        String saw = clients + " clients at once (" + (threads + queue) + " threads + queue places): " + by;
        if (lost == 0) {
            return Check.pass(name, saw);
        }
        boolean closed = outcomes.stream().anyMatch(ThreadChecks::closedUnanswered);
        boolean silent = outcomes.stream()
                .anyMatch(o -> o.response() == null
                        && o.failure() != null
                        && o.failure().startsWith("no answer"));
        String hint = closed
                ? "some connections were closed without an answer: a client you turn away must hear why,"
                        + " lab.refuse(client, why) sends it 503 and closes"
                : silent
                        ? "some connections got no answer at all: a connection taken from the accept loop must be queued,"
                                + " served or refused, never dropped (an ignored offer() that returned false loses it)"
                        : "every accepted connection must end with an answer: served by a worker, or refused with lab.refuse";
        return Check.fail(name, saw, hint);
    }

    /** A request in flight when the server is told to stop: it is answered, and then nothing is left running. */
    static Check stopInFlight(GradedServer server, String name) throws InterruptedException {
        Clients.Outcome answer = null;
        int exit;
        try (Clients.Held held =
                Clients.hold(server.port(), 1, i -> Clients.closingGet("/echo?msg=in-flight&wait=1s"))) {
            boolean inFlight = await(() -> ServerProcfs.inService(server.port(), 1) >= 1, Duration.ofSeconds(10));
            exit = server.stop(STOP_LIMIT);
            answer = inFlight ? held.answers(20_000).getFirst() : null;
        } catch (IOException e) {
            exit = server.stop(STOP_LIMIT);
        }
        String log = server.log();
        List<String> problems = new ArrayList<>();
        if (answer == null) {
            problems.add("no request was in service when the stop began");
        } else if (!answer.ok()) {
            problems.add("the request in flight got " + describe(answer));
        }
        if (exit == -1) {
            problems.add("the server did not end within " + STOP_LIMIT.toSeconds() + " s of SIGTERM");
        }
        for (String said : List.of(
                "still running after stop()",
                "did not return within",
                "your stop() failed",
                "not reaped after stop()")) {
            log.lines().filter(l -> l.contains(said)).findFirst().ifPresent(l -> problems.add("the log: " + l.strip()));
        }
        if (problems.isEmpty()) {
            return Check.pass(name, "the request in flight was answered, then the server ended (exit " + exit + ")");
        }
        String hint = log.contains("still running after stop()")
                ? "stop() must end every worker: interrupt it (it may be waiting on the queue) and join it (TODO 6)"
                : log.contains("did not return within")
                        ? "stop() (or run()) did not return: a worker waiting on the queue waits for ever until interrupted;"
                                + " interrupt each worker, then join it (TODO 6)"
                        : "a request already being served must be answered before the server ends: end workers only"
                                + " once EchoLab has drained (it calls stop() after run() has returned)";
        return Check.fail(name, String.join("; ", problems), hint);
    }

    /** The same pool with no queue: each connection goes straight to an idle worker, or waits in the backlog. */
    static Check handOff(String model, List<Path> classPath, Path logs) throws InterruptedException {
        String name = HAND_OFF;
        Path log = logs.resolve("threads-2-0.log");
        GradedServer server;
        try {
            server = GradedServer.start(model, args(HANDOFF_THREADS, 0), classPath, log);
        } catch (IOException e) {
            String hint = GradedServer.firstError(log).contains("IllegalArgumentException")
                            && server0(log).contains("ArrayBlockingQueue")
                    ? "new ArrayBlockingQueue<>(0) throws IllegalArgumentException: a queue needs at least one place."
                            + " With lab.queue() == 0, hand each connection straight to a waiting worker (a SynchronousQueue)"
                    : Hints.startFailure(log);
            return Check.fail(name, "the server did not start: " + e.getMessage(), hint);
        }
        try (server) {
            List<Check> parts = new ArrayList<>();
            Check echoes = echoes(server);
            parts.add(echoes);
            if (echoes.passed()) {
                Baseline idle = Baseline.of(server);
                parts.add(atOnce(server, HANDOFF_THREADS));
                parts.addAll(full(server, idle, HANDOFF_THREADS, 0));
                parts.add(noneLost(server, HANDOFF_THREADS, 0));
            }
            parts.add(stopInFlight(server, STOP));
            return parts.stream()
                    .filter(c -> !c.passed())
                    .findFirst()
                    .map(c -> Check.fail(name, c.name() + ": " + c.saw(), c.hint()))
                    .orElse(Check.pass(
                            name,
                            "served, " + HANDOFF_THREADS + " at once, at most " + (HANDOFF_THREADS + 1)
                                    + " accepted, none lost, stopped cleanly"));
        }
    }

    private static String server0(Path log) {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the server's threads, sockets and backlog hold still for half a second (at most 5 s). */
    private static void awaitSteady(GradedServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String last = "";
        int same = 0;
        while (same < 10 && System.nanoTime() - deadline < 0) {
            OptionalInt backlog = AcceptQueue.length(server.port());
            String now = poolThreads(server.pid()).size() + "/" + ServerProcfs.sockets(server.pid()) + "/" + backlog;
            same = now.equals(last) ? same + 1 : 0;
            last = now;
            Thread.sleep(50);
        }
    }

    /** Waits (at most 10 s) until a new client is served again. */
    static void awaitServes(GradedServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() - deadline < 0
                && server.alive()
                && !Clients.once(server.port(), Clients.closingGet("/echo?msg=ready"))
                        .ok()) {
            Thread.sleep(100);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code limit} passes; whether it held. */
    static boolean await(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The server closed (or reset) the connection without a response. */
    static boolean closedUnanswered(Clients.Outcome o) {
        return o.response() == null
                && o.failure() != null
                && (o.failure().contains("closed before a response")
                        || o.failure().toLowerCase(java.util.Locale.ROOT).contains("reset"));
    }

    static String describe(Clients.Outcome o) {
        return o.failure() != null ? o.failure() : "status " + o.response().status();
    }
}
