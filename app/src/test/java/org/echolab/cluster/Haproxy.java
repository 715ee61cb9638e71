package org.echolab.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.echolab.testing.Tools;

/**
 * Debian's HAProxy in the foreground, with the configuration {@code scripts/cluster.sh config}
 * generates for the given servers (so these tests test the recipe the docs give). Its servers are
 * named i1, i2, ... in order; each request it forwards is one line of its log.
 */
final class Haproxy implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/haproxy");
    private static final Path SCRIPT = Path.of(System.getProperty("echolab.scripts", "../scripts"), "cluster.sh");

    /** A request's line, in the log-format of scripts/cluster.sh; %rc is "+N" after a redispatch. */
    private static final Pattern REQUEST =
            Pattern.compile("^\\S+ instances/(\\S+) (-?\\d+) (\\S+) retries=\\+?(\\d+) ");

    private final Process process;
    private final Path dir;
    private final int port;
    private final int statsPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Haproxy(Process process, Path dir, int port, int statsPort) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.statsPort = statsPort;
    }

    /** Skipped where it is missing, failed under CI=true ({@link Tools#require}). */
    static void require() {
        Tools.require(BINARY, "apt-get install haproxy");
    }

    /** Starts it in front of {@code servers} (host:port each) and waits until every one is UP. */
    static Haproxy start(List<String> servers, String checkInterval) throws IOException, InterruptedException {
        int port = Instance.freePort("127.0.0.1");
        int statsPort = Instance.freePort("127.0.0.1");
        Path dir = Files.createTempDirectory("echolab-haproxy-");
        Process config = new ProcessBuilder(
                        "bash",
                        SCRIPT.toString(),
                        "-p",
                        Integer.toString(port),
                        "-t",
                        Integer.toString(statsPort),
                        "-i",
                        checkInterval,
                        "-s",
                        String.join(",", servers),
                        "config")
                .redirectOutput(dir.resolve("haproxy.cfg").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!config.waitFor(30, TimeUnit.SECONDS) || config.exitValue() != 0) {
            throw new IOException(SCRIPT + " config failed");
        }
        Process p = new ProcessBuilder(
                        BINARY.toString(),
                        "-db",
                        "-f",
                        dir.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        Haproxy h = new Haproxy(p, dir, port, statsPort);
        for (int i = 1; i <= servers.size(); i++) {
            if (!h.awaitStatus(i, "UP", Duration.ofSeconds(30)) || !p.isAlive()) {
                String log = h.log();
                h.close();
                throw new IOException(
                        "HAProxy's server i" + i + " (" + servers.get(i - 1) + ") did not come UP; it said: " + log);
            }
        }
        return h;
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Server {@code i}'s state in HAProxy's stats: UP, DOWN, "UP 1/2" (failing), "DOWN 1/2" (recovering), ... */
    String status(int i) throws IOException, InterruptedException {
        return server(i).status();
    }

    /**
     * One server's counters from HAProxy's stats (its CSV columns stot, wredis, hrsp_*, status).
     *
     * @param sessions     requests HAProxy sent its way (counting those it then redispatched)
     * @param responses    responses it returned, any status
     * @param redispatched requests whose connection to it failed and that went to another server
     */
    record ServerStats(String status, long sessions, long responses, long redispatched) {
        /** Requests sent to it that got no response and were not redispatched: lost with it. */
        long lost() {
            return sessions - responses - redispatched;
        }
    }

    ServerStats server(int i) throws IOException, InterruptedException {
        List<String> lines = stats();
        List<String> header = List.of(lines.getFirst().substring(2).split(",")); // "# pxname,svname,..."
        for (String line : lines) {
            String[] f = line.split(",", -1);
            if (f.length > 17 && f[0].equals("instances") && f[1].equals("i" + i)) {
                long responses = 0;
                for (String column :
                        List.of("hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other")) {
                    responses += Long.parseLong(f[header.indexOf(column)]);
                }
                return new ServerStats(
                        f[header.indexOf("status")],
                        Long.parseLong(f[header.indexOf("stot")]),
                        responses,
                        Long.parseLong(f[header.indexOf("wredis")]));
            }
        }
        throw new IOException("no server i" + i + " in HAProxy's stats");
    }

    /** Waits until server {@code i} is in {@code state}; true if it got there within {@code limit}. */
    boolean awaitStatus(int i, String state, Duration limit) {
        try {
            Awaitility.await()
                    .atMost(limit)
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions() // not listening yet
                    .failFast("HAProxy ended", () -> !process.isAlive())
                    .until(() -> status(i).equals(state));
            return true;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            return false;
        }
    }

    private List<String> stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/;csv"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().lines().toList();
    }

    /** One line per forwarded request: {@code client backend/server status termination retries=N ...}. */
    record LogLine(String server, int status, String termination, int retries, String text) {}

    /** The requests HAProxy has logged so far (health checks and the stats page are not logged). */
    List<LogLine> requests() throws IOException {
        List<LogLine> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("haproxy.log"), StandardCharsets.UTF_8)) {
            Matcher m = REQUEST.matcher(line); // other lines: HAProxy's own warnings (a server going DOWN)
            if (m.find()) {
                out.add(new LogLine(
                        m.group(1), Integer.parseInt(m.group(2)), m.group(3), Integer.parseInt(m.group(4)), line));
            }
        }
        return out;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("haproxy.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (InputStream ignored = process.getInputStream()) {
            // closed with it
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
