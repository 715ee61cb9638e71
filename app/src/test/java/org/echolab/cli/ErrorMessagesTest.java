package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every bad value gets a message that names what the user typed and what to give instead, and a
 * named exit code; never a bare exception text. Run in this JVM: none of these starts a server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorMessagesTest {

    private record Run(int exit, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int exit = Main.run(args);
            return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static void refused(ExitCode code, String[] args, String... says) {
        Run r = run(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(code.code);
        for (String s : says) {
            assertThat(r.err()).as(String.join(" ", args)).contains(s);
        }
        assertThat(r.err())
                .as("no exception text")
                .doesNotContain("Exception")
                .doesNotContain("null\n")
                .doesNotContain("\tat ");
    }

    @Test
    void aBindAddressThatDoesNotResolveOrIsNotHereSaysSo() {
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--bind", "nosuchhost.invalid", "--port", "0"},
                "--bind nosuchhost.invalid: no such host",
                "127.0.0.1");
        refused(
                ExitCode.CANNOT_START,
                new String[] {"serve", "--bind", "10.9.9.9", "--port", "0"},
                "--bind 10.9.9.9: 10.9.9.9 is not an address of this machine",
                "0.0.0.0");
    }

    @Test
    void aPortOutOfRangeIsNamedAsTyped() {
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--port", "70000"},
                "--port must be from 0 to 65535 (got 70000)");
    }

    @Test
    void everyDurationOptionRefusesABareNumberNamingTheUnits() {
        String[][] options = {
            {"serve", "--wait"},
            {"serve", "--max-wait"},
            {"serve", "--grace"},
            {"serve", "--idle-timeout"},
            {"serve", "--header-timeout"},
            {"serve", "--body-timeout"},
            {"serve", "--write-timeout"},
            {"serve", "--drain-delay"},
            {"serve", "--cpu-budget"},
            {"serve", "--race-window"},
            {"load", "--duration"},
            {"load", "--warmup"},
            {"load", "--wait"},
            {"load", "--timeout"},
            {"bench", "--duration"},
            {"race", "--race-window"},
            {"watch", "--interval"}
        };
        for (String[] o : options) {
            refused(
                    ExitCode.USAGE,
                    new String[] {o[0], o[1], "5", "http://127.0.0.1:9/"},
                    "'" + o[1] + "'",
                    "'5' has no unit; write 5ms or 5s",
                    "only 0 stands alone");
        }
    }

    @Test
    void everySizeOptionTakesUnitsAndRefusesABareNumber() {
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--max-body", "1048576"},
                "'--max-body'",
                "'1048576' has no unit; write 1048576B, or e.g. 1MiB");
        for (String o : new String[] {"--memory-budget", "--ws-max-frame", "--ws-max-message", "--udp-max-datagram"}) {
            refused(ExitCode.USAGE, new String[] {"serve", o, "4096"}, "'" + o + "'", "has no unit", "KiB");
        }
        refused(
                ExitCode.USAGE,
                new String[] {"load", "--size", "300", "http://127.0.0.1:9/"},
                "'--size'",
                "write 300B");
        refused(ExitCode.USAGE, new String[] {"serve", "--max-body", "2x"}, "'2x' is not a size; use e.g. 512B, 64KiB");
        // a size with a unit is taken: the refusal that follows is about the next value, not this one
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--max-body", "2m", "--threads", "0"},
                "--threads must be from 1");
        refused(ExitCode.USAGE, new String[] {"serve", "--max-body", "3GiB"}, "'3GiB' is above the limit of");
    }

    @Test
    void aLoadRunThatCompletesNoRequestFailsLoudly() throws Exception {
        try (EchoServer server =
                EchoServer.start(ServerConfig.builder().model("virtual").port(0).build())) {
            refused(
                    ExitCode.NOTHING_COMPLETED,
                    new String[] {
                        "load",
                        "-q",
                        "-c",
                        "1",
                        "-n",
                        "2",
                        "--timeout",
                        "100ms",
                        "--wait",
                        "2s",
                        "http://127.0.0.1:" + server.port() + "/echo"
                    },
                    "FAILED: no request completed in",
                    "every one failed (timeout 2)");
        }
    }

    @Test
    void tlsPortMistakesNameWhatWasTyped() throws java.io.IOException {
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--port", "8080", "--tls-port", "8080"},
                "echolab serve: --tls-port must differ from --port (both 8080)");
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--tls-port", "70000"},
                "--tls-port must be from 0 to 65535, or -1 for none (got 70000)");
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--tls-port", "8443s"},
                "'--tls-port'",
                "'8443s' is not a whole number");
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--port", "0", "--tls-port", "9001", "--monitor-port", "9001"},
                "--monitor-port must differ from --tls-port (both 9001)");
        refused(
                ExitCode.USAGE,
                new String[] {"serve", "--port", "0", "--tls-port", "0", "--model", "sequential", "--monitor-port", "-1"
                },
                "--tls-port: --model sequential serves one connection at a time",
                "use --tls");
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            refused(
                    ExitCode.CANNOT_START,
                    new String[] {"serve", "--port", "0", "--tls-port", "" + port, "--monitor-port", "-1"},
                    "cannot listen on 127.0.0.1:" + port + " (--tls-port): Address already in use",
                    "choose another --tls-port");
        }
    }

    @Test
    void aGradeOfAModelOrStateNotRegisteredIsRefusedBeforeItStarts() {
        refused(
                ExitCode.USAGE,
                new String[] {"lab", "grade", "races", "--thread-model", "pool", "--process-model", "nosuch"},
                "echolab lab grade: unknown model 'nosuch'",
                "Grade inside a workspace");
        refused(
                ExitCode.USAGE,
                new String[] {"lab", "grade", "races", "--thread-model", "pool", "--process-model", "process"},
                "unknown state",
                "'student'",
                "Grade inside a workspace");
    }

    @Test
    void noCommandSaysWhichToGive() {
        refused(ExitCode.USAGE, new String[0], "give a command", "echolab serve", "--help");
    }

    @Test
    void aUrlWithoutItsSchemeGetsTheUrlItMeant() {
        int closed; // watch takes HOST:PORT as http://HOST:PORT: here nothing answers there
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        refused(
                ExitCode.FAILED,
                new String[] {"watch", "127.0.0.1:" + closed, "--once"},
                "no answer from http://127.0.0.1:" + closed + "/live.json (connection refused)");
        refused(
                ExitCode.USAGE,
                new String[] {"watch", "127.0.0.1:22O01"},
                "'127.0.0.1:22O01' is not a monitor's address; give HOST:PORT");
        refused(ExitCode.USAGE, new String[] {"bench", "--target", "localhost:8080"}, "write http://localhost:8080");
    }
}
