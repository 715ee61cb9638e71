package org.echolab.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The C reference: nginx with Debian's echo module ({@code echo_sleep} for the wait, {@code echo
 * -n $arg_msg} for the echo), run by the benchmark on the same cells as the models, so every
 * report can say how far each model is from a C server on the same machine in the same run.
 *
 * <p><b>Processes:</b> nginx's master and {@code worker_processes auto} (one event loop per core,
 * as {@code eventloop}'s default loops; one on the one core of a pinned run), started in the foreground ({@code daemon off}) on
 * 127.0.0.1 and a free port, with its config, pid file, error log and temporary folders in the
 * cell's own folder; stopped by its pid like the models' servers ({@link ServerProcess#close}).
 * It answers only what the echo module can: a wait and an echo, not CPU work.
 */
public final class Nginx {

    /** The series' name in results and charts (its colour is reserved in the report's palette). */
    public static final String SERIES = "nginx";
    /** How to get it, for a report that ran without it. */
    public static final String INSTALL = "apt-get install nginx-light libnginx-mod-http-echo";
    /** Where Debian (and Fedora) put nginx's dynamic modules. */
    private static final List<Path> MODULE_DIRS = List.of(
            Path.of("/usr/lib/nginx/modules"),
            Path.of("/usr/lib64/nginx/modules"),
            Path.of("/usr/share/nginx/modules"));

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String binary;
    private final Path echoModule;
    private final String version;

    private Nginx(String binary, Path echoModule, String version) {
        this.binary = binary;
        this.echoModule = echoModule;
        this.version = version;
    }

    /** An nginx to run, or why there is none and how to install it: the report prints the {@code note}. */
    public record Found(Optional<Nginx> nginx, String note) {}

    /** The nginx at {@code binary} (a path, or a name looked up on the PATH) and its echo module. */
    public static Found find(String binary) {
        String version;
        try {
            Process p =
                    new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
            version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || !version.contains("nginx/")) {
                return new Found(
                        Optional.empty(),
                        "'" + binary + " -v' did not answer as nginx (" + version + "); install it with " + INSTALL);
            }
            version = version.substring(version.indexOf("nginx/"));
        } catch (IOException e) {
            return new Found(
                    Optional.empty(),
                    "no nginx at '" + binary + "'; install it with " + INSTALL
                            + " (Debian, Ubuntu), or point --nginx at one");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Found(Optional.empty(), "interrupted while looking for nginx");
        }
        Optional<Path> module = MODULE_DIRS.stream()
                .map(d -> d.resolve("ngx_http_echo_module.so"))
                .filter(Files::isRegularFile)
                .findFirst();
        if (module.isEmpty()) {
            return new Found(
                    Optional.empty(),
                    version + " has no echo module (ngx_http_echo_module.so in " + MODULE_DIRS
                            + "); install it with apt-get install libnginx-mod-http-echo");
        }
        Nginx n = new Nginx(binary, module.get(), version);
        return new Found(Optional.of(n), n.describe());
    }

    /** e.g. {@code nginx/1.22.1 with its echo module, a worker process per core it runs on}. */
    public String describe() {
        return version + " with its echo module, a worker process per core it runs on";
    }

    /**
     * Starts nginx for one cell: the wait of {@code w} by {@code echo_sleep}, in {@code dir} (its
     * config, pid file and logs), its stderr appended to {@code log}. Returns once it accepts.
     *
     * @param maxConnections how many connections each worker may hold (the clients, and margin)
     */
    public ServerProcess start(Workload w, long maxConnections, Path folder, Path log) throws IOException {
        return start(w, maxConnections, folder, log, Pinning.not("not asked for"));
    }

    /**
     * {@link #start(Workload, long, Path, Path)} on the server's core of {@code pinning}, when it
     * pins: then with one worker process, as the perf check runs it, since one core holds one event loop.
     */
    public ServerProcess start(Workload w, long maxConnections, Path folder, Path log, Pinning pinning)
            throws IOException {
        // absolute: nginx reads a relative path under its prefix (-p), which is this folder itself
        Path dir = folder.toAbsolutePath();
        Files.createDirectories(dir);
        int port = freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(w, port, maxConnections, dir, pinning.pinned() ? "1" : "auto"));
        Process p = new ProcessBuilder(pinning.onServerCore(List.of(
                        binary,
                        "-p",
                        dir.toString(),
                        "-c",
                        conf.toString(),
                        "-e",
                        dir.resolve("error.log").toString())))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                ServerProcess.stop(p);
                throw new IOException(
                        version + " did not start on 127.0.0.1:" + port + "; see " + dir.resolve("error.log"));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                ServerProcess.stop(p);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting nginx", e);
            }
        }
        return ServerProcess.of(
                p,
                version + " listening on 127.0.0.1:" + port + ", " + w.label()
                        + (pinning.pinned() ? ", 1 worker on core " + pinning.serverCpu() : ""),
                port);
    }

    /** The whole config: nothing from /etc/nginx, everything it writes under {@code dir}. */
    String config(Workload w, int port, long maxConnections, Path dir, String workers) {
        // echo_sleep takes seconds, to the millisecond
        String sleep = w.perRequest().isZero()
                ? ""
                : String.format(Locale.ROOT, "echo_sleep %.3f; ", w.perRequest().toNanos() / 1e9);
        return """
                load_module %s;
                daemon off;
                worker_processes %s;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections %d; }
                http {
                  access_log off;
                  keepalive_requests 1000000000;
                  keepalive_timeout 600s;
                  client_body_temp_path %s/body;
                  proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi;
                  scgi_temp_path %s/scgi;
                  server {
                    listen 127.0.0.1:%d backlog=4096;
                    location /echo { %secho -n $arg_msg; }
                  }
                }
                """.formatted(echoModule, workers, dir, dir, maxConnections, dir, dir, dir, dir, dir, port, sleep);
    }

    /** A port nothing listens on now (the kernel's choice); nginx cannot be given port 0 and tell. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
