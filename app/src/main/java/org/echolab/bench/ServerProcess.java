package org.echolab.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.models.tree.ChildJvm;

/**
 * A fresh {@code echolab serve} in its own JVM, as a user would start it, so that every benchmark
 * cell measures a clean process tree: {@code java -jar <this jar> serve --port 0 --model M}.
 *
 * <p>{@link #start} returns once the server printed its startup line (which names the port it
 * got); {@link #close} sends SIGTERM (the server drains and ends its threads and child
 * processes), waits for the whole tree to end, and only if it does not, kills what is left of the
 * tree it started, by pid. Nothing outlives a benchmark. The C reference ({@link Nginx}) is
 * started its own way and then held and stopped as one of these.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final String startupLine;
    private final int port;

    private ServerProcess(Process process, String startupLine, int port) {
        this.process = process;
        this.startupLine = startupLine;
        this.port = port;
    }

    /**
     * Starts {@code serve --port 0 --model model} plus {@code extraArgs} from {@code jar}; its
     * stderr goes to {@code log}.
     *
     * @throws IOException with the server's own words when it did not start
     */
    public static ServerProcess start(Path jar, String model, List<String> extraArgs, Path log) throws IOException {
        return start(jar, model, extraArgs, log, Pinning.not("not asked for"));
    }

    /** {@link #start(Path, String, List, Path)} on the server's core of {@code pinning}, when it pins. */
    public static ServerProcess start(Path jar, String model, List<String> extraArgs, Path log, Pinning pinning)
            throws IOException {
        String classPath = classPath(jar);
        List<String> serve = new ArrayList<>(List.of(javaCommand()));
        serve.addAll(pinning.serverJvm(model));
        serve.addAll(ChildJvm.cacheFlags(classPath));
        serve.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                mainClass(jar),
                "serve",
                "--port",
                "0",
                "--model",
                model,
                "--grace",
                "5s",
                "--monitor-port",
                "-1", // no monitor: its threads would count in the figures
                "--max-per-client",
                "0")); // every client of a benchmark comes from 127.0.0.1: one address, many clients
        serve.addAll(extraArgs);
        List<String> cmd = pinning.onServerCore(serve);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        CompletableFuture<String> line = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("bench-server-stdout-" + p.pid()).start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    if (!line.isDone() && LISTENING.matcher(l).find()) {
                        line.complete(l);
                    }
                }
            } catch (IOException e) {
                // the server ended; the future below says so
            }
            line.completeExceptionally(new IOException("ended without a startup line"));
        });
        try {
            String startup = line.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Matcher m = LISTENING.matcher(startup);
            m.find();
            return new ServerProcess(p, startup, Integer.parseInt(m.group(2)));
        } catch (ExecutionException | TimeoutException e) {
            stop(p);
            throw new IOException(
                    "'" + String.join(" ", serve.subList(serve.indexOf("serve"), serve.size())) + "' did not start"
                            + (p.isAlive()
                                    ? " within " + START_TIMEOUT.toSeconds() + "s"
                                    : " (exit " + p.exitValue() + ")")
                            + ": " + lastLines(log),
                    e);
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the server", e);
        }
    }

    /** A server started elsewhere in this package (nginx), held and stopped like the models' servers. */
    static ServerProcess of(Process process, String startupLine, int port) {
        return new ServerProcess(process, startupLine, port);
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /**
     * Returns once the server answers a request and, under a model with worker processes
     * ({@code prefork} and its variants), once every worker accepts, or throws after
     * {@link #START_TIMEOUT}. The startup line comes from the process that listens; its workers
     * are JVMs still starting then, and the first to answer may be the only one: a cell measured
     * before the others accept measures one worker, or, when that one is busy, nothing. A worker
     * notes its start on the process tree's board once it accepts, and {@code /stats} says how
     * many did ({@code processTree.started}) of how many were spawned.
     */
    public void awaitAnswer() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the server ended before it answered a request");
            }
            try {
                String answer = get("/stats");
                if (everyWorkerAccepts(answer)) {
                    return; // any status: it answers (nginx has no /stats)
                }
                last = new IOException("workers still starting: " + workers(answer));
                Thread.sleep(50); // the workers' JVMs are starting; ask again
            } catch (IOException e) {
                last = e; // not yet: its workers are starting (the connection waits in the backlog)
            }
        }
        throw new IOException("the server did not answer a request"
                + (last != null && last.getMessage().startsWith("workers") ? " from every worker" : "") + " within "
                + START_TIMEOUT.toSeconds() + " s" + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** A prefork worker's view of its tree in {@code /stats}; a process child's (role child) has no fixed set. */
    private static final Pattern WORKERS = Pattern.compile("\"processTree\":\\{\"role\":\"worker\"[^}]*");

    /**
     * Whether {@code answer} (to {@code GET /stats}) says that every worker spawned has started
     * (or died since): true for any answer of a server without workers.
     */
    static boolean everyWorkerAccepts(String answer) throws IOException {
        if (!answer.startsWith("HTTP/1.")) {
            throw new IOException(
                    "not an HTTP answer: " + answer.lines().findFirst().orElse(""));
        }
        Matcher tree = WORKERS.matcher(answer);
        if (!tree.find()) {
            return true; // a server of one process, a process per client, nginx: its answer is enough
        }
        String t = tree.group();
        return figure(t, "started") + figure(t, "reaped") >= figure(t, "spawned");
    }

    private static String workers(String answer) {
        Matcher tree = WORKERS.matcher(answer);
        return tree.find()
                ? figure(tree.group(), "started") + " of " + figure(tree.group(), "spawned") + " accept"
                : "no figures";
    }

    private static long figure(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** One request on a connection of its own, and the whole answer. */
    private String get(String target) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(1000);
            s.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public String startupLine() {
        return startupLine;
    }

    /** SIGTERM, then waits for the whole tree (killing what is left after a while). Safe to call twice. */
    @Override
    public void close() {
        stop(process);
    }

    /** Stops the tree; returns whether it ended by itself, without being killed. */
    static boolean stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        p.destroy(); // SIGTERM: the server's shutdown hook drains and ends its workers
        boolean clean = waitAll(tree, STOP_TIMEOUT);
        if (!clean) {
            // it did not end by itself: kill what is left of what we started, by pid
            tree.forEach(ProcessHandle::destroyForcibly);
            waitAll(tree, Duration.ofSeconds(5));
        }
        return clean;
    }

    private static boolean waitAll(List<ProcessHandle> tree, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The java that runs this JVM, so the server runs on the same JDK. */
    static String javaCommand() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The server's class path: the jar, and whatever else this JVM runs with when it runs from that
     * jar too (a lab workspace's classes, whose models and states are plugins), so that every model
     * this JVM knows the server knows.
     */
    static String classPath(Path jar) {
        List<String> own = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        boolean fromJar = own.stream().anyMatch(e -> Path.of(e).toAbsolutePath().equals(jar.toAbsolutePath()));
        return fromJar ? String.join(File.pathSeparator, own) : jar.toString();
    }

    /** The jar's Main-Class, which {@code java -jar} would run. */
    private static String mainClass(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest().getMainAttributes().getValue("Main-Class");
        }
    }

    /** The echolab jar this code runs from. */
    public static Path ownJar() {
        try {
            Path p = Path.of(ServerProcess.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar")) {
                throw new IllegalStateException(
                        "bench starts servers from the echolab jar, but runs from " + p
                                + "; build it (./mvnw -pl app -am package) and run 'java -jar app/target/echolab.jar bench', or pass --jar");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the echolab jar: " + e.getMessage(), e);
        }
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
