package org.echolab.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.echolab.models.tree.ChildJvm;
import org.echolab.testing.Tools;

/**
 * One {@code echolab serve} from the packaged jar, in a JVM of its own, as a user (or a cluster
 * script) starts it: real signals, real exits. {@link #close} leaves no process of its tree behind.
 */
final class Instance implements AutoCloseable {

    private static final String JAR = System.getProperty("echolab.jar");
    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final Process process;
    private final String startupLine;
    private final Path log;

    private Instance(Process process, String startupLine, Path log) {
        this.process = process;
        this.startupLine = startupLine;
        this.log = log;
    }

    /** {@code echolab serve ARGS}; returns once it printed its startup line (it accepts from then on). */
    static Instance start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(ChildJvm.cacheFlags(JAR)); // as ./echolab starts it
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", JAR, "serve"));
        cmd.addAll(List.of(args));
        Path log = Tools.logFile("instance-");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String startup = line.get(60, TimeUnit.SECONDS);
            if (startup == null || !startup.contains("listening on")) {
                throw new IOException("'" + String.join(" ", cmd.subList(4, cmd.size())) + "' did not start: "
                        + Files.readString(log));
            }
            return new Instance(p, startup, log);
        } catch (Exception e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** Starts something that listens on {@code port}. */
    @FunctionalInterface
    interface OnPort<T> {
        T start(int port) throws Exception;
    }

    /** What {@link #onAFreePort} started, and the port it listens on. */
    record Started<T>(T instance, int port) {}

    /**
     * Starts {@code starter} on a port free on {@code address} now. Another process may bind that
     * port between the look and the start (a test run binds many); a start that finds it taken
     * ("Address already in use") is tried again on another port, up to three times.
     */
    static <T> Started<T> onAFreePort(String address, OnPort<T> starter) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = freePort(address);
            try {
                return new Started<>(starter.start(port), port);
            } catch (IOException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    /** A port that is free on {@code address} now (a later bind may still lose a race for it). */
    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address, 0));
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    /** This process and its children (a prefork's workers): the pids X-Echo-Worker may name. */
    Set<Long> pids() {
        return Stream.concat(Stream.of(process.pid()), process.children().map(ProcessHandle::pid))
                .collect(Collectors.toSet());
    }

    String startupLine() {
        return startupLine;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM: the graceful stop (drain delay, drain). */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: no drain, nothing answered; the kernel closes its sockets. */
    void kill() {
        process.destroyForcibly();
    }

    /** Waits for the exit; its status, or -1 if it is still running after {@code seconds}. */
    int awaitExit(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle h : tree) { // workers end with their parent; make sure
            h.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
