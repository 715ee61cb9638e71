package org.echolab.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.echolab.logging.Logs;
import org.echolab.protocol.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code echolab}: parses the command line and runs the subcommand. Nothing else lives here. */
@Command(
        name = "echolab",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A wait-and-echo server under interchangeable concurrency models, with a race lab, "
                + "a load generator and a benchmark.",
        subcommands = {
            ServeCommand.class,
            LoadCommand.class,
            ModelsCommand.class,
            BenchCommand.class,
            RaceCommand.class,
            LabCommand.class,
            WatchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements java.util.concurrent.Callable<Integer> {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        configureLogging(false);
        System.setProperty("echolab.models", String.join(",", org.echolab.models.Models.names()));
        System.setProperty("echolab.main", Main.class.getName()); // how the lab's grader starts `echolab serve`
        CommandLine cmd = new CommandLine(new Main())
                .registerConverter(Duration.class, Main::duration)
                .registerConverter(URI.class, Main::uri)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExitCodeExceptionMapper(e -> ExitCode.FAILED.code);
        cmd.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("echolab: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return ExitCode.USAGE.code;
        });
        return cmd.execute(args);
    }

    /** {@code echolab} alone: what to type instead. */
    @Override
    public Integer call() {
        System.err.println(
                "echolab: give a command, e.g. 'echolab serve' (a server on 127.0.0.1:8080) or "
                        + "'echolab load http://127.0.0.1:8080/echo'; the commands: serve, load, bench, race, lab, watch, models");
        System.err.println("Try 'echolab --help' for more.");
        return ExitCode.USAGE.code;
    }

    /** A URL with its scheme: {@code 127.0.0.1:8081} alone is refused with the URL it probably meant. */
    private static URI uri(String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getScheme() == null || u.getHost() == null) {
            String guess = text.contains("://") ? "" : "; write http://" + text;
            throw new CommandLine.TypeConversionException(
                    "'" + text + "' is not a URL with a scheme and a host" + guess);
        }
        return u;
    }

    private static Duration duration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** Logs go to stderr, one line each ({@link Logs}); {@code verbose} shows each connection's story. */
    static void configureLogging(boolean verbose) {
        Logs.configure("echolab", verbose);
        if (verbose) {
            System.setProperty(Logs.VERBOSE, "true"); // children inherit echolab.* properties
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"echolab " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
