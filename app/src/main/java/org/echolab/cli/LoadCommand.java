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
import java.util.stream.Collectors;
import org.echolab.load.Fairness;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code echolab load TARGET}: parses the options, runs {@link LoadGenerator}, prints the summary. */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send load to an echo server and verify every echo byte for byte.",
                "Closed workload (default): --connections clients back to back over keep-alive.",
                "Open workload: --rate R req/s on a constant schedule; latency from each request's intended start.",
                "Exit 1 if any request failed; starved connections (no answer while others were served) are a warning.",
                "Try: echolab load http://127.0.0.1:8080/echo -c 50 -d 10s"})
final class LoadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "http://host:port/path (default path /echo), ws://host:port/path (default path /ws) or tcp://host:port.")
    String target;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "10", description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--connect-per-request", description = "Open a new connection for every request (shows what a connection costs the server).")
    boolean connectPerRequest;

    @Option(names = {"-R", "--rate"}, paramLabel = "REQ/S", defaultValue = "0", description = "Open workload at this many requests per second; 0 means closed. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "How long to measure, e.g. 10s. Default: 10s, unless --requests is given.")
    Duration duration;

    @Option(names = {"-n", "--requests"}, paramLabel = "N", description = "Stop after N measured requests (with --duration: whichever comes first).")
    long requests;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0", description = "Run this long first without recording. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--wait", paramLabel = "DURATION", description = "The server's wait before each echo (wait=), e.g. 100ms.")
    Duration wait;

    @Option(names = "--work", paramLabel = "sleep|cpu", description = "What the server does while waiting (work=): sleep or cpu.")
    String work;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "0", description = "Echo size (size=): the message padded to BYTES; 0 for the message alone. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", description = "A request not answered within this fails as a timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "Generator threads; 0 means one per core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--json", description = "Print the summary as JSON on stdout (the human summary goes to stderr).")
    boolean json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Write the HdrHistogram percentile distribution (ms) to FILE.")
    Path hgrm;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() {
        LoadSpec spec;
        try {
            LoadSpec.Builder b = LoadSpec.builder(new URI(target))
                    .connections(connections).connectPerRequest(connectPerRequest).rate(rate)
                    .requests(requests).warmup(warmup).serverWait(wait).work(work).size(size)
                    .timeout(timeout).threads(threads);
            if (duration != null) {
                b.duration(duration);
            }
            spec = b.build();
        } catch (URISyntaxException e) {
            System.err.println("echolab load: '" + target + "' is not a valid target (" + e.getReason()
                    + "); use http://host:port/path, ws://host:port/path or tcp://host:port");
            return ExitCode.USAGE.code;
        } catch (IllegalArgumentException e) {
            System.err.println("echolab load: " + e.getMessage());
            return ExitCode.USAGE.code;
        }

        Path hgrmDir = hgrm == null ? null : hgrm.toAbsolutePath().getParent();
        if (hgrmDir != null && !Files.isDirectory(hgrmDir)) {
            System.err.println("echolab load: --hgrm " + hgrm + ": no such directory " + hgrmDir);   // say so before the run, not after
            return ExitCode.USAGE.code;
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
            return runAndReport(spec, human);
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running
            }
        }
    }

    private int runAndReport(LoadSpec spec, PrintStream human) {
        LoadResult result;
        try {
            result = LoadGenerator.run(spec, quiet ? null : p -> System.err.printf(Locale.ROOT,
                    "%6.0fs  %9d ok  %6d errors  %9.0f req/s  p99 %s%n",
                    p.elapsed().toMillis() / 1000.0, p.requests(), p.errors(), p.currentRate(), millis(p.p99Millis())));
        } catch (LoadException e) {
            System.err.println("echolab load: " + e.getMessage());
            return ExitCode.CANNOT_START.code;
        }

        summary(result, human);
        if (json) {
            System.out.println(result.toJson());
        }
        if (hgrm != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, java.nio.charset.StandardCharsets.UTF_8)) {
                result.writePercentileDistribution(out);
            } catch (IOException e) {
                System.err.println("echolab load: cannot write " + hgrm + ": " + e.getMessage());
                return ExitCode.FAILED.code;
            }
        }
        // Starved connections, like a schedule that fell behind, are findings about the server, not
        // failures: every echo was right. They are warnings (exit 0); scripts read fairness.starved.
        return result.errors() > 0 ? ExitCode.FAILED.code : ExitCode.OK.code;
    }

    static void summary(LoadResult r, PrintStream out) {
        out.printf(Locale.ROOT, "  requests   %d ok in %.2f s = %.1f req/s%n", r.requests(), r.elapsed().toNanos() / 1e9, r.throughput());
        out.println("  errors     " + r.errors() + (r.errors() == 0 ? "" : ": " + kinds(r.errorsByKind())));
        out.println("  latency    p50 " + millis(r.percentileMillis(50)) + "  p90 " + millis(r.percentileMillis(90))
                + "  p99 " + millis(r.percentileMillis(99)) + "  p99.9 " + millis(r.percentileMillis(99.9))
                + "  max " + millis(r.maxMillis()) + (r.spec().open() ? "  (from each request's intended start)" : ""));
        Fairness f = r.fairness();
        String who = r.spec().connectPerRequest() ? "clients" : "connections";   // a client opens many with --connect-per-request
        out.println("  per conn   " + f.spread() + " answers (min / median / max) in the measured period, "
                + f.connections() + " " + who);
        if (r.spec().connectPerRequest()) {
            out.println("  connections " + r.connectionsOpened() + " opened");
        }
        if (!r.workers().isEmpty()) {
            out.println("  workers    " + r.workers().size() + " distinct (X-Echo-Worker)");
        }
        if (r.spec().open()) {
            out.println("  schedule   generator lag p99 " + millis(r.generatorLagP99Millis()) + ", max " + millis(r.generatorLagMaxMillis())
                    + "; " + r.unsent() + " scheduled requests unsent");
            if (r.fellBehind()) {
                out.println("  WARNING: the run fell behind its schedule of " + r.spec().rate() + " req/s: "
                        + (r.unsent() > 0 ? r.unsent() + " requests were due but never sent because every connection was busy "
                                + "(the server is slower than the rate, or add --connections)"
                                : "the generator itself started requests late; its figures overstate latency"));
            }
        }
        if (f.anyStarved()) {
            int served = f.connections() - f.starved();
            out.println("  WARNING: " + f.starvedOfAll() + " " + who + " were starved: no answer in the measured period while "
                    + served + (served == 1 ? " other was" : " others were") + " served (a server that serves one "
                    + "connection at a time, or whose queue is full, does this); req/s is what the served ones got");
        }
        if (r.interrupted()) {
            out.println("  (interrupted: the figures cover only what completed)");
        }
    }

    private static String kinds(Map<String, Long> byKind) {
        return byKind.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    static String millis(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, ms >= 10 ? "%.1f ms" : "%.2f ms", ms);
    }

}
