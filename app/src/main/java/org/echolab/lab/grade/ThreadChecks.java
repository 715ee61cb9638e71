package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.echolab.monitor.AcceptQueue;

/**
 * Grade item 2, a thread pool. The model is served by a JVM of its own ({@link GradedServer}),
 * and the grader judges it by what the kernel shows, never by names: its threads and their CPU
 * from {@code /proc/PID/task}, the connections it holds from {@code /proc/PID/fd}, the requests
 * it is serving and the clients left in the backlog from the kernel's list of sockets (as
 * {@code ss} reads it), and what its log says when a thread dies. Graded with {@code --threads 4 --queue 2}, then again with
 * {@code --threads 2 --queue 0} (a hand-off: no place to wait in).
 *
 * <p>This class starts the servers and holds the checks that need no load (the echo, the stop);
 * {@link SpinChecks} looks for CPU burnt while waiting, {@link LoadChecks} holds clients against
 * the pool.
 *
 * <p><b>Threads:</b> one caller; the clients run on virtual threads of their own.
 */
final class ThreadChecks {

    static final int THREADS = 4;
    static final int QUEUE = 2;
    /** The other size graded: no queue at all, so each connection goes straight to an idle worker. */
    static final int HANDOFF_THREADS = 2;

    /** How long a stop may take: the grace, the model's own patience, and margin. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(40);

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
                    checks.add(SpinChecks.idle(server, idle));
                }
                if (only.selects(AT_ONCE)) {
                    checks.add(LoadChecks.atOnce(server, THREADS));
                }
                if (only.selectsAny(FULL)) {
                    LoadChecks.full(server, idle, THREADS, QUEUE).stream()
                            .filter(c -> only.selects(c.name()))
                            .forEach(checks::add);
                }
                if (only.selects(BURST_NAME)) {
                    checks.add(LoadChecks.burst(server, idle));
                }
                if (only.selects(NONE_LOST)) {
                    checks.add(LoadChecks.noneLost(server, THREADS, QUEUE));
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

    /** What the server looks like with no client: its model's threads, and their names. */
    record Baseline(int threads, Set<String> names) {
        static Baseline of(GradedServer server) {
            List<ServerProcfs.Task> t = poolThreads(server.pid());
            return new Baseline(
                    t.size(), t.stream().map(ServerProcfs.Task::name).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    /** The model's threads: not the JVM's own, nor EchoLab's, except the accept thread, which runs run(). */
    static List<ServerProcfs.Task> poolThreads(long pid) {
        return ServerProcfs.modelTasks(pid).stream()
                .filter(t -> !t.name().startsWith("echolab-") || t.name().equals("echolab-accept"))
                .toList();
    }

    static List<ServerProcfs.Task> workers(long pid) {
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
                parts.add(LoadChecks.atOnce(server, HANDOFF_THREADS));
                parts.addAll(LoadChecks.full(server, idle, HANDOFF_THREADS, 0));
                parts.add(LoadChecks.noneLost(server, HANDOFF_THREADS, 0));
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
    static void awaitSteady(GradedServer server) throws InterruptedException {
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
