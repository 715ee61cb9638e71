package org.echolab.lab.grade;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.echolab.bench.ProcStats;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;

/**
 * Grade item 1, a process per client: the model runs in this JVM, its children are this JVM's
 * children, so /proc shows what a C grader would see with {@code ps}: distinct pids, zombies,
 * the parent's open descriptors.
 */
final class ProcessChecks {

    private static final long SELF = ProcessHandle.current().pid();

    /** How long a stop may take: the grace, the model's own patience, and margin. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(40);

    private ProcessChecks() {}

    static Section run(String model) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        ServerConfig config = ServerConfig.builder().model(model).port(0).grace(Duration.ofSeconds(3))
                .headerTimeout(Duration.ofSeconds(5)).idleTimeout(Duration.ofSeconds(10)).build();
        EchoServer server;
        try {
            server = EchoServer.start(config);
        } catch (IOException | RuntimeException e) {
            checks.add(Check.fail("the server starts", e.toString(), "see the log above for where it failed"));
            return new Section("1. A process per client", "src/lab/ProcessPerClient.java", checks, "");
        }
        int port = server.port();
        boolean served = false;
        try {
            Check echoes = echoes(port);
            checks.add(echoes);
            served = echoes.passed();
            if (!served) {
                for (String name : List.of("a distinct process per connection", "clients served at once",
                        "the client sees the close when its child is done", "no descriptors left open in the parent",
                        "children are reaped")) {
                    checks.add(Check.skipped(name, "no echo came back"));
                }
            } else {
                checks.add(distinctProcesses(port));
                checks.add(atOnce(server));
                checks.add(closeSeen(port));
                checks.add(noLeakedDescriptors(server, port));
                checks.add(reaped(server));
            }
        } finally {
            Check stop = stopLeavesNoChild(server);
            checks.add(served || !stop.passed() ? stop : Check.skipped(stop.name(), "no child was ever started"));
        }
        return new Section("1. A process per client", "src/lab/ProcessPerClient.java", checks, "");
    }

    private static Check echoes(int port) {
        String name = "echoes right over real sockets";
        Clients.Outcome get = Clients.once(port, Clients.closingGet("/echo?msg=hello-process&wait=20ms"));
        if (!get.ok()) {
            return Check.fail(name, "GET /echo: " + describe(get),
                    "a connection was accepted but nothing answered it: start a child for each client with"
                            + " lab.fork(client) (TODO 3)");
        }
        Clients.Outcome post = Clients.once(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n"
                + "Connection: close\r\n\r\npost-body");
        boolean ok = get.response().text().equals("hello-process") && post.ok() && post.response().text().equals("post-body");
        return ok ? Check.pass(name, "GET and POST echoed byte for byte")
                : Check.fail(name, "GET gave '" + get.response().text() + "', POST: " + describe(post),
                "the child runs the shared echo session; make sure each client reaches a child of its own");
    }

    private static Check distinctProcesses(int port) {
        String name = "a distinct process per connection";
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            pids.add(Clients.once(port, Clients.closingGet("/echo?msg=p" + i)).pid());
        }
        if (pids.contains(SELF)) {
            return Check.fail(name, "served by pid " + SELF + ", the server itself",
                    "the parent served the client: lab.fork(client) has a child do it");
        }
        return pids.size() == 3 && !pids.contains(-1L)
                ? Check.pass(name, "3 connections, 3 pids " + pids)
                : Check.fail(name, "3 connections were served by pids " + pids,
                "each connection needs a child of its own: one lab.fork per accepted client");
    }

    private static Check atOnce(EchoServer server) throws InterruptedException {
        String name = "clients served at once";
        List<Clients.Outcome> outcomes = Clients.atOnce(server.port(), 4,
                i -> Clients.closingGet("/echo?msg=at-once-" + i + "&wait=1500ms"));
        long peak = figure(server, "requestsInFlightPeak");
        if (Clients.answered(outcomes) < 4) {
            return Check.fail(name, Clients.answered(outcomes) + " of 4 answered (" + Clients.firstFailure(outcomes) + ")",
                    "every client needs its own child, started at once: does the accept loop wait for one?");
        }
        return peak >= 4 ? Check.pass(name, "4 clients waiting 1.5 s each: 4 requests in flight at once")
                : Check.fail(name, "4 clients waiting 1.5 s each: at most " + peak + " in flight at once",
                "the accept loop must not wait for a child to finish: lab.fork returns at once, go on accepting");
    }

    private static Check closeSeen(int port) {
        String name = "the client sees the close when its child is done";
        try (RawClient c = new RawClient(port)) {
            c.readTimeout(Clients.ANSWER_TIMEOUT_MILLIS);
            RawClient.Response r = c.send(Clients.closingGet("/echo?msg=bye")).readResponse();
            c.readTimeout(3_000);
            boolean closed = c.closedByServer();
            return closed && r.status() == 200 ? Check.pass(name, "answer, then end of stream")
                    : Check.fail(name, "answered, but the connection stayed open 3 s after the child was done",
                    "the parent still holds a copy of the connection: client.close() right after lab.fork(client)"
                            + " (TODO 4; CS:APP: Close(connfd), \"important!\")");
        } catch (IOException e) {
            return Check.fail(name, e.getMessage(), "the client got no answer; see the checks above");
        }
    }

    private static Check noLeakedDescriptors(EchoServer server, int port) throws InterruptedException {
        String name = "no descriptors left open in the parent";
        List<String> before = sockets();        // after the checks above, so the JVM's own lazily made sockets are counted
        for (int i = 0; i < 10; i++) {
            Clients.once(port, Clients.closingGet("/echo?msg=fd" + i));
        }
        long open = figure(server, "descriptorsOpenInParent");
        List<String> extra = extraSockets(before);
        for (int i = 0; i < 20 && (open > 0 || !extra.isEmpty()); i++) {
            Thread.sleep(100);
            open = figure(server, "descriptorsOpenInParent");
            extra = extraSockets(before);
        }
        return open == 0 && extra.isEmpty()
                ? Check.pass(name, "after 10 more connections the parent holds no client socket")
                : Check.fail(name, "after 10 more connections the parent still holds " + Math.max(open, extra.size())
                        + " client socket(s) (/proc/" + SELF + "/fd: " + extra + ")",
                "close the parent's copy of each connection once the child has it: client.close() (TODO 4);"
                        + " a parent that never does runs out of descriptors");
    }

    private static Check reaped(EchoServer server) throws InterruptedException {
        String name = "children are reaped";
        long zombies = zombies();
        long unreaped = figure(server, "children");
        for (int i = 0; i < 30 && (zombies > 0 || unreaped > 0); i++) {
            Thread.sleep(100);
            zombies = zombies();
            unreaped = figure(server, "children");
        }
        return zombies == 0 && unreaped == 0
                ? Check.pass(name, "every child that exited was reaped: no zombie among this JVM's children")
                : Check.fail(name, Math.max(zombies, unreaped) + " children are zombies (state Z) 3 s after their client was done",
                "a child that has exited stays a zombie until its parent reaps it: run a reaper thread that loops on"
                        + " lab.waitForChild() (TODO 1, 2, 5); it is Java's stand-in for CS:APP's SIGCHLD handler");
    }

    private static Check stopLeavesNoChild(EchoServer server) throws InterruptedException {
        String name = "stop leaves no child";
        try (RawClient idle = new RawClient(server.port())) {
            idle.readTimeout(Clients.ANSWER_TIMEOUT_MILLIS);
            idle.send("GET /echo?msg=idle HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();   // keep-alive: its child waits
        } catch (IOException e) {
            // no answer: the checks above say why; stopping still has to work
        }
        if (!Clients.stopWithin(server, STOP_LIMIT)) {
            return Check.fail(name, "stop did not return within " + STOP_LIMIT.toSeconds() + " s", "stop() must return: see TODO 6");
        }
        long left = figure(server, "childrenLeftAtStop");                 // a lab model's own count
        String problem = String.valueOf(server.stats().getOrDefault("stopProblem", ""));
        if (left > 0 || !problem.isEmpty()) {
            return Check.fail(name, (left > 0 ? left + " child(ren) still unreaped when stop() returned" : "") + problem,
                    "in stop(): lab.finishChildren(), then join your reaper, which ends when lab.waitForChild()"
                            + " returns -1 (TODO 6)");
        }
        Map<Long, Character> children = ProcStats.childrenOf(SELF);
        return children.isEmpty() ? Check.pass(name, "every child finished and was reaped")
                : Check.fail(name, "after stop this JVM still has children " + children, "see TODO 6");
    }

    private static long zombies() {
        return ProcStats.childrenOf(SELF).values().stream().filter(s -> s == 'Z').count();
    }

    private static List<String> sockets() {
        return ProcStats.descriptorsOf(SELF).stream().filter(fd -> fd.contains("socket:")).toList();
    }

    /** Sockets this JVM holds now that it did not hold {@code before}. */
    private static List<String> extraSockets(List<String> before) {
        return sockets().stream().filter(fd -> !before.contains(fd)).toList();
    }

    private static long figure(EchoServer server, String name) {
        Object v = server.stats().get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static String describe(Clients.Outcome o) {
        return o.failure() != null ? o.failure() : "status " + o.response().status();
    }
}
