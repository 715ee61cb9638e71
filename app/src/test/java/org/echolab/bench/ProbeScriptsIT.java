package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The probes docs/performance.md measures with: {@code scripts/ServerFloor.java} (the least a
 * virtual-thread or a selector keep-alive server does) answers every request of a connection while
 * another connection waits, with each of its options (timed reads, CPU and garbage per request, a
 * padded answer), and refuses bad arguments;
 * {@code scripts/wrk-gaps.lua} reports the pauses in a stream of answers that has them, longer
 * than its limit only, and refuses a limit that is not a number; {@code scripts/RequestCost.java}
 * (EchoLab's own code per request, without a socket) prints its rounds, their median and the
 * bytes allocated per request, and says so when its request is not answered or it is misused.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProbeScriptsIT {

    private static final Path SCRIPTS = Path.of(System.getProperty("echolab.scripts", "../scripts"));
    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String WRK = "/usr/bin/wrk";
    private static final String JAR = System.getProperty("echolab.jar", "target/echolab.jar");
    private static final Pattern GAP = Pattern.compile("gap ([0-9.]+) ms at [0-9.]+ s \\(response [0-9]+\\)");

    /**
     * Every request of a connection answered, two of them sent in one write, while another
     * connection, open first, waits for its one answer, its head sent in two pieces (a floor that
     * served one connection at a time would never answer the second, one that forgot a head's line
     * ends between reads never the first), with each set of options; with {@code --cpu-ns
     * 20000000} each answer takes 20 ms of the server's spinning at least, so three take 60 ms at
     * least on any machine; with {@code --answer-bytes 332} each
     * answer is 332 bytes, the same answer with an {@code X-Pad} header.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "timed",
                "--cpu-ns 20000000 --garbage-bytes 4096",
                "timed --garbage-bytes 0",
                "--answer-bytes 332",
                "--answer-bytes 78",
                "selector",
                "selector --cpu-ns 20000000 --garbage-bytes 4096",
                "selector --answer-bytes 332"
            })
    void theFloorServerAnswersEveryRequestOnOneConnection(String options) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(JAVA, SCRIPTS.resolve("ServerFloor.java").toString(), "0", "60"));
        if (!options.isEmpty()) {
            cmd.addAll(List.of(options.split(" ")));
        }
        long atLeastNanos = options.contains("--cpu-ns") ? 3 * 20_000_000L : 0;
        Process server = new ProcessBuilder(cmd)
                .redirectError(Tools.logFile("floor-").toFile())
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))) {
            String first = out.readLine();
            assertThat(first).as("its first line").matches("listening [0-9]+");
            int port = Integer.parseInt(first.substring("listening ".length()));
            try (Socket waiting = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                waiting.setSoTimeout(30_000);
                s.setSoTimeout(30_000);
                String get = "GET /echo?msg=hello HTTP/1.1\r\nHost: x\r\n\r\n";
                String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n";
                Matcher bytes = Pattern.compile("--answer-bytes ([0-9]+)").matcher(options);
                String answer = bytes.find()
                        ? head + "X-Pad: " + "x".repeat(Integer.parseInt(bytes.group(1)) - 78) + "\r\n\r\nhello"
                        : head + "\r\nhello";
                waiting.getOutputStream()
                        .write(get.substring(0, get.length() - 2).getBytes(StandardCharsets.US_ASCII));
                OutputStream w = s.getOutputStream();
                long sent = System.nanoTime();
                w.write((get + get).getBytes(StandardCharsets.US_ASCII)); // two heads in one write
                w.write(get.getBytes(StandardCharsets.US_ASCII)); // and one after
                byte[] three = s.getInputStream().readNBytes(3 * answer.length());
                assertThat(new String(three, StandardCharsets.US_ASCII)).isEqualTo(answer.repeat(3));
                assertThat(System.nanoTime() - sent)
                        .as("--cpu-ns spent before each answer")
                        .isGreaterThanOrEqualTo(atLeastNanos);
                waiting.getOutputStream().write(get.substring(get.length() - 2).getBytes(StandardCharsets.US_ASCII));
                byte[] one = waiting.getInputStream().readNBytes(answer.length());
                assertThat(new String(one, StandardCharsets.US_ASCII))
                        .as("the waiting connection's answer, its head sent in two pieces")
                        .isEqualTo(answer);
            }
        } finally {
            server.destroy();
            assertThat(server.waitFor(20, TimeUnit.SECONDS))
                    .as("the floor server ends")
                    .isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "0 60 timd              | 'timd' is not an option",
                "0 60 selector timed    | 'timed' is the virtual-thread floor's: a selector's reads never wait",
                "0 60 --cpu-ns 5us      | --cpu-ns '5us': a whole number from 0 up",
                "0 60 --garbage-bytes   | --garbage-bytes '': a whole number from 0 up",
                "0 60 --answer-bytes 77 | --answer-bytes 77: at least 78 (the answer with an empty X-Pad header)",
                "0                      | PORT and SECONDS are needed",
                "0 1m                   | SECONDS '1m': a whole number from 0 up"
            })
    void theFloorServerRefusesArgumentsItDoesNotKnow(String arguments, String says) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(JAVA, SCRIPTS.resolve("ServerFloor.java").toString()));
        cmd.addAll(List.of(arguments.split(" ")));
        Tools.Result r = Tools.run(cmd.toArray(String[]::new));

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr())
                .contains("ServerFloor: " + says)
                .contains(
                        "usage: java scripts/ServerFloor.java PORT SECONDS [selector | timed] [--cpu-ns N] [--garbage-bytes N]"
                                + " [--answer-bytes N]");
        assertThat(r.stdout()).as("it never listened").isEmpty();
    }

    /**
     * Answers 40 ms apart (one connection, {@code wait=40ms}): with a limit of 15 ms every gap is
     * reported, each longer than the limit; with a limit of 5 s, which no gap of a 1 s run reaches,
     * none is.
     */
    @Test
    void wrkGapsReportsTheGapsAboveItsLimitOnly() throws Exception {
        Tools.require(Path.of(WRK), "apt-get install wrk");
        try (EchoServer server = Servers.start(Servers.config("thread"))) {
            String url = "http://127.0.0.1:" + server.port() + "/echo?msg=x&wait=40ms";

            Tools.Result gaps = wrkWithGaps(url, "15");
            Tools.Result none = wrkWithGaps(url, "5000");

            assertThat(gaps.status()).as(gaps.stderr()).isZero();
            List<String> lines = gaps.stderr().lines().toList();
            assertThat(lines).as("a gap between each two answers of a 1 s run").hasSizeGreaterThanOrEqualTo(3);
            for (String line : lines) {
                Matcher m = GAP.matcher(line);
                assertThat(m.matches()).as("a gap line: %s", line).isTrue();
                assertThat(Double.parseDouble(m.group(1))).isGreaterThan(15);
            }
            assertThat(none.status()).as(none.stderr()).isZero();
            assertThat(none.stdout()).contains("Requests/sec:");
            assertThat(none.stderr()).isEmpty();
        }
    }

    @Test
    void wrkGapsRefusesALimitThatIsNotANumber() throws Exception {
        Tools.require(Path.of(WRK), "apt-get install wrk");
        try (EchoServer server = Servers.start(Servers.config("thread"))) {
            Tools.Result r = wrkWithGaps("http://127.0.0.1:" + server.port() + "/echo?msg=x", "15ms");

            assertThat(r.status()).isEqualTo(2);
            assertThat(r.stderr()).contains("wrk-gaps.lua: '15ms' is not a number of milliseconds above 0, e.g. -- 15");
        }
    }

    private static Tools.Result wrkWithGaps(String url, String limitMs) throws Exception {
        return Tools.run(
                WRK, "-t1", "-c1", "-d1s", "-s", SCRIPTS.resolve("wrk-gaps.lua").toString(), url, "--", limitMs);
    }

    /** {@code scripts/RequestCost.java} with {@code args}: run with the project's jar. */
    private static Tools.Result requestCost(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(JAVA, "-cp", JAR, SCRIPTS.resolve("RequestCost.java").toString()));
        cmd.addAll(List.of(args));
        return Tools.run(cmd.toArray(String[]::new));
    }

    @Test
    void requestCostPrintsEachRoundTheirMedianAndTheBytesPerRequest() throws Exception {
        Tools.Result r = requestCost("--rounds", "4", "--requests", "2000");

        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout())
                .containsPattern(
                        "(?m)^request: GET /echo\\?msg=hello HTTP/1\\.1, answered with [0-9]{3} bytes: HTTP/1\\.1 200 OK$")
                .containsPattern("(?m)^round 1: [0-9]+ ns/request$")
                .containsPattern("(?m)^round 4: [0-9]+ ns/request$")
                .containsPattern(
                        "(?m)^ns per request, rounds 3-4 \\(the first half warms up\\): median [0-9]+, min [0-9]+, max [0-9]+$")
                .containsPattern("(?m)^bytes allocated per request: [1-9][0-9]*$");
    }

    @Test
    void requestCostMeasuresTheTargetItIsGiven() throws Exception {
        Tools.Result r = requestCost("--rounds", "2", "--requests", "1000", "--target", "/echo?msg=x&status=503");

        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("bytes: HTTP/1.1 503 Service Unavailable");
    }

    @Test
    void requestCostSaysWhenItsRequestIsNotAnswered() throws Exception {
        Tools.Result r = requestCost("--rounds", "2", "--requests", "1000", "--target", "/echo?msg=a b");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr()).contains("RequestCost: the request was not answered: GET /echo?msg=a b HTTP/1.1");
        assertThat(r.stdout()).doesNotContain("ns per request");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "--rounds 1         | --rounds '1': a whole number from 2 up, please",
                "--requests 10k     | --requests '10k': a whole number from 1000 up, please",
                "--target echo      | --target 'echo': a path from /, e.g. /echo?msg=hello",
                "--fast             | '--fast' is not an option"
            })
    void requestCostRefusesArgumentsItDoesNotKnow(String arguments, String says) throws Exception {
        Tools.Result r = requestCost(arguments.split(" "));

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr())
                .contains("RequestCost: " + says)
                .contains(
                        "usage: java -cp app/target/echolab.jar scripts/RequestCost.java [--rounds N] [--requests N] [--target PATH]");
        assertThat(r.stdout()).isEmpty();
    }
}
