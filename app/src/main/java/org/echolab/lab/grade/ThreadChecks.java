package org.echolab.lab.grade;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;

/**
 * Grade item 2, a thread pool: the model runs in this JVM with {@code --threads 4 --queue 2}; the
 * X-Echo-Worker header of every answer names the thread that served it, which is how the grader
 * counts the pool's threads from outside.
 */
final class ThreadChecks {

    static final int THREADS = 4;
    static final int QUEUE = 2;

    /** How long a stop may take: the grace, the model's own patience, and margin. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(40);

    private ThreadChecks() {}

    static Section run(String model) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        ServerConfig config = ServerConfig.builder().model(model).port(0).threads(THREADS).queue(QUEUE)
                .grace(Duration.ofSeconds(3)).headerTimeout(Duration.ofSeconds(5)).idleTimeout(Duration.ofSeconds(10))
                .maxPerClient(0)            // every client of the checks comes from 127.0.0.1
                .build();
        EchoServer server;
        try {
            server = EchoServer.start(config);
        } catch (IOException | RuntimeException e) {
            checks.add(Check.fail("the server starts", e.toString(), "see the log above for where it failed"));
            return new Section("2. A thread pool", "src/lab/ThreadPool.java", checks, "");
        }
        Set<String> workers = new java.util.HashSet<>();
        try {
            Check echoes = echoes(server.port());
            checks.add(echoes);
            if (echoes.passed()) {
                checks.add(atOnce(server));
                checks.add(boundedThreads(server.port(), workers));
                checks.add(noneLost(server.port()));
            } else {
                for (String name : List.of("clients served at once", "a bounded number of threads",
                        "clients beyond the pool wait or are refused; none is lost")) {
                    checks.add(Check.skipped(name, "no echo came back"));
                }
            }
        } finally {
            checks.add(stopEndsWorkers(server, workers));
        }
        return new Section("2. A thread pool", "src/lab/ThreadPool.java", checks, "");
    }

    private static Check echoes(int port) {
        String name = "echoes right over real sockets";
        try (RawClient c = new RawClient(port)) {
            c.readTimeout(Clients.ANSWER_TIMEOUT_MILLIS);
            String first = c.send("GET /echo?msg=one HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().text();
            String second = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo").readResponse().text();
            return first.equals("one") && second.equals("two")
                    ? Check.pass(name, "GET then POST on one kept-alive connection, echoed byte for byte")
                    : Check.fail(name, "got '" + first + "' and '" + second + "'", "each connection runs lab.echo(client)");
        } catch (IOException e) {
            return Check.fail(name, "GET /echo: " + e.getMessage(),
                    "a connection was accepted but nothing served it: does a worker call lab.echo on every connection it takes?");
        }
    }

    private static Check atOnce(EchoServer server) throws InterruptedException {
        String name = "clients served at once";
        List<Clients.Outcome> outcomes = Clients.atOnce(server.port(), THREADS,
                i -> Clients.closingGet("/echo?msg=at-once-" + i + "&wait=1s"));
        long peak = ((Number) server.stats().get("requestsInFlightPeak")).longValue();
        if (Clients.answered(outcomes) < THREADS) {
            return Check.fail(name, Clients.answered(outcomes) + " of " + THREADS + " answered ("
                    + Clients.firstFailure(outcomes) + ")", "see the checks below");
        }
        return peak >= THREADS
                ? Check.pass(name, THREADS + " clients waiting 1 s each: " + peak + " requests in flight at once")
                : Check.fail(name, THREADS + " clients waiting 1 s each: at most " + peak + " in flight at once",
                "one client at a time: the accept thread serves each client itself. Hand each connection to"
                        + " the workers through the queue (TODO 4) and let them call lab.echo (TODO 5)");
    }

    private static Check boundedThreads(int port, Set<String> workers) throws InterruptedException {
        String name = "a bounded number of threads";
        int clients = 3 * THREADS;
        List<Clients.Outcome> outcomes = Clients.atOnce(port, clients,
                i -> Clients.closingGet("/echo?msg=bounded-" + i + "&wait=300ms"));
        Set<String> threads = outcomes.stream().filter(Clients.Outcome::ok).map(Clients.Outcome::thread)
                .collect(Collectors.toSet());
        workers.addAll(threads);
        if (threads.size() > THREADS) {
            return Check.fail(name, clients + " clients were served by " + threads.size() + " threads with --threads "
                    + THREADS, "a thread per connection is not a pool: start lab.threads() workers once, in run(),"
                    + " before the accept loop (TODO 3), and let only them serve");
        }
        return threads.size() >= 2
                ? Check.pass(name, clients + " clients served by " + threads.size() + " threads (--threads " + THREADS + ")")
                : Check.fail(name, clients + " clients were all served by one thread", "hand connections to the workers (TODO 4)");
    }

    private static Check noneLost(int port) throws InterruptedException {
        String name = "clients beyond the pool wait or are refused; none is lost";
        int clients = 3 * (THREADS + QUEUE);
        List<Clients.Outcome> outcomes = Clients.atOnce(port, clients,
                i -> Clients.closingGet("/echo?msg=beyond-" + i + "&wait=300ms"));
        Map<String, Long> by = new TreeMap<>();
        for (Clients.Outcome o : outcomes) {
            String key = o.response() != null ? Integer.toString(o.response().status()) : "no answer";
            by.merge(key, 1L, Long::sum);
        }
        long lost = outcomes.stream().filter(o -> o.response() == null || (o.response().status() != 200
                && o.response().status() != 503)).count();
        String saw = clients + " clients at once (" + (THREADS + QUEUE) + " threads + queue places): " + by;
        return lost == 0 ? Check.pass(name, saw)
                : Check.fail(name, saw + "; " + Clients.firstFailure(outcomes),
                "every accepted connection must end with an answer: served by a worker, or refused with"
                        + " lab.refuse(client, why); a connection dropped from the queue, or a worker that died, loses it");
    }

    private static Check stopEndsWorkers(EchoServer server, Set<String> workers) throws InterruptedException {
        String name = "stop ends every worker";
        if (!Clients.stopWithin(server, STOP_LIMIT)) {
            return Check.fail(name, "stop did not return within " + STOP_LIMIT.toSeconds() + " s",
                    "a worker waiting on an empty queue waits for ever: interrupt each worker, then join it (TODO 6)");
        }
        String problem = String.valueOf(server.stats().getOrDefault("stopProblem", ""));   // a lab model's own
        Thread.sleep(200);
        List<String> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && workers.contains(t.getName())).map(Thread::getName).sorted().toList();
        if (!problem.isEmpty() || !alive.isEmpty()) {
            return Check.fail(name, (problem.isEmpty() ? "" : problem + "; ")
                            + (alive.isEmpty() ? "" : "still running after stop: " + alive),
                    "stop() must end every worker: interrupt it (it may be waiting on the queue) and join it (TODO 6)");
        }
        return Check.pass(name, workers.isEmpty() ? "stop returned" : "stop returned; none of the workers "
                + new java.util.TreeSet<>(workers) + " is still running");
    }
}
