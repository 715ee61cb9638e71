package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code scripts/perf-check.sh} run the shortest way (one round of one second, nginx and nginx
 * with EchoLab's headers ({@code -H}), two models, one of them with other flags ({@code -J}) and
 * from another build ({@code -B}, here the same jar), the selector floor ({@code -F}, in wrk's
 * table only), on the packaged jar): the one-core table, once per client, in the shape
 * docs/performance.md shows, with each server's ratio to nginx round by round,
 * the CPU table with its answer sizes and its WAITED line, each server's JVM flags, and nothing it
 * started left running; bad options refused with exit 2, naming what was typed. It checks shapes
 * and sizes, never speed.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PerfCheckIT {

    private static final Path SCRIPT = Path.of(System.getProperty("echolab.scripts", "../scripts"), "perf-check.sh");

    /**
     * The longest a run may take: six servers (nginx twice and four JVMs) started, warmed and
     * measured by wrk and by echolab load, each a JVM started on one core: about 50 s on an idle
     * machine; the class took 180 s with both cores busy with other load ({@code stress-ng --cpu 2}
     * beside the whole suite), its refusals a few seconds each.
     */
    private static final Duration LIMIT = Duration.ofMinutes(5);

    /** What the script printed, and its exit status. */
    private record Run(int status, String out, String err) {}

    private static Run perfCheck(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ECHOLAB_JAR", System.getProperty("echolab.jar"));
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroy(); // SIGTERM: the script stops the servers it started
            p.waitFor(20, TimeUnit.SECONDS);
            throw new AssertionError("perf-check.sh " + String.join(" ", options) + " did not end within "
                    + LIMIT.toSeconds() + " s: " + err.getNow(""));
        }
        try {
            return new Run(p.exitValue(), out.get(20, TimeUnit.SECONDS), err.get(20, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "perf-check.sh ended, but something it started still holds its output open: " + leftovers());
        }
    }

    /** The command lines of processes that run from a perf-check folder: none once the script ended. */
    private static List<String> leftovers() {
        return ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains("/tmp/perf-check."))
                .toList();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static final String SPREAD = "[0-9][0-9.,]* \\([0-9][0-9.,]*-[0-9][0-9.,]*\\) *";
    /** The ratio to nginx: of the medians, then round by round, median (min-max). */
    private static final String RATIOS =
            "[0-9]+\\.[0-9]{2} +\\| [0-9]+\\.[0-9]{3} \\([0-9]+\\.[0-9]{3}-[0-9]+\\.[0-9]{3}\\) +";

    private static final Pattern HEADER = Pattern.compile("\\| server +\\| req/s median \\(min-max\\) +\\| ratio +"
            + "\\| × nginx by round +\\| p99 ms median \\(min-max\\) +\\|");
    private static final Pattern NGINX = Pattern.compile("\\| nginx, 1 worker +\\| " + SPREAD
            + "\\| 1\\.00 +\\| 1\\.000 \\(1\\.000-1\\.000\\) +\\| " + SPREAD + "\\|");
    private static final Pattern NGINX_HEADERS =
            Pattern.compile("\\| nginx, EchoLab's headers +\\| " + SPREAD + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    private static final Pattern EVENTLOOP =
            Pattern.compile("\\| eventloop +\\| " + SPREAD + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    private static final Pattern VARIANT = Pattern.compile(
            "\\| eventloop -XX:\\+UseSerialGC +\\| " + SPREAD + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    private static final Pattern BUILD =
            Pattern.compile("\\| eventloop, " + Pattern.quote(System.getProperty("echolab.jar")) + " +\\| " + SPREAD
                    + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    private static final Pattern SEQUENTIAL =
            Pattern.compile("\\| sequential +\\| " + SPREAD + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    /** A busy row's two ratios to nginx: of the medians (group 1), and by round (group 2). */
    private static final Pattern RATIO_CELLS =
            Pattern.compile("\\| ([0-9]+\\.[0-9]{2}) +\\| ([0-9]+\\.[0-9]{3}) \\([0-9.]+-[0-9.]+\\) +\\|");

    private static final Pattern FLOOR =
            Pattern.compile("\\| floor selector +\\| " + SPREAD + "\\| " + RATIOS + "\\| " + SPREAD + "\\|");
    private static final String CPU_TABLE = "CPU in the wrk rounds, as a share of one core";
    /** A row of the CPU table: server, server CPU %, wrk CPU %, µs per request, ratio, answer bytes. */
    private static final Pattern CPU_ROW = Pattern.compile("\\| (.+?) +\\| ([0-9.]+) \\([0-9.]+-[0-9.]+\\) +\\| "
            + SPREAD + "\\| " + SPREAD + "\\| ([0-9]+\\.[0-9]{2}) +\\| ([0-9]+) +\\|");

    /**
     * The least {@code -H}'s nginx adds to nginx's answer: EchoLab's Content-Type parameter and
     * headers (a pid and a request count of one digit each), less the version its Server header
     * no longer names (at most 10 characters: "/1.22.1"). Any one of them missing takes it below.
     */
    private static final int HEADERS_ADDED = Stream.of(
                            "; charset=utf-8",
                            "Access-Control-Allow-Origin: *\r\n",
                            "Access-Control-Allow-Credentials: true\r\n",
                            "X-Echo-Model: nginx\r\n",
                            "X-Echo-Worker: pid=1\r\n",
                            "X-Echo-Request: 1\r\n",
                            "X-Content-Type-Options: nosniff\r\n")
                    .mapToInt(String::length)
                    .sum()
            - 10;

    @Test
    void busyPrintsTheOneCoreTableOncePerClient() throws Exception {
        Tools.require(Path.of("/usr/bin/wrk"), "apt-get install wrk");
        Tools.require(Path.of("/usr/sbin/nginx"), Nginx.INSTALL);
        Tools.require(Path.of("/usr/bin/taskset"), "apt-get install util-linux");
        Assumptions.assumeTrue(
                Runtime.getRuntime().availableProcessors() >= 2, "one core for the server, one for the client");

        Run run = perfCheck(
                "-r",
                "1",
                "-d",
                "1",
                "-W",
                "1",
                "-s",
                "busy",
                "-m",
                "eventloop,sequential",
                "-J",
                "eventloop:-XX:+UseSerialGC",
                "-B",
                "eventloop:" + System.getProperty("echolab.jar"),
                "-F",
                "selector",
                "-H",
                "-R");

        assertThat(run.status()).as("exit status; stderr:%n%s", run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(run.out())
                .contains("servers: on core 0 (taskset -c 0): nginx with 1 worker")
                .contains("clients: on core 1 (taskset -c 1)")
                .contains("1 round of 1s, each server warmed up for 1 s first, the jar "
                        + System.getProperty("echolab.jar"))
                .as("-B's build: its jar, named by its digest")
                .containsPattern("(?m)^build of eventloop, " + Pattern.quote(System.getProperty("echolab.jar"))
                        + ": sha256 [0-9a-f]{12}, its model's flags$")
                .as("./echolab serve's flags for eventloop: the serial collector, a bounded young generation")
                .containsPattern(
                        "server JVM flags of eventloop on one core \\(scripts/server-jvm.sh's and the JVM's own\\): "
                                + ".*-XX:MaxNewSize=.*-XX:\\+UseSerialGC")
                .as("-J's variant: its own flags in place of the model's")
                .containsPattern(
                        "server JVM flags of eventloop -XX:\\+UseSerialGC on one core \\(-J's and the JVM's own\\): "
                                + "(?!.*MaxNewSize).*-XX:\\+UseSerialGC") // the rest of its line
                .as("-F's floor: how it was started, with eventloop's flags")
                .containsPattern(
                        "(?m)^floor selector: \\S+/bin/java -XX:\\+UseSerialGC -Xmn16m .*scripts/ServerFloor.java "
                                + "PORT 3600 selector \\(wrk rounds only\\)$");
        for (String client : List.of(
                "client: wrk -t1 -c50 -d1s --timeout 11s --latency", "client: echolab load -c 50 -d 1s --warmup 1s")) {
            int at = lines.indexOf(client);
            assertThat(at).as("'%s' in:%n%s", client, run.out()).isNotNegative();
            boolean wrk = client.contains("wrk");
            List<String> table = lines.subList(at + 1, Math.min(lines.size(), at + 10));
            assertThat(table.get(0)).matches(HEADER);
            assertThat(table.get(1)).isEqualTo("|---|---|---|---|---|");
            assertThat(table.get(2)).matches(NGINX);
            assertThat(table.get(3)).matches(NGINX_HEADERS);
            assertThat(table.get(4)).matches(EVENTLOOP);
            assertThat(table.get(5)).matches(SEQUENTIAL);
            assertThat(table.get(6)).matches(VARIANT);
            assertThat(table.get(7)).matches(BUILD);
            for (String row : table.subList(3, wrk ? 9 : 8)) {
                Matcher ratios = RATIO_CELLS.matcher(row);
                assertThat(ratios.find()).as("the ratios of %s", row).isTrue();
                assertThat(Double.parseDouble(ratios.group(2)))
                        .as("one round: its ratio to nginx by round is the ratio of the medians, %s", row)
                        .isCloseTo(Double.parseDouble(ratios.group(1)), within(0.0051));
            }
            if (wrk) {
                assertThat(table.get(8)).as("the floor, measured by wrk").matches(FLOOR);
            } else {
                assertThat(table.get(8))
                        .as("no floor row: echolab load would count its hello as a wrong echo")
                        .isEmpty();
            }
        }
        assertCpuTable(lines, run.out());
        int builds = lines.indexOf(
                "-B: this build against another, the ratio of their figures in each round, median (min-max) of the rounds;");
        assertThat(builds).as("-B's table in:%n%s", run.out()).isNotNegative();
        assertThat(lines.get(builds + 3)).isEqualTo("|---|---|---|---|");
        assertThat(lines.get(builds + 4))
                .as("the build against eventloop from this jar, in the same round")
                .matches("\\| eventloop, " + Pattern.quote(System.getProperty("echolab.jar"))
                        + " +(\\| [0-9]+\\.[0-9]{3} \\([0-9]+\\.[0-9]{3}-[0-9]+\\.[0-9]{3}\\) +){3}\\|");
        for (String server : List.of(
                "nginx, 1 worker",
                "nginx, EchoLab's headers",
                "eventloop",
                "sequential",
                "eventloop -XX:\\+UseSerialGC",
                "eventloop, " + Pattern.quote(System.getProperty("echolab.jar")))) {
            assertThat(run.out())
                    .as("-R: round 1 of %s by each client", server)
                    .containsPattern("(?m)^round 1 " + server + ": wrk [0-9,]+ req/s, p99 [0-9.,]+ ms; server CPU "
                            + "[0-9.]+%, [0-9.]+ µs/request; wrk CPU [0-9.]+%$")
                    .containsPattern("(?m)^round 1 " + server + ": echolab load [0-9,]+ req/s, p99 [0-9.,]+ ms$");
        }
        assertThat(run.out())
                .as("-R: round 1 of the floor, by wrk alone")
                .containsPattern("(?m)^round 1 floor selector: wrk [0-9,]+ req/s, p99 [0-9.,]+ ms; server CPU ")
                .doesNotContainPattern("(?m)^round 1 floor selector: echolab load");
        assertThat(leftovers())
                .as("every server and client it started was stopped with it")
                .isEmpty();
    }

    /**
     * The CPU table: a row per server (the floor's too), nginx's ratio 1.00, and the WAITED line
     * naming exactly the servers whose CPU median in the table is under 90% of a core. {@code sequential} is always
     * among them: it serves one of wrk's 50 connections at a time, so its core waits on each round
     * trip to wrk (on a busy machine the rest may join it, their core shared with the load).
     * The answer sizes show what {@code -H} is for: nginx's own answer to {@code /echo?msg=hello} is
     * under 200 bytes, EchoLab's near twice that, and nginx with EchoLab's headers within a tenth of it.
     */
    private static void assertCpuTable(List<String> lines, String out) {
        int at = lines.stream()
                .filter(l -> l.startsWith(CPU_TABLE))
                .findFirst()
                .map(lines::indexOf)
                .orElse(-1);
        assertThat(at).as("the CPU table in:%n%s", out).isNotNegative();
        assertThat(lines.get(at + 1))
                .matches("\\| server +\\| server CPU % \\(min-max\\) +\\| wrk CPU % \\(min-max\\) +\\| "
                        + "server µs/request \\(min-max\\) +\\| ratio +\\| answer bytes +\\|");
        List<String> waitedShouldName = new ArrayList<>();
        Map<String, Integer> bytes = new HashMap<>();
        for (int i = 0; i < 7; i++) { // nginx twice, the two models, -J's, -B's and -F's
            String row = lines.get(at + 3 + i);
            Matcher m = CPU_ROW.matcher(row);
            assertThat(m.matches()).as("a CPU row: %s", row).isTrue();
            if (i == 0) {
                assertThat(m.group(1)).isEqualTo("nginx, 1 worker");
                assertThat(m.group(3)).isEqualTo("1.00");
            }
            if (Double.parseDouble(m.group(2)) < 90) {
                waitedShouldName.add(m.group(1));
            }
            bytes.put(m.group(1), Integer.parseInt(m.group(4)));
        }
        assertThat(bytes.get("nginx, 1 worker")).as("nginx's answer, bytes").isBetween(100, 200);
        assertThat(bytes.get("eventloop")).as("EchoLab's answer, bytes").isBetween(250, 400);
        assertThat(bytes.get("floor selector"))
                .as("the floor's fixed answer, bytes")
                .isEqualTo(69);
        assertThat(bytes.get("nginx, EchoLab's headers") - bytes.get("nginx, 1 worker"))
                .as("what -H's nginx adds to nginx's answer: every header EchoLab sends")
                .isGreaterThanOrEqualTo(HEADERS_ADDED);
        assertThat(bytes.get("nginx, EchoLab's headers"))
                .as("nginx with EchoLab's headers: about EchoLab's answer, bytes")
                .isCloseTo(bytes.get("eventloop"), withPercentage(10));
        assertThat(waitedShouldName).as("sequential waits for wrk:%n%s", out).contains("sequential");
        assertThat(out)
                .contains("WAITED: the server used less than 90% of its core in the wrk rounds (median) of "
                        + String.join(", ", waitedShouldName) + ": ");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "-m nosuch         | 'nosuch' is not a model",
                "-s busy,nosuch    | 'nosuch' is not a section",
                "-r 0              | -r 0: a whole number",
                "-d 1s             | -d 1s: a whole number",
                "-W 20s            | -W 20s: a whole number",
                "-r 1 leftover     | unexpected argument 'leftover'",
                "-J nosuch:-Xmx1g  | -J 'nosuch:-Xmx1g': 'nosuch' is not a model",
                "-J eventloop      | -J 'eventloop': give MODEL:FLAGS",
                "-B eventloop      | -B 'eventloop': give MODEL:JAR",
                "-B eventloop:/no/such.jar | -B 'eventloop:/no/such.jar': no such file: /no/such.jar",
                "-B eventloop:/etc/passwd  | -B 'eventloop:/etc/passwd': /etc/passwd is not an EchoLab jar with the model 'eventloop'",
                "-m eventloop -B virtual:/etc/passwd | -B 'virtual:/etc/passwd': virtual is not in -m eventloop",
                "-J eventloop:-XX:+NoSuchFlag | -J 'eventloop:-XX:+NoSuchFlag': java does not start with these flags: "
                        + "Unrecognized VM option 'NoSuchFlag'",
                "-F selecter       | -F 'selecter': 'selecter' is not an option",
                "-s idle -F selector | -F 'selector': a floor is measured in the busy rounds only; add busy to -s idle"
            })
    void badOptionsAreRefusedWithExit2(String options, String says) throws Exception {
        Run run = perfCheck(options.split(" "));

        assertThat(run.status()).as("stderr: %s", run.err()).isEqualTo(2);
        assertThat(run.err()).contains("perf-check: ").contains(says);
        assertThat(run.out()).as("nothing measured").isEmpty();
    }
}
