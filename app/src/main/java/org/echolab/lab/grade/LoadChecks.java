package org.echolab.lab.grade;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Grade item 2's checks under load: clients served at once, a pool that stays bounded (threads,
 * accepted connections, CPU) while more clients wait than it has places, bursts of short
 * connections that an unsafe queue does not survive, and clients beyond the pool waiting or
 * refused, never lost. Each holds real clients against the graded server and reads the kernel's
 * view of it ({@link ServerProcfs}).
 *
 * <p><b>Threads:</b> one caller; the clients run on virtual threads of their own.
 */
final class LoadChecks {

    /** Short connections at once, and how many times: an unsafe queue rarely survives three bursts of 64. */
    private static final int BURST = 64;

    private static final int BURSTS = 3;

    /** How the hint of a round that saw one client at a time begins. */
    private static final String ONE_AT_A_TIME = "several workers served, but one at a time";

    private static final Pattern DIED = Pattern.compile("Exception in thread \"([^\"]+)\" (\\S+)");

    private LoadChecks() {}

    /**
     * {@code threads} clients arrive one after another, each while the earlier ones are still
     * being served; all of them must be in service together (seen in the kernel's list of sockets,
     * as {@code ss} shows it, not timed). A round that saw several workers serve but one at a time
     * may only have been slow: on a busy machine the next client can take longer than the wait to
     * reach a worker, and the earlier ones are answered and gone by then. So such a round is run
     * once more with a wait four times as long; a pool that serves one at a time fails that round
     * too.
     */
    static Check atOnce(GradedServer server, int threads) throws InterruptedException {
        Check first = atOnce(server, threads, Duration.ofMillis(1500));
        if (first.passed() || !first.hint().startsWith(ONE_AT_A_TIME)) {
            return first;
        }
        return atOnce(server, threads, Duration.ofSeconds(6));
    }

    private static Check atOnce(GradedServer server, int threads, Duration wait) throws InterruptedException {
        String name = ThreadChecks.AT_ONCE;
        int most = 0;
        List<Clients.Outcome> outcomes;
        try (Clients.Held held = Clients.held()) {
            for (int i = 0; i < threads; i++) {
                held.add(
                        server.port(),
                        Clients.closingGet("/echo?msg=at-once-" + i + "&wait=" + wait.toMillis() + "ms"));
                int want = i + 1;
                if (!ThreadChecks.await(
                        () -> ServerProcfs.inService(server.port(), threads) >= want, Duration.ofSeconds(5))) {
                    break; // the earlier ones block it: no point adding more
                }
            }
            most = steadilyInService(server.port(), threads);
            outcomes = held.answers(10_000 + (int) wait.toMillis() * threads);
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
        String saw = threads + " clients waiting " + seconds(wait) + " each, arriving one by one: " + most
                + " requests in service at once (as ss -tn shows them)," + " " + answered + " answered, by " + servedBy;
        if (most >= threads && answered == outcomes.size()) {
            return Check.pass(name, saw);
        }
        String hint;
        if (servedBy.equals(Set.of("echolab-accept"))) {
            hint = "the accept thread serves each client itself, one at a time: hand each connection to the workers"
                    + " through the queue (TODO 4) and let them call lab.echo (TODO 5)";
        } else if (most < outcomes.size() && ThreadChecks.workers(server.pid()).size() >= threads) {
            hint = ONE_AT_A_TIME + ": something they all hold while serving (a lock"
                    + " around lab.echo, or around the take and the echo together) makes them wait for each other;"
                    + " hold a lock only to take from the queue";
        } else if (answered < threads) {
            hint = Hints.noAnswer(server.log());
        } else {
            hint = "only " + ThreadChecks.workers(server.pid()).size() + " worker thread(s) for --threads " + threads
                    + ": start lab.threads() workers (TODO 3) and let each take from the queue";
        }
        return Check.fail(name, saw, hint);
    }

    /**
     * The requests in service once the count holds still: an established connection with nothing
     * unread also looks served while its request is still on its way (on a busy machine the kernel
     * may deliver it a little later), so a reading counts only when the next one, 50 ms on, agrees;
     * readings go on until all {@code threads} are steadily in service, for up to 5 s.
     */
    private static int steadilyInService(int port, int threads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int steady = 0;
        int last = ServerProcfs.inService(port, threads);
        while (steady < threads && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            int now = ServerProcfs.inService(port, threads);
            steady = Math.max(steady, Math.min(last, now));
            last = now;
        }
        return steady;
    }

    /** 1500 ms as "1.5 s", 6000 ms as "6 s". */
    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    /**
     * Holds more clients than the pool has threads and queue places, and looks at the server while
     * they wait: its threads, how many of those clients it holds accepted, its CPU. The
     * clients connect and send nothing: a worker that takes one waits for its request (until the
     * header timeout), so the pool stays full, and an accept thread that cannot place a connection
     * keeps trying, however late a busy machine gets to it (clients with requests were served and
     * gone). Which client the server accepted is read from the kernel's table of connections by
     * the clients' own ports, so nothing else the server holds open is counted.
     */
    static List<Check> full(GradedServer server, ThreadChecks.Baseline idle, int threads, int queue)
            throws InterruptedException {
        String threadsName = ThreadChecks.BOUNDED_THREADS;
        String boundName = ThreadChecks.BOUNDED_ACCEPT;
        String cpuName = ThreadChecks.FULL_CPU;
        int allowed = threads + queue + 1; // the accept thread may hold one it cannot place yet
        int clients = threads + queue + 8;
        List<Check> checks = new ArrayList<>();
        try (Clients.Held held = Clients.hold(server.port(), clients, i -> "")) {
            Set<Integer> ports = held.localPorts();
            // until the pool is full, or the accept thread has taken every client (held or refused)
            ThreadChecks.await(
                    () -> {
                        ServerProcfs.Stand now = ServerProcfs.stand(server.port(), ports);
                        return now.accepted() >= threads || now.backlog() == 0;
                    },
                    Duration.ofSeconds(10));
            ThreadChecks.awaitSteady(server);
            ServerProcfs.Stand at = steadyStand(server.port(), ports);
            List<ServerProcfs.Task> now = ThreadChecks.poolThreads(server.pid());
            SpinChecks.Window w = SpinChecks.Window.measure(server.pid());
            if (!server.alive()) { // a process that is gone has no threads, sockets or CPU: that is no pass
                for (String n : List.of(threadsName, boundName, cpuName)) {
                    checks.add(Check.fail(
                            n,
                            "the server ended while " + clients + " clients were held",
                            Hints.noAnswer(server.log())));
                }
                return checks;
            }

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

            String accSaw = at.accepted() + " of " + clients + " held clients accepted by the server"
                    + " (" + at.backlog() + " left in the kernel's backlog, " + at.closed()
                    + " closed by the server, as ss -tn shows them); --threads " + threads + " --queue " + queue
                    + " allows " + allowed;
            if (at.accepted() > allowed) {
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
            } else if (at.accepted() < threads && at.backlog() > 0) {
                // clients waited in the backlog while workers were free: the pool never filled, so
                // its bound was not tested (a pool that refuses the rest may hold fewer, and leaves none)
                checks.add(Check.fail(
                        boundName,
                        accSaw + ": fewer than the " + threads + " workers while clients waited in the backlog, so"
                                + " the pool never filled and its bound was not tested",
                        "every worker should hold a client of its own while the client is silent (lab.echo waits for"
                                + " its request), and the accept thread go on accepting while a worker or a queue place is"
                                + " free: see \"" + ThreadChecks.AT_ONCE + "\""));
            } else {
                checks.add(Check.pass(boundName, accSaw));
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
        // the held clients are closed: the workers read end of stream
        ThreadChecks.awaitServes(server);
        return checks;
    }

    /**
     * Where the held clients stand once two readings 50 ms apart agree (for up to 3 s): one reading
     * walks the kernel's list of sockets one bucket after another, so while the server accepts and
     * refuses it may see a connection accepted and, later in the walk, the next one too, after the
     * first was closed: more at once than there ever were.
     */
    private static ServerProcfs.Stand steadyStand(int port, Set<Integer> ports) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        ServerProcfs.Stand last = ServerProcfs.stand(port, ports);
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            ServerProcfs.Stand now = ServerProcfs.stand(port, ports);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /**
     * Dozens of short connections at once: an unsafe queue loses connections or kills workers
     * here. Then the server must still serve with as many workers as before.
     */
    static Check burst(GradedServer server, ThreadChecks.Baseline idle) throws InterruptedException {
        String name = ThreadChecks.BURST_NAME;
        int before = ThreadChecks.workers(server.pid()).size();
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
        ThreadChecks.await(() -> ThreadChecks.workers(server.pid()).size() >= before, Duration.ofSeconds(2));
        int after = ThreadChecks.workers(server.pid()).size();
        Clients.Outcome again = Clients.once(server.port(), Clients.closingGet("/echo?msg=after-burst"));
        Matcher died = DIED.matcher(server.log());
        List<String> deaths = new ArrayList<>();
        while (died.find()) {
            deaths.add(died.group(1) + " died of " + died.group(2));
        }
        String saw = clients + " clients in bursts of " + BURST + ": " + answered + " answered; workers " + before
                + " before, " + after
                + " after; then a new client " + (again.ok() ? "was served" : "got " + ThreadChecks.describe(again))
                + (deaths.isEmpty()
                        ? ""
                        : "; the log: " + String.join(", ", deaths.subList(0, Math.min(3, deaths.size()))));
        if (answered == clients && after >= before && again.ok() && deaths.isEmpty()) {
            return Check.pass(name, saw);
        }
        String hint;
        String runThrew = Hints.runThrew(server.log());
        if (runThrew != null) {
            hint = runThrew;
        } else if (!deaths.isEmpty()) {
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
        String name = ThreadChecks.NONE_LOST;
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
        String runThrew = Hints.runThrew(server.log());
        String hint = runThrew != null
                ? runThrew
                : closed
                        ? "some connections were closed without an answer: a client you turn away must hear why,"
                                + " lab.refuse(client, why) sends it 503 and closes"
                        : silent
                                ? "some connections got no answer at all: a connection taken from the accept loop must be queued,"
                                        + " served or refused, never dropped (an ignored offer() that returned false loses it)"
                                : "every accepted connection must end with an answer: served by a worker, or refused with lab.refuse";
        return Check.fail(name, saw, hint);
    }
}
