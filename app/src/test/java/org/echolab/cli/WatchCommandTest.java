package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code echolab watch URL --once} against real servers: the terminal's live view shows the
 * clients queued under {@code sequential} and what each child does under {@code process}; a
 * wrong URL or a monitor that does not answer gets a message and its exit code.
 */
@Timeout(120)
class WatchCommandTest {

    /** A child's thread in the workers' table, serving its client's 20 s wait (no thread state: another process's). */
    private static final String WORKER_ROW = "  pid \\d+ main +- +request 1 /echo wait 20000 ms, \\d+ ms so far";

    record Run(int code, String out, String err) {}

    /** Runs the CLI in this JVM with its output captured. */
    static synchronized Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void showsFourClientsQueuedUnderSequential() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("sequential").monitorPort(0))) {
            List<Socket> clients = Servers.waitingClients(server, 5, "5s");
            try {
                String url = "http://127.0.0.1:" + server.monitorAddress().getPort();
                await().atMost(4, TimeUnit.SECONDS)
                        .until(() -> run("watch", url, "--once").out().contains("accept queue 4 "));

                Run r = run("watch", url, "--once", "--width", "40");

                assertThat(r.code()).isZero();
                assertThat(r.out())
                        .contains("echolab sequential")
                        .contains("4 clients are connected and waiting")
                        .contains("in flight 1");
                assertThat(r.out().lines().filter(l -> l.contains("echolab-accept")))
                        .anySatisfy(l -> assertThat(l).contains("request ").contains("/echo wait 5000 ms"))
                        .anySatisfy(l -> assertThat(l)
                                .matches("  echolab-accept *\\| *\\[=*\\|")); // its timeline row, in flight
            } finally {
                Servers.close(clients);
            }
        }
    }

    @Test
    void showsWhatEachChildDoesUnderProcess() throws Exception {
        try (EchoServer server =
                Servers.start(Servers.config("process").monitorPort(0).maxWait(Duration.ofSeconds(30)))) {
            List<Socket> clients = Servers.waitingClients(server, 2, "20s");
            try {
                String url = "http://127.0.0.1:" + server.monitorAddress().getPort();
                await().atMost(30, TimeUnit.SECONDS)
                        .until(() -> run("watch", url, "--once")
                                        .out()
                                        .lines()
                                        .filter(l -> l.matches(WORKER_ROW))
                                        .count()
                                == 2);

                Run r = run("watch", url, "--once");

                assertThat(r.out()).contains("child processes: ");
                assertThat(r.out().lines().filter(l -> l.matches(WORKER_ROW)))
                        .as("a worker row per child, in\n" + r.out())
                        .hasSize(2);
                assertThat(r.out()
                                .lines()
                                .filter(l -> l.matches("  pid \\d+ +\\d+ ms old  request 1 /echo wait 20000 ms.*")))
                        .as("a child row per child, in\n" + r.out())
                        .hasSize(2);
            } finally {
                Servers.close(clients);
            }
        }
    }

    @Test
    void hostAndPortWithoutASchemeMeansHttp() throws Exception {
        try (EchoServer server = Servers.start(Servers.config("virtual").monitorPort(0))) {
            int monitor = server.monitorAddress().getPort();
            for (String target : List.of("127.0.0.1:" + monitor, "127.0.0.1:" + monitor + "/live")) {
                Run r = run("watch", target, "--once");
                assertThat(r.code()).as(target + ": " + r.err()).isZero();
                assertThat(r.out()).as(target).contains("echolab virtual");
            }
        }
    }

    @Test
    void aWrongUrlOrASilentMonitorIsReported() throws IOException {
        Run scheme = run("watch", "ftp://127.0.0.1:1", "--once");
        assertThat(scheme.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(scheme.err())
                .contains("'ftp://127.0.0.1:1' is not a monitor's address; give HOST:PORT or the http:// URL");
        for (String garbage : List.of("127.0.0.1:x", "a b", "127.0.0.1", "http://")) {
            Run bad = run("watch", garbage, "--once");
            assertThat(bad.code()).as(garbage).isEqualTo(ExitCode.USAGE.code);
            assertThat(bad.err())
                    .as(garbage)
                    .contains("'" + garbage + "' is not a monitor's address", "e.g. 127.0.0.1:8081")
                    .doesNotContain("URISyntax", "\tat ");
        }

        Run narrow = run("watch", "http://127.0.0.1:1", "--once", "--width", "0");
        assertThat(narrow.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(narrow.err()).contains("--width must be between 10 and 1000 columns (got 0)");
        Run busy = run("watch", "http://127.0.0.1:1", "--interval", "0s");
        assertThat(busy.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(busy.err()).contains("--interval must be at least 50ms");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run silent = run("watch", "http://127.0.0.1:" + closed, "--once");
        assertThat(silent.code()).isEqualTo(ExitCode.FAILED.code);
        assertThat(silent.err())
                .contains("no answer from http://127.0.0.1:" + closed + "/live.json")
                .doesNotContain("\tat ");
    }
}
