package org.echolab.cli;

import java.time.Duration;
import org.echolab.logging.Logs;
import org.echolab.protocol.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code echolab}: parses the command line and runs the subcommand. Nothing else lives here. */
@Command(name = "echolab", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A wait-and-echo server under interchangeable concurrency models, with a race lab, "
                + "a load generator and a benchmark.",
        subcommands = {ServeCommand.class, LoadCommand.class, ModelsCommand.class, BenchCommand.class, RaceCommand.class,
                LabCommand.class, WatchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        configureLogging(false);
        System.setProperty("echolab.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        System.setProperty("echolab.models", String.join(",", org.echolab.models.Models.names()));
        System.setProperty("echolab.maxConnections",
                Integer.toString(org.echolab.config.ServerConfig.builder().build().connectionLimit()));
        CommandLine cmd = new CommandLine(new Main())
                .registerConverter(Duration.class, Main::duration)
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
            System.setProperty(Logs.VERBOSE, "true");       // children inherit echolab.* properties
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
