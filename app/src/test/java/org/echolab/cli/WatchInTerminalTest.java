package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code echolab watch} in a real terminal of 80x24 (a pseudo-terminal from util-linux's
 * {@code script}), in a JVM of its own, against a {@code pool} of 64 threads with 40 requests in
 * flight: every frame it draws is at most 24 lines of at most 80 columns and begins with its
 * header, and what it cuts it counts.
 */
@Timeout(120)
class WatchInTerminalTest {

    private static final String CLEAR = "\033[H\033[2J";

    @Test
    void everyFrameFitsEightyByTwentyFourWithItsHeader() throws Exception {
        Tools.require(Path.of("/usr/bin/script"), "apt-get install util-linux");
        try (EchoServer server = Servers.start(Servers.config("pool")
                .threads(64)
                .monitorPort(0)
                .maxWait(Duration.ofSeconds(30))
                .grace(Duration.ofSeconds(1)))) { // the waits left at the end need no draining
            List<Socket> clients = Servers.waitingClients(server, 40, "20s");
            Process watch = null;
            try {
                await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.stat(server, "requestsInFlight") == 40);
                ProcessBuilder pb = new ProcessBuilder(
                                "script",
                                "-qfec",
                                "stty cols 80 rows 24 && exec \"$JAVA\" --enable-native-access=ALL-UNNAMED -cp \"$CP\" "
                                        + Main.class.getName() + " watch http://127.0.0.1:"
                                        + server.monitorAddress().getPort()
                                        + " --interval 100ms",
                                "/dev/null")
                        .redirectErrorStream(true);
                Map<String, String> env = pb.environment();
                env.remove("COLUMNS"); // the size is the terminal's, read through stty
                env.remove("LINES");
                env.put("JAVA", ProcessHandle.current().info().command().orElseThrow());
                env.put("CP", System.getProperty("java.class.path"));
                watch = pb.start();
                StringBuffer seen = new StringBuffer();
                drain(watch.getInputStream(), seen);

                // three whole frames: each between two clears
                await().atMost(60, TimeUnit.SECONDS)
                        .until(() -> seen.toString().split("\033\\[H\033\\[2J", -1).length >= 5);

                String[] chunks = seen.toString().replace("\r", "").split("\033\\[H\033\\[2J", -1);
                List<String> frames = Arrays.asList(chunks).subList(1, chunks.length - 1);
                assertThat(frames).hasSizeGreaterThanOrEqualTo(3).allSatisfy(frame -> {
                    List<String> lines = List.of(frame.split("\n", -1));
                    assertThat(lines)
                            .as(frame)
                            .hasSizeLessThanOrEqualTo(24)
                            .allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
                    assertThat(lines.get(0)).startsWith("echolab pool   pid ");
                    assertThat(lines.get(1)).startsWith("accept queue ").contains("in flight 40");
                    assertThat(frame)
                            .contains("workers: 40 busy")
                            .containsPattern("\\+\\d+ more busy")
                            .contains("timeline, last 10 s");
                });
            } finally {
                if (watch != null) {
                    watch.descendants().forEach(ProcessHandle::destroy);
                    watch.destroy();
                    watch.waitFor(10, TimeUnit.SECONDS);
                }
                Servers.close(clients);
            }
        }
    }

    /** Copies what {@code in} gives into {@code seen}, on a thread of its own, until it ends. */
    private static void drain(InputStream in, StringBuffer seen) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ended) {
                // the terminal closed: what was read is the answer
            }
        });
    }
}
