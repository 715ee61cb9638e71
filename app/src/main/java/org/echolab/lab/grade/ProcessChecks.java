package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grade item 1, a process per client. The model is served by a JVM of its own
 * ({@link GradedServer}), so /proc shows about it what a C grader would see with {@code ps}:
 * its children and which of them are zombies, the sockets the parent still holds, and which
 * requests are being served (the kernel's list of sockets, as {@code ss}).
 *
 * <p><b>Threads:</b> one caller; the clients run on virtual threads of their own.
 */
final class ProcessChecks {

    private static final String FILE = "src/lab/ProcessPerClient.java";
    private static final String TITLE = "1. A process per client";
    private static final int AT_ONCE = 4;

    static final String STARTS = "the server starts";
    static final String ECHOES = "echoes right over real sockets";
    static final String DISTINCT = "a distinct process per connection";
    static final String SERVED_AT_ONCE = "clients served at once";
    static final String CLOSE_SEEN = "the client sees the close when its child is done";
    static final String NO_LEAK = "no descriptors left open in the parent";
    static final String REAPED = "children are reaped";
    static final String STOP = "stop with a request in flight leaves no child";
    /** The checks that need the server up and echoing, in the order they run. */
    private static final List<String> AFTER_ECHOES = List.of(DISTINCT, SERVED_AT_ONCE, CLOSE_SEEN, NO_LEAK, REAPED);
    /** Every check of this item, as {@code --only} matches them (the start is on the sheet only when it fails). */
    static final List<String> NAMES = java.util.stream.Stream.of(List.of(STARTS, ECHOES), AFTER_ECHOES, List.of(STOP))
            .flatMap(List::stream)
            .toList();

    private ProcessChecks() {}

    static Section run(String model, List<Path> classPath, Path logs) throws InterruptedException {
        return run(model, classPath, logs, Only.ALL);
    }

    /**
     * Runs the checks {@code only} selects, on one server, and the echo check before them (on the
     * sheet when selected, or when it fails, which is why the selected ones could not run).
     */
    static Section run(String model, List<Path> classPath, Path logs, Only only) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        if (!only.selectsAny(NAMES)) {
            return new Section(TITLE, FILE, checks, "");
        }
        Path log = logs.resolve("processes.log");
        GradedServer server;
        try {
            server = GradedServer.start(
                    model, List.of("--grace", "5s", "--header-timeout", "5s", "--idle-timeout", "10s"), classPath, log);
        } catch (IOException e) {
            checks.add(Check.fail(STARTS, e.getMessage(), Hints.startFailure(log)));
            return new Section(TITLE, FILE, checks, "");
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
                AFTER_ECHOES.stream()
                        .filter(only::selects)
                        .forEach(name -> checks.add(Check.skipped(name, "no echo came back")));
            } else {
                if (only.selects(DISTINCT)) {
                    checks.add(distinctProcesses(server));
                }
                if (only.selects(SERVED_AT_ONCE)) {
                    checks.add(atOnce(server));
                }
                if (only.selects(CLOSE_SEEN)) {
                    checks.add(closeSeen(server));
                }
                if (only.selects(NO_LEAK)) {
                    checks.add(noLeakedDescriptors(server));
                }
                if (only.selects(REAPED)) {
                    checks.add(reaped(server));
                }
            }
            if (only.selects(STOP)) {
                checks.add(stopInFlight(server));
            }
        }
        return new Section(TITLE, FILE, checks, "");
    }

    private static Check echoes(GradedServer server) {
        String name = ECHOES;
        int port = server.port();
        Clients.Outcome get = Clients.once(
                port, Clients.closingGet("/echo?msg=hello-process&wait=20ms"), Clients.CHILD_ANSWER_TIMEOUT_MILLIS);
        if (!get.ok()) {
            String log = server.log();
            return Check.fail(
                    name,
                    "GET /echo: " + ThreadChecks.describe(get),
                    log.contains("your run() failed")
                            ? Hints.noAnswer(log)
                            : "a connection was accepted but nothing answered it: start a child for each client with"
                                    + " lab.fork(client) (TODO 3)");
        }
        Clients.Outcome post = Clients.once(
                port,
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n" + "Connection: close\r\n\r\npost-body",
                Clients.CHILD_ANSWER_TIMEOUT_MILLIS);
        boolean ok = get.response().text().equals("hello-process")
                && post.ok()
                && post.response().text().equals("post-body");
        return ok
                ? Check.pass(name, "GET and POST echoed byte for byte")
                : Check.fail(
                        name,
                        "GET gave '" + get.response().text() + "', POST: " + ThreadChecks.describe(post),
                        "the child runs the shared echo session; make sure each client reaches a child of its own");
    }

    private static Check distinctProcesses(GradedServer server) {
        String name = DISTINCT;
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            pids.add(Clients.once(
                            server.port(), Clients.closingGet("/echo?msg=p" + i), Clients.CHILD_ANSWER_TIMEOUT_MILLIS)
                    .pid());
        }
        if (pids.contains(server.pid())) {
            return Check.fail(
                    name,
                    "served by pid " + server.pid() + ", the server itself",
                    "the parent served the client: lab.fork(client) has a child do it");
        }
        return pids.size() == 3 && !pids.contains(-1L)
                ? Check.pass(name, "3 connections, 3 pids " + pids)
                : Check.fail(
                        name,
                        "3 connections were served by pids " + pids,
                        "each connection needs a child of its own: one lab.fork per accepted client");
    }

    /** Clients that wait together must have children alive together: counted among the server's children, not timed. */
    private static Check atOnce(GradedServer server) throws InterruptedException {
        String name = SERVED_AT_ONCE;
        int most = 0;
        List<Clients.Outcome> outcomes;
        try (Clients.Held held =
                Clients.hold(server.port(), AT_ONCE, i -> Clients.closingGet("/echo?msg=at-once-" + i + "&wait=2s"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (most < AT_ONCE && System.nanoTime() - deadline < 0) {
                int alive = (int) ServerProcfs.children(server.pid()).values().stream()
                        .filter(s -> s != 'Z')
                        .count();
                most = Math.max(most, alive);
                if (most < AT_ONCE) {
                    Thread.sleep(20);
                }
            }
            outcomes = held.answers(30_000);
        } catch (IOException e) {
            return Check.fail(name, "could not connect: " + e.getMessage(), "see the checks above");
        }
        long answered = Clients.answered(outcomes);
        String saw = AT_ONCE + " clients waiting 2 s each: at most " + most + " children alive at once, " + answered
                + " answered";
        if (most >= AT_ONCE && answered == AT_ONCE) {
            return Check.pass(name, saw);
        }
        return Check.fail(
                name,
                saw + (answered < AT_ONCE ? " (" + Clients.firstFailure(outcomes) + ")" : ""),
                most <= 1
                        ? "one child at a time: the accept loop waits for each child before it accepts the next"
                                + " (lab.waitForChild() in the accept loop?); lab.fork returns at once, go on accepting, and reap"
                                + " in a thread of its own"
                        : "every client needs its own child, started at once");
    }

    private static Check closeSeen(GradedServer server) {
        String name = CLOSE_SEEN;
        try (RawClient c = new RawClient(server.port())) {
            c.readTimeout(Clients.CHILD_ANSWER_TIMEOUT_MILLIS); // a child JVM starts first
            RawClient.Response r = c.send(Clients.closingGet("/echo?msg=bye")).readResponse();
            c.readTimeout(3_000);
            boolean closed = c.closedByServer();
            return closed && r.status() == 200
                    ? Check.pass(name, "answer, then end of stream")
                    : Check.fail(
                            name,
                            "answered, but the connection stayed open 3 s after the child was done",
                            "the parent still holds a copy of the connection: client.close() right after lab.fork(client)"
                                    + " (TODO 4; CS:APP: Close(connfd), \"important!\")");
        } catch (IOException e) {
            return Check.fail(name, e.getMessage(), "the client got no answer; see the checks above");
        }
    }

    private static Check noLeakedDescriptors(GradedServer server) throws InterruptedException {
        String name = NO_LEAK;
        long pid = server.pid();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            try (RawClient c = new RawClient(server.port())) {
                ports.add(c.localPort());
                c.readTimeout(Clients.CHILD_ANSWER_TIMEOUT_MILLIS);
                c.send(Clients.closingGet("/echo?msg=fd" + i)).readResponse();
            } catch (IOException e) {
                // an unanswered client is the echo checks' to report; its connection is counted here all the same
            }
        }
        // each connection's socket is found by its client's port, so nothing else the parent holds counts
        ThreadChecks.await(() -> ServerProcfs.heldBy(pid, server.port(), ports) == 0, Duration.ofSeconds(3));
        int kept = ServerProcfs.heldBy(pid, server.port(), ports);
        if (!server.alive()) { // a process that is gone holds nothing: that is no pass
            return Check.fail(
                    name, "the server ended before its descriptors could be read", Hints.noAnswer(server.log()));
        }
        return kept == 0
                ? Check.pass(name, "after 10 more connections the parent (pid " + pid + ") holds none of their sockets")
                : Check.fail(
                        name,
                        "after 10 more connections, all closed by their clients, the parent still holds " + kept
                                + " of their sockets (/proc/" + pid + "/fd, ss -tn)",
                        "close the parent's copy of each connection once the child has it: client.close() (TODO 4);"
                                + " a parent that never does runs out of descriptors");
    }

    /** How long one child may stay a zombie: a reaper takes each within moments, even on a busy machine. */
    private static final Duration ZOMBIE_LIMIT = Duration.ofSeconds(3);

    /**
     * Every child that exits is reaped: no child stays a zombie (state Z) for {@link
     * #ZOMBIE_LIMIT}. The same pid is followed: children of the checks before this one may still
     * be exiting, each a zombie for the moment before a reaper takes it, so "a zombie at some
     * instant" would fail a correct reaper on a busy machine; without a reaper the first zombie
     * stays until the parent ends.
     */
    private static Check reaped(GradedServer server) throws InterruptedException {
        String name = REAPED;
        Map<Long, Long> zombieSince = new HashMap<>(); // pid -> nanoTime it was first seen in state Z
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            long now = System.nanoTime();
            Set<Long> zombies = zombiePids(server);
            if (zombies.isEmpty()) {
                return Check.pass(name, "every child that exited was reaped: no zombie among the server's children");
            }
            zombieSince.keySet().retainAll(zombies);
            zombies.forEach(pid -> zombieSince.putIfAbsent(pid, now));
            List<Long> stayed = zombieSince.entrySet().stream()
                    .filter(e -> now - e.getValue() >= ZOMBIE_LIMIT.toNanos())
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
            if (!stayed.isEmpty() || now - deadline > 0) {
                return Check.fail(
                        name,
                        stayed.isEmpty()
                                ? "children kept turning into zombies for 20 s after the last client"
                                : stayed.size() + " children stayed zombies (state Z) for " + ZOMBIE_LIMIT.toSeconds()
                                        + " s after their client was done: pids " + stayed,
                        "a child that has exited stays a zombie until its parent reaps it: run a reaper thread that loops on"
                                + " lab.waitForChild() (TODO 1, 2, 5); it is Java's stand-in for CS:APP's SIGCHLD handler");
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM with a client mid-request: its child answers, then every child is reaped and the server ends. */
    private static Check stopInFlight(GradedServer server) throws InterruptedException {
        String name = STOP;
        Clients.Outcome answer = null;
        Map<Long, Character> children = Map.of();
        int exit;
        try (Clients.Held held =
                Clients.hold(server.port(), 1, i -> Clients.closingGet("/echo?msg=in-flight&wait=1500ms"))) {
            boolean inFlight =
                    ThreadChecks.await(() -> ServerProcfs.inService(server.port(), 1) >= 1, Duration.ofSeconds(20));
            children = ServerProcfs.children(server.pid());
            exit = server.stop(Duration.ofSeconds(40));
            answer = inFlight ? held.answers(20_000).getFirst() : null;
        } catch (IOException e) {
            exit = server.stop(Duration.ofSeconds(40));
        }
        String log = server.log();
        List<String> problems = new ArrayList<>();
        if (answer == null) {
            problems.add("no request was in service when the stop began");
        } else if (!answer.ok()) {
            problems.add("the client mid-request got " + ThreadChecks.describe(answer));
        }
        if (exit == -1) {
            problems.add("the server did not end within 40 s of SIGTERM");
        }
        for (String said : List.of(
                "not reaped after stop()",
                "did not return within",
                "your stop() failed",
                "still running after stop()")) {
            log.lines().filter(l -> l.contains(said)).findFirst().ifPresent(l -> problems.add("the log: " + l.strip()));
        }
        List<Long> left = children.keySet().stream()
                .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                .toList();
        if (!left.isEmpty()) {
            problems.add("children still running after the server ended: " + left);
        }
        if (problems.isEmpty()) {
            return Check.pass(
                    name,
                    "the client mid-request was answered; every child finished and was reaped (exit " + exit + ")");
        }
        return Check.fail(
                name,
                String.join("; ", problems),
                log.contains("not reaped after stop()") || (answer != null && !answer.ok())
                        ? "in stop(): lab.finishChildren() lets each child answer its request and exit; then join your"
                                + " reaper, which ends when lab.waitForChild() returns -1 (TODO 6)"
                        : "stop() must return: see TODO 6");
    }

    private static Set<Long> zombiePids(GradedServer server) {
        Set<Long> zombies = new HashSet<>();
        ServerProcfs.children(server.pid()).forEach((pid, state) -> {
            if (state == 'Z') {
                zombies.add(pid);
            }
        });
        return zombies;
    }
}
