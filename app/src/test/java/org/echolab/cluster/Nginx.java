package org.echolab.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.echolab.testing.Tools;

/**
 * Debian's nginx in the foreground as the balancer, with the configuration
 * {@code scripts/cluster.sh -b nginx config} generates: no active health checks (open-source nginx
 * has none), the next server on a connection error.
 */
final class Nginx implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path SCRIPT = Path.of(System.getProperty("echolab.scripts", "../scripts"), "cluster.sh");

    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Skipped where it is missing, failed under CI=true ({@link Tools#require}). */
    static void require() {
        Tools.require(BINARY, "apt-get install nginx-light");
    }

    static Nginx start(List<String> servers) throws IOException, InterruptedException {
        int port = Instance.freePort("127.0.0.1");
        Path dir = Files.createTempDirectory("echolab-nginx-");
        for (String temp : List.of("client", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp + "_temp"));
        }
        Process config = new ProcessBuilder(
                        "bash",
                        SCRIPT.toString(),
                        "-b",
                        "nginx",
                        "-o",
                        dir.toString(),
                        "-p",
                        Integer.toString(port),
                        "-s",
                        String.join(",", servers),
                        "config")
                .redirectOutput(dir.resolve("nginx.conf").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!config.waitFor(30, TimeUnit.SECONDS) || config.exitValue() != 0) {
            throw new IOException(SCRIPT + " -b nginx config failed");
        }
        Process p = new ProcessBuilder(
                        BINARY.toString(),
                        "-e",
                        dir.resolve("nginx-error.log").toString(),
                        "-p",
                        dir.toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Nginx n = new Nginx(p, dir, port);
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return n;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        n.close();
        throw new IOException("nginx did not start listening on " + port);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Requests nginx had to send to more than one server (its access log lists each it tried). */
    long retried() throws IOException {
        try (Stream<String> lines = Files.lines(dir.resolve("nginx-access.log"))) {
            return lines.filter(l -> l.matches(".* upstream=\\S+, .*")).count();
        }
    }

    /** Requests {@code server} (host:port) answered with a 200 that nginx passed on (the last server it tried). */
    long servedBy(String server) throws IOException {
        try (Stream<String> lines = Files.lines(dir.resolve("nginx-access.log"))) {
            return lines.map(SERVED::matcher)
                    .filter(m -> m.find() && m.group(1).endsWith(server))
                    .count();
        }
    }

    /** An access-log line of a 200: the upstream addresses it tried, the last one answered. */
    private static final java.util.regex.Pattern SERVED =
            java.util.regex.Pattern.compile("\" 200 upstream=(\\S+(?:, \\S+)*) upstream_status=");

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM: nginx's fast shutdown; its worker goes with it
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
