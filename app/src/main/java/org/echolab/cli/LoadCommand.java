package org.echolab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.echolab.load.Fairness;
import org.echolab.load.HistogramLog;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.load.TlsFailure;
import org.echolab.protocol.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code echolab load TARGET}: parses the options, runs {@link LoadGenerator}, prints the summary. */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Send load to an echo server and verify every echo byte for byte.",
            "Closed workload (default): --connections clients back to back over keep-alive.",
            "Open workload: --rate R req/s on a constant schedule; latency from each request's intended start.",
            "Any path and query: a msg in the target is extended by a unique part and the echo checked against it.",
            "Exit 1 if any request failed, 7 if none completed, 6 with --fail-on-behind if an open workload fell behind its rate;",
            "starved connections (no answer while others were served) are a warning.",
            "Try: echolab load 'http://127.0.0.1:8080/echo?msg=hi' -c 50 -d 10s",
            "Several machines' runs as one: echolab load merge A.hlog B.hlog (each written with --hlog)"
        },
        subcommands = LoadMergeCommand.class)
final class LoadCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "TARGET",
            description =
                    "http://host:port/path?query (no path: /echo), https://host:port/path?query, ws:// or wss://host:port/path (no path: /ws) or tcp://host:port.")
    String target;

    @Option(
            names = {"-m", "--method"},
            paramLabel = "METHOD",
            description = "HTTP method. Default: GET, or POST with a body.")
    String method;

    @Option(
            names = {"-H", "--header"},
            paramLabel = "'NAME: VALUE'",
            description = "An extra request header; repeatable.")
    java.util.List<String> headers = new java.util.ArrayList<>();

    @Option(names = "--body", paramLabel = "TEXT", description = "Request body (UTF-8).")
    String body;

    @Option(names = "--body-file", paramLabel = "FILE", description = "Request body from FILE, byte for byte.")
    Path bodyFile;

    @Option(
            names = "--verify",
            paramLabel = "echo|status|none",
            description = {
                "What makes a response right: echo (a 200 carrying the message or body back), status (any 2xx), none (any response).",
                "ws://, wss://: echo checks each message's echo; status and none take any message back after the handshake's 101.",
                "Default: echo on /echo, tcp://, ws:// and wss://, status elsewhere."
            })
    String verify;

    @Option(names = "--fail-on-behind", description = "Exit 6 if an open workload (--rate) could not keep its rate.")
    boolean failOnBehind;

    @Option(
            names = {"-c", "--connections"},
            paramLabel = "C",
            defaultValue = "10",
            description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--connect-per-request",
            description = "Open a new connection for every request (shows what a connection costs the server).")
    boolean connectPerRequest;

    @Option(
            names = {"-R", "--rate"},
            paramLabel = "REQ/S",
            defaultValue = "0",
            description = "Open workload at this many requests per second; 0 means closed. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(
            names = {"-d", "--duration"},
            paramLabel = "DURATION",
            description = "How long to measure, e.g. 10s. Default: 10s, unless --requests is given.")
    Duration duration;

    @Option(
            names = {"-n", "--requests"},
            paramLabel = "N",
            description = "Stop after N measured requests (with --duration: whichever comes first).")
    long requests;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "0",
            description = "Run this long first without recording. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            description = "The server's wait before each echo (wait=), e.g. 100ms.")
    Duration wait;

    @Option(
            names = "--work",
            paramLabel = "sleep|cpu",
            description = "What the server does while waiting (work=): sleep or cpu.")
    String work;

    @Option(
            names = "--size",
            paramLabel = "SIZE",
            converter = ByteSizes.AsInt.class,
            defaultValue = "0",
            description =
                    "Echo size (size=): the message padded to SIZE, e.g. 512B or 64KiB; 0 for the message alone. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "A request not answered within this fails as a timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Generator threads; 0 means one per core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = {"-k", "--insecure"},
            description =
                    "https, wss: trust any certificate (a self-signed server's); the traffic is encrypted, the server not authenticated.")
    boolean insecure;

    @Option(
            names = "--cacert",
            paramLabel = "FILE",
            description =
                    "https, wss: trust the certificates in this PEM file (e.g. the server's own self-signed one).")
    Path caCert;

    @Option(names = "--json", description = "Print the summary as JSON on stdout (the human summary goes to stderr).")
    boolean json;

    @Option(
            names = "--hgrm",
            paramLabel = "FILE",
            description = "Write the HdrHistogram percentile distribution (ms) to FILE.")
    Path hgrm;

    @Option(
            names = "--hlog",
            paramLabel = "FILE",
            description =
                    "Write an HdrHistogram interval log (a latency histogram per second, in microseconds, and the run's counts) to FILE; 'echolab load merge' adds several up.")
    Path hlog;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() {
        if (target == null) {
            System.err.println(
                    "echolab load: give a TARGET (http://host:port/path or tcp://host:port), or 'merge FILE...';"
                            + " see 'echolab load --help'");
            return ExitCode.USAGE.code;
        }
        LoadSpec spec;
        try {
            LoadSpec.Builder b = LoadSpec.builder(new URI(target))
                    .connections(connections)
                    .connectPerRequest(connectPerRequest)
                    .rate(rate)
                    .requests(requests)
                    .warmup(warmup)
                    .serverWait(wait)
                    .work(work)
                    .size(size)
                    .timeout(timeout)
                    .threads(threads)
                    .method(method)
                    .body(body())
                    .verify(verify())
                    .insecure(insecure)
                    .caCert(caCert);
            headers.forEach(b::header);
            if (duration != null) {
                b.duration(duration);
            }
            spec = b.build();
        } catch (URISyntaxException e) {
            System.err.println(
                    "echolab load: '" + target + "' is not a valid target (" + e.getReason()
                            + "); use http://host:port/path, https://host:port/path, ws://host:port/path, wss://host:port/path or tcp://host:port");
            return ExitCode.USAGE.code;
        } catch (IllegalArgumentException e) {
            System.err.println("echolab load: " + e.getMessage());
            return ExitCode.USAGE.code;
        } catch (IOException e) {
            System.err.println("echolab load: cannot read --body-file " + bodyFile + ": " + e.getMessage());
            return ExitCode.USAGE.code;
        }

        Path hgrmDir = hgrm == null ? null : hgrm.toAbsolutePath().getParent();
        if (hgrmDir != null && !Files.isDirectory(hgrmDir)) {
            System.err.println("echolab load: --hgrm " + hgrm + ": no such directory "
                    + hgrmDir); // say so before the run, not after
            return ExitCode.USAGE.code;
        }
        HistogramLog.Writer hlogWriter = null;
        if (hlog != null) {
            try {
                hlogWriter = HistogramLog.Writer.open(hlog, spec);
            } catch (IOException e) {
                System.err.println("echolab load: --hlog " + hlog + ": cannot write it: " + e.getMessage());
                return ExitCode.USAGE.code;
            }
        }

        PrintStream human = json ? System.err : System.out;
        human.println("echolab load " + spec.target() + ": " + spec.describe());
        // Ctrl-C: stop the run, print what it measured so far, then let the JVM exit
        Thread caller = Thread.currentThread();
        CountDownLatch reported = new CountDownLatch(1);
        Thread onCtrlC = Thread.ofPlatform().name("echolab-load-stop").unstarted(() -> {
            caller.interrupt();
            try {
                reported.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            return runAndReport(spec, human, hlogWriter);
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running
            }
        }
    }

    private byte[] body() throws IOException {
        if (body != null && bodyFile != null) {
            throw new IllegalArgumentException("give --body or --body-file, not both");
        }
        if (bodyFile != null) {
            if (Files.size(bodyFile) > LoadSpec.MAX_BODY) {
                throw new IllegalArgumentException(
                        "--body-file " + bodyFile + " is over " + LoadSpec.MAX_BODY + " bytes");
            }
            return Files.readAllBytes(bodyFile);
        }
        return body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private LoadSpec.Verify verify() {
        if (verify == null) {
            return null;
        }
        try {
            return LoadSpec.Verify.valueOf(verify.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--verify must be echo, status or none (got '" + verify + "')");
        }
    }

    private int runAndReport(LoadSpec spec, PrintStream human, HistogramLog.Writer hlogWriter) {
        LoadResult result;
        Consumer<LoadGenerator.Progress> progress = p -> {
            if (hlogWriter != null) {
                hlogWriter.accept(p);
            }
            if (!quiet) {
                System.err.printf(
                        Locale.ROOT,
                        "%6.0fs  %9d ok  %6d errors  %9.0f req/s  p99 %s%n",
                        p.elapsed().toMillis() / 1000.0,
                        p.requests(),
                        p.errors(),
                        p.currentRate(),
                        p.requests() == 0 ? "n/a" : millis(p.p99Millis()));
            }
        };
        try {
            result = LoadGenerator.run(spec, progress);
        } catch (LoadException e) {
            System.err.println("echolab load: " + e.getMessage());
            if (hlogWriter != null) {
                try {
                    hlogWriter.discard();
                } catch (IOException ignored) {
                    // a header-only file left behind; 'load merge' says it is incomplete
                }
            }
            return ExitCode.CANNOT_START.code;
        }

        summary(result, human);
        if (json) {
            System.out.println(result.toJson());
        }
        if (hlogWriter != null) {
            try {
                hlogWriter.finish(result);
            } catch (IOException e) {
                System.err.println("echolab load: cannot write " + hlog + ": " + e.getMessage());
                return ExitCode.FAILED.code;
            }
        }
        if (hgrm != null) {
            try (PrintStream out =
                    new PrintStream(Files.newOutputStream(hgrm), false, java.nio.charset.StandardCharsets.UTF_8)) {
                result.writePercentileDistribution(out);
            } catch (IOException e) {
                System.err.println("echolab load: cannot write " + hgrm + ": " + e.getMessage());
                return ExitCode.FAILED.code;
            }
        }
        if (result.requests() == 0 && !result.interrupted()) {
            System.err.println("echolab load: FAILED: no request completed in " + Durations.format(result.elapsed())
                    + (result.errors() > 0
                            ? ": every one failed (" + kinds(result.errorsByKind()) + ")"
                            : ": none was answered within the run; give a longer --duration, or more --requests")
                    + "; there are no figures to report (exit " + ExitCode.NOTHING_COMPLETED.code + ")");
            return ExitCode.NOTHING_COMPLETED.code;
        }
        // Starved connections, like a schedule that fell behind, are findings about the server, not
        // failures: every echo was right. They are warnings (exit 0); scripts read fairness.starved.
        if (result.errors() > 0) {
            return ExitCode.FAILED.code;
        }
        return failOnBehind && result.fellBehind() ? ExitCode.FELL_BEHIND.code : ExitCode.OK.code;
    }

    static void summary(LoadResult r, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "  requests   %d ok in %.2f s = %.1f req/s%n",
                r.requests(),
                r.elapsed().toNanos() / 1e9,
                r.throughput());
        out.println("  errors     " + r.errors() + (r.errors() == 0 ? "" : ": " + kinds(r.errorsByKind())));
        for (String kind : r.errorsByKind().keySet()) {
            String advice = TlsFailure.advice(kind);
            if (advice != null) {
                out.println("  " + kind + ": " + advice);
            }
        }
        if (!r.statuses().isEmpty()) {
            out.println("  statuses   "
                    + r.statuses().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")));
        }
        if (r.anyLatency()) {
            out.println("  latency    p50 " + millis(r.percentileMillis(50)) + "  p90 " + millis(r.percentileMillis(90))
                    + "  p99 " + millis(r.percentileMillis(99)) + "  p99.9 " + millis(r.percentileMillis(99.9))
                    + "  max " + millis(r.maxMillis())
                    + (r.spec().open() ? "  (from each request's intended start)" : ""));
        } else {
            out.println("  latency    n/a (no request succeeded)");
        }
        Fairness f = r.fairness();
        String who = r.spec().connectPerRequest()
                ? "clients"
                : "connections"; // a client opens many with --connect-per-request
        out.println("  per conn   " + f.spread() + " answers (min / median / max) in the measured period, "
                + f.connections() + " " + who);
        if (r.spec().connectPerRequest()) {
            out.println("  connections " + r.connectionsOpened() + " opened");
        }
        if (!r.workers().isEmpty()) {
            out.println("  workers    " + r.workers().size() + " distinct (X-Echo-Worker)");
        }
        if (r.spec().open()) {
            out.println("  schedule   generator lag p99 " + millis(r.generatorLagP99Millis()) + ", max "
                    + millis(r.generatorLagMaxMillis()) + "; " + r.unsent() + " scheduled requests unsent");
            if (r.fellBehind()) {
                out.println("  WARNING: the run fell behind its schedule of "
                        + r.spec().rate() + " req/s: "
                        + (r.unsent() > 0
                                ? r.unsent() + " requests were due but never sent because every connection was busy "
                                        + "(the server is slower than the rate, or add --connections)"
                                : "the generator itself started requests late; its figures overstate latency"));
            }
        }
        if (f.anyStarved()) {
            int served = f.connections() - f.starved();
            out.println("  WARNING: " + f.starvedOfAll() + " " + who
                    + " were starved: no answer in the measured period while "
                    + served + (served == 1 ? " other was" : " others were") + " served (a server that serves one "
                    + "connection at a time, or whose queue is full, does this); req/s is what the served ones got");
        }
        if (r.interrupted()) {
            out.println("  (interrupted: the figures cover only what completed)");
        }
    }

    private static String kinds(Map<String, Long> byKind) {
        return byKind.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    static String millis(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, ms >= 10 ? "%.1f ms" : "%.2f ms", ms);
    }
}
