package org.echolab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rolling restart of {@code HaproxyClusterIT} with nginx as the balancer. Open-source nginx
 * has no active health checks, so it cannot see {@code /health/ready} fail: it goes on sending
 * to an instance until the instance stops accepting, then passes each refused or dropped GET on
 * to the next server ({@code proxy_next_upstream error}). Nothing is lost either way.
 */
class NginxClusterIT {

    @Test
    @Timeout(300)
    void aRollingRestartUnderLoadLosesNoRequest() throws Exception {
        Nginx.require();
        int n = 3;
        List<String> servers = new ArrayList<>();
        List<Instance> all = new ArrayList<>();
        Instance[] instances = new Instance[n + 1];
        List<Set<Long>> before = new ArrayList<>(), after = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                // an address of its own (HaproxyClusterIT's addresses say why)
                String address = "127.0.2." + (10 + i);
                Instance.Started<Instance> started = Instance.onAFreePort(address, port -> start(address + ":" + port));
                servers.add(address + ":" + started.port());
                instances[i] = started.instance();
                all.add(instances[i]);
            }
            try (Nginx nginx = Nginx.start(servers)) {
                AtomicReference<LoadResult> result = new AtomicReference<>();
                Thread load = Thread.ofPlatform().start(() -> {
                    try {
                        result.set(LoadGenerator.run(
                                LoadSpec.builder(nginx.url("/echo"))
                                        .connections(12)
                                        .serverWait(Duration.ofMillis(20))
                                        .timeout(Duration.ofSeconds(10))
                                        .duration(Duration.ofMinutes(4))
                                        .threads(2)
                                        .build(),
                                null));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                for (String server : servers) { // every instance serves the load before the restarts
                    await().atMost(Duration.ofSeconds(60)).until(() -> nginx.servedBy(server) >= 4);
                }
                for (int i = 1; i <= n; i++) {
                    before.add(instances[i].pids());
                    instances[i].terminate();
                    assertThat(instances[i].awaitExit(60))
                            .as("instance %d drained and exited 0", i)
                            .isZero();
                    instances[i] = start(servers.get(i - 1));
                    all.add(instances[i]);
                    after.add(instances[i].pids());
                    // nginx tries a failed server again after fail_timeout (2 s): the new instance serves
                    String server = servers.get(i - 1);
                    long byOld = nginx.servedBy(server);
                    await().atMost(Duration.ofSeconds(60)).until(() -> nginx.servedBy(server) >= byOld + 4);
                }
                load.interrupt();
                load.join(30_000);
                LoadResult r = result.get();

                Map<Long, Long> byPid = new HashMap<>();
                r.workers()
                        .forEach((worker, count) -> byPid.merge(
                                Long.parseLong(worker.substring("pid=".length(), worker.indexOf(' '))),
                                count,
                                Long::sum));
                System.out.printf(
                        "rolling restart of %d instances behind nginx: %d requests verified, %d failed, %d passed on"
                                + " to another server by nginx%n",
                        n, r.requests(), r.errors(), nginx.retried());
                assertThat(r.errorsByKind()).as("no request failed").isEmpty();
                for (int i = 0; i < n; i++) {
                    assertThat(before.get(i).stream()
                                    .mapToLong(p -> byPid.getOrDefault(p, 0L))
                                    .sum())
                            .as("instance %d served before its restart", i + 1)
                            .isPositive();
                    assertThat(after.get(i).stream()
                                    .mapToLong(p -> byPid.getOrDefault(p, 0L))
                                    .sum())
                            .as("instance %d served after its restart", i + 1)
                            .isPositive();
                }
            }
        } finally {
            for (Instance i : all) {
                i.close();
            }
        }
    }

    /** Starts an instance on host:port and waits until it is ready. */
    private static Instance start(String server) throws Exception {
        String[] hp = server.split(":");
        Instance instance = Instance.start(
                "--bind", hp[0], "--port", hp[1], "--model", "virtual", "--drain-delay", "1s", "--grace", "10s");
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 100; i++) {
                try {
                    if (http.send(
                                            HttpRequest.newBuilder(URI.create("http://" + server + "/health/ready"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return instance;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("instance " + server + " not ready after 10 s: " + instance.log());
    }
}
