package org.echolab.lab.grade;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.echolab.server.EchoServer;

/**
 * The grader's clients: real TCP connections on 127.0.0.1, one request each unless said
 * otherwise, each bounded by a read timeout so that a server that never answers costs a few
 * seconds, not a hung grader.
 */
final class Clients {

    /** How long a check waits for an answer before it calls the request unanswered. */
    static final int ANSWER_TIMEOUT_MILLIS = 5_000;

    private static final Pattern WORKER = Pattern.compile("pid=(\\d+) thread=(.+)");

    /** One request's outcome: the response, or what went wrong instead. */
    record Outcome(RawClient.Response response, String failure) {
        boolean ok() {
            return response != null && response.status() == 200;
        }

        /** The X-Echo-Worker header's pid, or -1. */
        long pid() {
            Matcher m = worker();
            return m == null ? -1 : Long.parseLong(m.group(1));
        }

        /** The X-Echo-Worker header's thread name, or "". */
        String thread() {
            Matcher m = worker();
            return m == null ? "" : m.group(2);
        }

        private Matcher worker() {
            String w = response == null ? null : response.header("X-Echo-Worker");
            Matcher m = w == null ? null : WORKER.matcher(w);
            return m != null && m.matches() ? m : null;
        }
    }

    private Clients() {}

    /** A GET that closes its connection after the answer. */
    static String closingGet(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    }

    /**
     * How long a process-per-client server's answer may take: a child JVM starts first, which on a
     * busy machine takes seconds.
     */
    static final int CHILD_ANSWER_TIMEOUT_MILLIS = 20_000;

    /** One connection, one request: its outcome. */
    static Outcome once(int port, String request) {
        return once(port, request, ANSWER_TIMEOUT_MILLIS);
    }

    /** One connection, one request, answered within {@code timeoutMillis}: its outcome. */
    static Outcome once(int port, String request, int timeoutMillis) {
        try (RawClient c = new RawClient(port)) {
            c.readTimeout(timeoutMillis);
            return new Outcome(c.send(request).readResponse(), null);
        } catch (IOException e) {
            return new Outcome(
                    null,
                    e instanceof java.net.SocketTimeoutException
                            ? "no answer within " + timeoutMillis / 1000 + " s"
                            : e.getMessage());
        }
    }

    /** {@code n} clients at once, each on its own connection with its own request. */
    static List<Outcome> atOnce(int port, int n, IntFunction<String> request) throws InterruptedException {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String r = request.apply(i);
                futures.add(clients.submit(() -> once(port, r)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.add(new Outcome(null, e.getCause().toString()));
                }
            }
            return outcomes;
        }
    }

    /**
     * Clients that have each connected and sent their request, and wait: the grader looks at the
     * server meanwhile, then reads the answers (or closes them unread).
     */
    static final class Held implements AutoCloseable {
        private final List<RawClient> clients;

        private Held(List<RawClient> clients) {
            this.clients = clients;
        }

        /** One more client, connected, its request sent. */
        void add(int port, String request) throws IOException {
            RawClient c = new RawClient(port);
            clients.add(c);
            c.send(request);
        }

        int size() {
            return clients.size();
        }

        /** The clients' own ports, each naming one connection to the server. */
        Set<Integer> localPorts() {
            return clients.stream().map(RawClient::localPort).collect(Collectors.toUnmodifiableSet());
        }

        /** Every client's answer, read at once, each within {@code timeoutMillis}. */
        List<Outcome> answers(int timeoutMillis) throws InterruptedException {
            try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> futures = new ArrayList<>();
                for (RawClient c : clients) {
                    futures.add(readers.submit(() -> {
                        try {
                            c.readTimeout(timeoutMillis);
                            return new Outcome(c.readResponse(), null);
                        } catch (IOException e) {
                            return new Outcome(
                                    null,
                                    e instanceof java.net.SocketTimeoutException
                                            ? "no answer within " + timeoutMillis / 1000 + " s"
                                            : e.getMessage());
                        }
                    }));
                }
                List<Outcome> outcomes = new ArrayList<>();
                for (Future<Outcome> f : futures) {
                    try {
                        outcomes.add(f.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        outcomes.add(new Outcome(null, e.getCause().toString()));
                    }
                }
                return outcomes;
            }
        }

        /** Resets every connection, so that the server drops the requests it has not read yet instead of serving them. */
        @Override
        public void close() {
            for (RawClient c : clients) {
                try {
                    c.abort();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }
    }

    /** No client yet: {@link Held#add} adds them one by one. */
    static Held held() {
        return new Held(new ArrayList<>());
    }

    /** {@code n} clients, each connected with its request sent; they wait for their answers. */
    static Held hold(int port, int n, IntFunction<String> request) throws IOException {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RawClient c = new RawClient(port);
                clients.add(c);
                c.send(request.apply(i));
            }
            return new Held(clients);
        } catch (IOException e) {
            new Held(clients).close();
            throw e;
        }
    }

    /** Stops {@code server} (a 3 s grace) on a thread of its own; false if that did not end within {@code limit}. */
    static boolean stopWithin(EchoServer server, Duration limit) throws InterruptedException {
        Thread stopper = Thread.ofPlatform().name("grader-stop").start(() -> {
            try {
                server.stop(Duration.ofSeconds(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.join(limit.toMillis());
        return !stopper.isAlive();
    }

    /** How many outcomes got a 200. */
    static long answered(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::ok).count();
    }

    /** The first failure, in words, or "". */
    static String firstFailure(List<Outcome> outcomes) {
        return outcomes.stream()
                .filter(o -> !o.ok())
                .map(o -> o.failure() != null
                        ? o.failure()
                        : "status " + o.response().status())
                .findFirst()
                .orElse("");
    }
}
