package org.echolab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.echolab.config.Settings;
import org.echolab.load.LoadException;
import org.echolab.models.Models;
import org.echolab.models.UnsupportedPlatformException;
import org.echolab.protocol.Durations;
import org.echolab.race.RaceLab;
import org.echolab.race.RaceRow;
import org.echolab.state.States;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code echolab race}: the race lab end to end, one table row per model and state variant. */
@Command(
        name = "race",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Show the shared-state races from outside. For each model and state variant: start a server on a "
                    + "free port, send K requests from C concurrent clients, stop it, and compare what its state "
                    + "counted with what the clients saw.",
            "",
            "Columns: expected = requests answered OK; served and last# = the state's count and last request "
                    + "number (both should equal expected); lost = expected - served; dups = request numbers "
                    + "(X-Echo-Request) the clients saw more than once; client = the per-client count for 127.0.0.1 "
                    + "(- where the variant keeps none); peak = the peak of open connections, right when it is at "
                    + "least 1, at most the connections the clients opened (+1 for the load generator's probe), and no "
                    + "connection is still counted open after the stop; per conn = answers per client connection, "
                    + "min / median / max (how the model shares itself out: 'sequential' serves one connection until it "
                    + "leaves, so the others get one answer each at the end); window = the pause the broken "
                    + "variant took between read and write (--race-window).",
            "",
            "Expected: with 'sequential' (one request at a time) every variant is correct; with threads the "
                    + "broken variants (broken, broken-adder, shm-broken) race and the others are correct; with "
                    + "processes (process, prefork) every heap variant is wrong too, since each process counts "
                    + "for itself, and only shm-atomic is correct.",
            "Exit status 0 when every row is as expected, 1 (failed) when a correct variant lost or "
                    + "repeated anything, a broken one showed nothing where it should race, or a request went "
                    + "unanswered; 2 for bad options; 3 if a server cannot start."
        })
final class RaceCommand implements Callable<Integer> {

    @Option(
            names = "--models",
            paramLabel = "LIST",
            split = ",",
            description = "Models to run, comma-separated. Default: all (${sys:echolab.race.models}).")
    List<String> models;

    @Option(
            names = "--states",
            paramLabel = "LIST",
            split = ",",
            description = "State variants to run, comma-separated. Default: all (${sys:echolab.race.states}).")
    List<String> states;

    @Option(
            names = {"-n", "--requests"},
            paramLabel = "K",
            defaultValue = "2000",
            description = "Requests per row, in all. Default: ${DEFAULT-VALUE}.")
    long requests;

    @Option(
            names = {"-c", "--clients"},
            paramLabel = "C",
            defaultValue = "8",
            description = "Concurrent clients (connections). Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--race-window",
            paramLabel = "DURATION",
            defaultValue = "1ms",
            description = "Pause the broken variants take between reading shared state and writing it back, to "
                    + "make bad interleavings likely; 0 for none (the races are then rare but real: jcstress finds them). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(
            names = "--connect-per-request",
            description = "Open a new connection for every request (more opens and closes racing on the "
                    + "open/peak gauges; slow with the process model, a JVM per connection). Default: keep-alive.")
    boolean connectPerRequest;

    static {
        System.setProperty("echolab.race.models", String.join(",", Models.names()));
        System.setProperty("echolab.race.states", String.join(",", States.names()));
    }

    @Override
    public Integer call() {
        List<String> modelNames = models == null ? Models.names() : models;
        List<States.Variant> variants = new ArrayList<>();
        try {
            modelNames.forEach(Models::byName);
            for (String s : states == null ? States.names() : states) {
                variants.add(States.byName(s));
            }
            require(
                    requests >= 1 && requests <= 10_000_000,
                    "--requests must be from 1 to 10000000 (got " + requests + ")");
            require(clients >= 1 && clients <= 1000, "--clients must be from 1 to 1000 (got " + clients + ")");
            Settings.RACE_WINDOW.check(window); // serve's rule
        } catch (IllegalArgumentException e) {
            System.err.println("echolab race: " + e.getMessage());
            return ExitCode.USAGE.code;
        }
        PrintStream out = System.out;
        out.printf(
                "echolab race: %d requests from %d clients (%s) per row; broken variants pause %s between read and write%n",
                requests,
                clients,
                connectPerRequest ? "a connection per request" : "keep-alive",
                Durations.format(window));
        out.printf(
                "%-11s %-13s %8s %8s %8s %8s %8s %8s  %-19s %-14s %-7s %s%n",
                "model",
                "state",
                "expected",
                "served",
                "last#",
                "lost",
                "dups",
                "client",
                "per conn",
                "peak",
                "window",
                "verdict");
        RaceLab.Settings settings = new RaceLab.Settings(requests, clients, window, connectPerRequest);
        int unexpected = 0;
        for (String model : modelNames) {
            for (States.Variant variant : variants) {
                RaceRow row;
                try {
                    row = RaceLab.run(model, variant, settings);
                } catch (UnsupportedPlatformException e) {
                    out.printf("%-11s %-13s model cannot run here: %s%n", model, variant.name(), e.getMessage());
                    continue;
                } catch (IOException e) {
                    System.err.println(
                            "echolab race: cannot start " + model + " with " + variant.name() + ": " + e.getMessage());
                    return ExitCode.CANNOT_START.code;
                } catch (LoadException e) {
                    System.err.println("echolab race: the clients could not reach " + model + " with " + variant.name()
                            + ": " + e.getMessage());
                    return ExitCode.FAILED.code;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExitCode.FAILED.code;
                }
                print(out, row);
                if (!row.asExpected()) {
                    unexpected++;
                }
            }
        }
        if (unexpected > 0) {
            out.printf("%d row(s) not as expected (marked UNEXPECTED)%n", unexpected);
            return ExitCode.FAILED.code;
        }
        out.println("every row as expected");
        return ExitCode.OK.code;
    }

    private static void print(PrintStream out, RaceRow r) {
        String peak = (r.peakRight() ? "ok " : "WRONG ") + r.peak() + (r.open() != 0 ? " open=" + r.open() : "");
        String verdict;
        if (r.errors() > 0) {
            verdict = "UNEXPECTED: " + r.errors() + " request(s) unanswered";
        } else {
            verdict = (r.clean() ? "correct" : "races")
                    + (r.asExpected() ? ", as expected" : ": UNEXPECTED, expected " + r.expectation().word);
        }
        out.printf(
                "%-11s %-13s %8d %8d %8d %8d %8d %8s  %-19s %-14s %-7s %s%n",
                r.model(),
                r.state(),
                r.expected(),
                r.served(),
                r.lastNumber(),
                r.lost(),
                r.duplicates(),
                r.perClient() < 0 ? "-" : Long.toString(r.perClient()),
                r.fairness().spread(),
                peak,
                r.window().isZero() ? "-" : Durations.format(r.window()),
                verdict);
        out.flush();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
