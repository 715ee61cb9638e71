package org.echolab.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log format for every EchoLab process (the command, a {@code process} child, a {@code prefork}
 * worker, the AOT training at build time): one line per record on stderr, with a timestamp, the
 * level, which process wrote it (many share one stderr) and the logger:
 * {@code 2026-11-30 12:30:18.123 INFO  [process 4321] echolab.session: message}.
 * A record's exception is summed up on the same line; only an ERROR (a bug) gets its stack trace.
 *
 * <p>The command calls {@link #configure}; a child JVM is started with
 * {@code -Djava.util.logging.config.class=org.echolab.logging.Logs$Config} and
 * {@code -Decholab.log.role=...}, so it logs the same way before its main runs.
 */
public final class Logs {

    /** The system property that names a process's role in its log lines. */
    public static final String ROLE = "echolab.log.role";
    /** The system property that turns on FINE (DEBUG) records, as {@code -v} does. */
    public static final String VERBOSE = "echolab.log.verbose";

    /** The parent of EchoLab's loggers: each is named after its class, as {@code org.echolab.connection.Conversation}. */
    public static final String OURS = "org.echolab";

    private Logs() {}

    /** Logs go to stderr, one line each; {@code verbose}: DEBUG records too (each connection's story). */
    public static void configure(String role, boolean verbose) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler stderr = new ConsoleHandler(); // ConsoleHandler writes to System.err
        stderr.setFormatter(new OneLine(role));
        stderr.setLevel(verbose ? Level.FINE : Level.INFO);
        root.addHandler(stderr);
        // -v is for EchoLab's own story: the JDK's loggers (the HTTP client's, security's, and
        // Runtime.exit's DEBUG record with a stack trace on every clean stop) stay at INFO
        root.setLevel(Level.INFO);
        Logger.getLogger(OURS).setLevel(verbose ? Level.FINE : Level.INFO);
        OWN.set(Logger.getLogger(OURS)); // held: the LogManager keeps only weak references
    }

    private static final java.util.concurrent.atomic.AtomicReference<Logger> OWN =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * A line that is not a log record (a one-off notice on stderr) in the same format, so that every
     * line EchoLab writes to stderr reads alike.
     */
    public static void notice(String logger, String message) {
        System.getLogger(logger).log(System.Logger.Level.INFO, message);
    }

    /** For {@code -Djava.util.logging.config.class}: configures from {@link #ROLE} and {@link #VERBOSE}. */
    public static final class Config {
        public Config() {
            configure(System.getProperty(ROLE, "echolab"), Boolean.getBoolean(VERBOSE));
        }
    }

    /** The line format. */
    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
        private final String who;

        OneLine(String role) {
            this.who = "[" + role + " " + ProcessHandle.current().pid() + "]";
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder line = new StringBuilder(160)
                    .append(TIME.format(r.getInstant()))
                    .append(' ')
                    .append(String.format("%-5s", level(r.getLevel())))
                    .append(' ')
                    .append(who)
                    .append(' ')
                    .append(shortName(r.getLoggerName()))
                    .append(": ")
                    .append(formatMessage(r).replace('\n', ' '));
            Throwable t = r.getThrown();
            if (t != null && r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace.toString().stripTrailing());
            } else if (t != null) {
                line.append(" (").append(t).append(')');
            }
            return line.append(System.lineSeparator()).toString();
        }

        /** A logger of EchoLab's by its class within the project ({@code connection.Conversation}); others whole. */
        static String shortName(String logger) {
            return logger != null && logger.startsWith(OURS + ".") ? logger.substring(OURS.length() + 1) : logger;
        }

        /** System.Logger's names: ERROR, WARN, INFO, DEBUG, TRACE. */
        private static String level(Level l) {
            int v = l.intValue();
            return v >= Level.SEVERE.intValue()
                    ? "ERROR"
                    : v >= Level.WARNING.intValue()
                            ? "WARN"
                            : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }
    }
}
