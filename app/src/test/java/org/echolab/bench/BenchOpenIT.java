package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench --open} end to end, as short as the bench allows: one model and nginx, one
 * cell each, then the open workload. While it runs, /proc says on which cores every server it
 * started and every thread of the bench itself may run: the truth, not what the report claims.
 */
class BenchOpenIT {

    @TempDir
    static Path dir;

    static int exit;
    static String stdout;
    static String stderr;
    static JsonNode results;
    /** Each server process seen while the bench ran (its command line), and the cores it was allowed. */
    static final Map<String, String> serverCores = new TreeMap<>();
    /** The cores the bench's own threads were allowed while a server it started was running. */
    static final TreeSet<String> benchCores = new TreeSet<>();

    @BeforeAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    static void runShortBenchWithTheOpenScenario() throws Exception {
        Path jar = Path.of(System.getProperty("echolab.jar", "target/echolab.jar"));
        assertThat(jar).as("the packaged jar (system property echolab.jar)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "-jar",
                        jar.toString(),
                        "bench",
                        "--quick",
                        "--models=virtual",
                        "--clients=1",
                        "--workloads=none",
                        "--connections=0",
                        "--herd=none",
                        "--open",
                        "--out",
                        dir.resolve("results").toString())
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
        // sample /proc until the bench ends (each server lives over a second; a sample is a few ms apart)
        while (!p.waitFor(10, TimeUnit.MILLISECONDS)) {
            boolean serving = false;
            for (ProcessHandle h : p.descendants().toList()) {
                String cmd = cmdline(h.pid());
                // a server: a model's JVM or nginx once taskset has exec'd it (before, it is taskset still
                // choosing, and before that a fork of the bench, its command line the bench's own)
                boolean server = !cmd.startsWith("taskset")
                        && (cmd.contains(" serve ") || cmd.startsWith("nginx:") || cmd.contains("nginx.conf"));
                if (server) {
                    String cores = coresOf(Path.of("/proc", Long.toString(h.pid()), "status"));
                    if (!cores.isEmpty()) {
                        serverCores.put(h.pid() + " " + cmd, cores);
                        serving = true;
                    }
                }
            }
            if (serving) {
                try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                    for (Path t : tasks) {
                        String cores = coresOf(t.resolve("status"));
                        if (!cores.isEmpty()) {
                            benchCores.add(cores);
                        }
                    }
                } catch (IOException ended) {
                    // the bench ended meanwhile
                }
            }
        }
        exit = p.exitValue();
        stdout = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
        stderr = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
        Path json = dir.resolve("results/results.json");
        results = Files.isRegularFile(json) ? new ObjectMapper().readTree(json.toFile()) : null;
    }

    private static String cmdline(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .strip();
        } catch (IOException ended) {
            return "";
        }
    }

    /** The Cpus_allowed_list of a /proc status file, or empty when the task ended. */
    private static String coresOf(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException ended) {
            // ended between the listing and the read
        }
        return "";
    }

    @Test
    @Timeout(10)
    void everyServerRanOnOneCoreAndTheBenchOnAnother() {
        assertThat(exit).as("exit code; stderr:%n%s", stderr).isZero();
        assertThat(Runtime.getRuntime().availableProcessors())
                .as("this test needs a machine of 2 cores or more")
                .isGreaterThanOrEqualTo(2);
        JsonNode pinning = results.get("pinning");
        assertThat(pinning.get("pinned").asBoolean()).as("%s", pinning).isTrue();
        String server = pinning.get("serverCpu").asText(),
                client = pinning.get("clientCpu").asText();
        assertThat(server).isNotEqualTo(client);
        assertThat(serverCores).as("servers seen while the bench ran").isNotEmpty();
        assertThat(serverCores.keySet())
                .anySatisfy(k -> assertThat(k).contains("--model virtual"))
                .anySatisfy(k -> assertThat(k).contains("nginx"));
        assertThat(serverCores)
                .as("each server's Cpus_allowed_list")
                .allSatisfy((cmd, cores) -> assertThat(cores).as(cmd).isEqualTo(server));
        assertThat(benchCores).as("the bench JVM's threads' Cpus_allowed_list").containsExactly(client);
        assertThat(stdout + stderr).contains("Pinned: every server on core " + server);
        // each model's JVM starts as ./echolab serve starts one on one core (scripts/server-jvm.sh)
        assertThat(pinning.get("serverJvmByModel").toString())
                .isEqualTo("{\"virtual\":[\"-XX:+UseSerialGC\",\"-Xmn16m\"]}");
        assertThat(serverCores.keySet())
                .filteredOn(k -> k.contains("--model virtual"))
                .allSatisfy(k -> assertThat(k).contains("java -XX:+UseSerialGC -Xmn16m "));
        assertThat(stdout + stderr).contains("starts with -XX:+UseSerialGC -Xmn16m (virtual) (server-jvm.sh)");
        assertThat(Files.exists(dir.resolve("results/report.md"))).isTrue();
    }

    /**
     * The model's row at 90 % of nginx's maximum, where the model could not keep up: a model near
     * 0.8x nginx on one core is over its capacity there, and a kept-alive connection cannot send a
     * request before its last is answered, so on a busy machine the bench may find every request
     * of the recorded period unsent and report the cell empty, saying so, rather than tails it did
     * not measure. Only that row may be so.
     */
    private static boolean overloaded(JsonNode o) {
        return !o.get("series").asText().equals("nginx")
                && o.get("percent").asInt() == 90
                && o.get("status").asText().equals("empty")
                && o.get("fellBehind").asBoolean()
                && o.get("unsent").asLong() > 0
                && o.get("reason").asText().contains("never sent");
    }

    @Test
    @Timeout(10)
    void theOpenScenarioGivesTailsForTheModelAndNginxAtHalfAndNineTenthsOfNginxsMaximum() throws IOException {
        assertThat(exit).as("exit code; stderr:%n%s", stderr).isZero();
        List<String> seen = new ArrayList<>();
        double max = 0;
        for (JsonNode o : results.get("open")) {
            String row = o.get("series").asText() + " " + o.get("percent").asInt();
            seen.add(row);
            if (o.get("percent").asInt() != 100) {
                assertThat(o.get("rate").asDouble())
                        .as(row + ": the intended rate, a share of nginx's maximum")
                        .isCloseTo(max * o.get("percent").asInt() / 100, org.assertj.core.data.Offset.offset(1.0));
            }
            if (overloaded(o)) {
                continue; // it measured nothing, and says so
            }
            assertThat(o.get("status").asText()).as(row + ": %s", o).isEqualTo("ok");
            assertThat(o.get("requests").asLong()).as(row).isPositive();
            assertThat(o.get("requestsPerSecond").asDouble()).as(row).isPositive();
            assertThat(o.get("p99Millis").asDouble()).as(row).isPositive();
            assertThat(o.get("p999Millis").asDouble())
                    .as(row)
                    .isGreaterThanOrEqualTo(o.get("p99Millis").asDouble());
            if (o.get("percent").asInt() == 100) {
                max = o.get("requestsPerSecond").asDouble();
            }
        }
        assertThat(seen).containsExactly("nginx 100", "nginx 50", "nginx 90", "virtual 50", "virtual 90");
        assertThat(stdout)
                .contains("Open workload: 50 keep-alive connections")
                .containsPattern("virtual\\s+50%\\s+[\\d,]+\\s+[\\d,]+ \\(\\d+%\\)\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+");
        String md = Files.readString(dir.resolve("results/report.md"));
        assertThat(md).contains("## Open workload").containsPattern("\\| virtual \\| 50% \\| [\\d,]+ \\| ");
        assertThat(Files.readString(dir.resolve("results/report.html")))
                .contains("<h2 id=\"open\">")
                .contains("Pinned: every server on core");
        assertThat(Files.readAllLines(dir.resolve("results/open.csv"))).hasSize(1 + 5);
    }
}
