package org.echolab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three EchoLab instances (real processes) behind a real HAProxy, configured as
 * {@code scripts/cluster.sh} configures it: health checks on {@code /health/ready} every 200 ms,
 * out after 2 failures, retries with redispatch on connection failure. A steady load, every echo
 * verified, runs through it while instances are restarted or killed.
 */
class HaproxyClusterIT {

    private static final int INSTANCES = 3;

    @BeforeEach
    void haproxyIsThere() {
        Haproxy.require();
    }

    /**
     * Instance i (from 1) listens on 127.0.1.(10+i) (scripts/cluster.sh uses 127.0.0.(10+i)): an
     * address no other test binds, so that while an instance restarts no other socket can take its
     * port there (the abuse tests' slow clients bind to 127.0.0.1-20 with ports the kernel picks,
     * and NginxClusterIT, which may run at the same time, has 127.0.2.x).
     */
    private static String address(int i) {
        return "127.0.1." + (10 + i);
    }

    /** Runs the load on a thread of its own until {@link #stop}; the result then. */
    private static final class Load {
        private final AtomicReference<LoadResult> result = new AtomicReference<>();
        private final Thread thread;

        Load(LoadSpec spec) {
            thread = Thread.ofPlatform().name("test-load").start(() -> {
                try {
                    result.set(LoadGenerator.run(spec, null));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        LoadResult stop() throws InterruptedException {
            thread.interrupt(); // ends the run; the result covers what completed
            thread.join(30_000);
            assertThat(result.get()).as("the load ran").isNotNull();
            return result.get();
        }
    }

    /** Verified responses by instance, from the X-Echo-Worker pid of each (old and new processes apart). */
    private static Map<Long, Long> byPid(LoadResult r) {
        Map<Long, Long> m = new HashMap<>();
        r.workers().forEach((worker, n) -> {
            long pid = Long.parseLong(worker.substring("pid=".length(), worker.indexOf(' ')));
            m.merge(pid, n, Long::sum);
        });
        return m;
    }

    private static long servedBy(Map<Long, Long> byPid, Set<Long> pids) {
        return pids.stream().mapToLong(p -> byPid.getOrDefault(p, 0L)).sum();
    }

    @Test
    @Timeout(300)
    void aRollingRestartUnderLoadLosesNoRequest() throws Exception {
        // three models side by side: the balancer neither knows nor cares
        String[][] models = {{"--model", "virtual"}, {"--model", "eventloop"}, {"--model", "prefork", "--workers", "2"}
        };
        int[] ports = new int[INSTANCES + 1];
        Instance[] instances = new Instance[INSTANCES + 1];
        List<String> servers = new ArrayList<>();
        List<Instance> all = new ArrayList<>();
        List<Set<Long>> pidsOf = new ArrayList<>(); // [2i-2]: instance i before, [2i-1]: after
        try {
            for (int i = 1; i <= INSTANCES; i++) {
                int at = i;
                Instance.Started<Instance> started =
                        Instance.onAFreePort(address(i), port -> start(at, port, models[at - 1]));
                ports[i] = started.port();
                instances[i] = started.instance();
                all.add(instances[i]);
                servers.add(address(i) + ":" + ports[i]);
            }
            try (Haproxy haproxy = Haproxy.start(servers, "200ms")) {
                Load load = new Load(LoadSpec.builder(haproxy.url("/echo"))
                        .connections(12)
                        .serverWait(Duration.ofMillis(20))
                        .timeout(Duration.ofSeconds(10))
                        .duration(Duration.ofMinutes(4))
                        .threads(2)
                        .build());
                await().atMost(Duration.ofSeconds(60)) // every instance serves the load before the restarts
                        .until(() -> IntStream.rangeClosed(1, INSTANCES).allMatch(i -> responses(haproxy, i) >= 4));
                StringBuilder timeline = new StringBuilder();
                for (int i = 1; i <= INSTANCES; i++) {
                    Instance old = instances[i];
                    pidsOf.add(old.pids());
                    long t0 = System.nanoTime();
                    old.terminate(); // SIGTERM
                    boolean outWhileServing = haproxy.awaitStatus(i, "DOWN", Duration.ofSeconds(10)) && old.alive();
                    assertThat(outWhileServing)
                            .as("instance %d was taken out of rotation during its drain delay", i)
                            .isTrue();
                    long out = System.nanoTime();
                    assertThat(old.awaitExit(60))
                            .as("instance %d exits 0 after draining: %s", i, old.log())
                            .isZero();
                    long exited = System.nanoTime();
                    instances[i] = start(i, ports[i], models[i - 1]);
                    all.add(instances[i]);
                    assertThat(haproxy.awaitStatus(i, "UP", Duration.ofSeconds(30)))
                            .as("instance %d back in rotation", i)
                            .isTrue();
                    pidsOf.add(instances[i].pids());
                    timeline.append(String.format(
                            "  instance %d: out of rotation %.1f s after SIGTERM, exited at %.1f s, back at %.1f s%n",
                            i, (out - t0) / 1e9, (exited - t0) / 1e9, (System.nanoTime() - t0) / 1e9));
                }
                long[] restarted = IntStream.rangeClosed(1, INSTANCES)
                        .mapToLong(i -> responses(haproxy, i))
                        .toArray();
                await().atMost(Duration.ofSeconds(60)) // every restarted instance serves the load
                        .until(() -> IntStream.rangeClosed(1, INSTANCES)
                                .allMatch(i -> responses(haproxy, i) >= restarted[i - 1] + 4));
                LoadResult r = load.stop();

                Map<Long, Long> byPid = byPid(r);
                StringBuilder spread = new StringBuilder();
                for (int i = 1; i <= INSTANCES; i++) {
                    long before = servedBy(byPid, pidsOf.get(2 * i - 2));
                    long after = servedBy(byPid, pidsOf.get(2 * i - 1));
                    spread.append(String.format(
                            "  instance %d (%s): %d before its restart, %d after%n",
                            i, models[i - 1][1], before, after));
                    assertThat(before)
                            .as("instance %d served before its restart", i)
                            .isPositive();
                    assertThat(after)
                            .as("instance %d served after its restart", i)
                            .isPositive();
                }
                System.out.printf(
                        "rolling restart of %d instances behind HAProxy: %d requests verified, %d failed%n%s%s",
                        INSTANCES, r.requests(), r.errors(), timeline, spread);
                if (r.errors() > 0) {
                    System.out.println("HAProxy's log of the failed requests:\n" + failures(haproxy));
                }
                assertThat(r.errorsByKind()).as("no request failed").isEmpty();
                assertThat(r.requests()).isPositive();
            }
        } finally {
            for (Instance i : all) {
                i.close();
            }
        }
    }

    /**
     * SIGKILL of one instance under load. The requests in flight on it are lost, and only those:
     * the load generator's count of failures must equal HAProxy's count of requests lost on the
     * dead server, and nothing else may fail. How HAProxy tells the client depends on the client's
     * connection: on a fresh one it answers 502 (and logs it); on a kept-alive one that has served
     * a request already it closes the connection without an answer or a log line, as the server
     * itself would have done, so that the client may retry (haproxy/haproxy#3414). Its stats
     * still count those: sent to the server, neither answered nor redispatched.
     */
    @ParameterizedTest(name = "connection per request: {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(300)
    void aKilledInstanceLosesOnlyTheRequestsInFlightOnIt(boolean connectPerRequest) throws Exception {
        List<String> servers = new ArrayList<>();
        List<Instance> instances = new ArrayList<>();
        try {
            for (int i = 1; i <= INSTANCES; i++) {
                int at = i;
                Instance.Started<Instance> started =
                        Instance.onAFreePort(address(i), port -> start(at, port, "--model", "virtual"));
                instances.add(started.instance());
                servers.add(address(i) + ":" + started.port());
            }
            try (Haproxy haproxy = Haproxy.start(servers, "200ms")) {
                int connections = 12;
                Load load = new Load(LoadSpec.builder(haproxy.url("/echo"))
                        .connections(connections)
                        .connectPerRequest(connectPerRequest)
                        .serverWait(Duration.ofMillis(300))
                        .timeout(Duration.ofSeconds(10))
                        .duration(Duration.ofMinutes(4))
                        .threads(2)
                        .build());
                await().atMost(Duration.ofSeconds(30)) // every instance busy, answering
                        .until(() -> IntStream.rangeClosed(1, INSTANCES).allMatch(i -> responses(haproxy, i) >= 4));
                Instance victim = instances.get(INSTANCES - 1);
                victim.kill(); // SIGKILL: no drain
                assertThat(victim.awaitExit(10)).isEqualTo(137);
                int loggedBeforeKill = haproxy.requests().size();
                assertThat(haproxy.awaitStatus(INSTANCES, "DOWN", Duration.ofSeconds(10)))
                        .as("HAProxy noticed")
                        .isTrue();
                long[] before = IntStream.rangeClosed(1, INSTANCES - 1)
                        .mapToLong(i -> responses(haproxy, i))
                        .toArray();
                await().atMost(Duration.ofSeconds(30)) // the load goes on over the other two
                        .until(() -> IntStream.rangeClosed(1, INSTANCES - 1)
                                .allMatch(i -> responses(haproxy, i) >= before[i - 1] + 4));
                Haproxy.ServerStats dead = haproxy.server(INSTANCES);
                LoadResult r = load.stop();
                long answered = r.statuses().values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
                await().atMost(Duration.ofSeconds(30)) // HAProxy logs every answer it gave, the last ones too
                        .until(() -> haproxy.requests().size() >= answered);

                List<Haproxy.LogLine> log = haproxy.requests();
                String deadName = "i" + INSTANCES;
                long logged5xx = log.stream()
                        .filter(l -> l.server().equals(deadName) && l.status() >= 500)
                        .count();
                long logged5xxElsewhere = log.stream()
                        .filter(l -> !l.server().equals(deadName) && l.status() >= 500)
                        .count();
                List<Haproxy.LogLine> after = log.subList(Math.min(loggedBeforeKill, log.size()), log.size());
                long servedAfter = after.stream()
                        .filter(l -> l.status() == 200 && !l.server().equals(deadName))
                        .count();
                long redispatched = after.stream()
                        .filter(l -> l.status() == 200 && l.retries() > 0)
                        .count();
                long lost = connectPerRequest ? logged5xx : dead.lost();
                System.out.printf(
                        "SIGKILL of instance %d (pid %d) under %d %s connections: the load generator counted %d failed"
                                + " requests %s; HAProxy counted %d lost on %s (%s); after the kill %d requests were served"
                                + " by the other two, %d of them after a redispatch away from %s%n",
                        INSTANCES,
                        victim.pid(),
                        connections,
                        connectPerRequest ? "one-request" : "kept-alive",
                        r.errors(),
                        r.errorsByKind(),
                        lost,
                        deadName,
                        connectPerRequest ? "502s in its log" : "in its stats: " + dead,
                        servedAfter,
                        redispatched,
                        deadName);

                assertThat(lost).as("there were requests in flight on it").isBetween(1L, (long) connections);
                if (connectPerRequest) {
                    assertThat(r.errorsByKind())
                            .as("the client saw exactly the requests lost on %s, and no other failure", deadName)
                            .isEqualTo(Map.of("status-502", lost));
                } else {
                    // a kept-alive request lost on it ends its client connection, or (when HAProxy had
                    // not yet begun the response) gets a 502 on it: either way one failure per lost request
                    assertThat(r.errorsByKind().keySet())
                            .as("the client saw only closes and 502s")
                            .isSubsetOf("closed", "status-502");
                    assertThat(r.errorsByKind().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum())
                            .as("the client saw exactly the requests lost on %s, and no other failure", deadName)
                            .isEqualTo(lost);
                }
                assertThat(logged5xxElsewhere)
                        .as("no request failed on the other instances")
                        .isZero();
                assertThat(servedAfter).as("HAProxy routed around it").isPositive();
            }
        } finally {
            for (Instance i : instances) {
                i.close();
            }
        }
    }

    private static Instance start(int i, int port, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(
                "--bind", address(i), "--port", Integer.toString(port), "--drain-delay", "1500ms", "--grace", "10s"));
        a.addAll(List.of(args));
        return Instance.start(a.toArray(String[]::new));
    }

    private static String failures(Haproxy haproxy) throws Exception {
        return String.join(
                "\n",
                haproxy.requests().stream()
                        .filter(l -> l.status() != 200)
                        .map(Haproxy.LogLine::text)
                        .toList());
    }

    /** Responses HAProxy counted from instance {@code i}. */
    private static long responses(Haproxy haproxy, int i) {
        try {
            return haproxy.server(i).responses();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
