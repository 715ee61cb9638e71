package org.echolab.config;

import static org.echolab.config.ServerConfig.AUTO;
import static org.echolab.config.ServerConfig.CORES;
import static org.echolab.config.ServerConfig.MAX_DATAGRAM;
import static org.echolab.config.ServerConfig.MAX_DRAIN_DELAY;
import static org.echolab.config.ServerConfig.SAME_PORT;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.echolab.config.ServerConfig.AccessLogFormat;
import org.echolab.config.ServerConfig.Overflow;
import org.echolab.config.ServerConfig.ProtocolChoice;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Limits;
import org.echolab.protocol.Sizes;

/**
 * Every server setting, each declared once, grouped by the part of the server it tunes. Adding one
 * here, with its field in {@link ServerConfig} and its builder method, gives it a {@code serve}
 * option, a line in {@code --help}, a place in the child JVMs' arguments and (once the docs test
 * is run to update it) a row in docs/server.md. Checks between two settings are in
 * {@link ServerConfig.Builder#build()}; which model and state variant a name chooses is checked
 * where those are registered.
 */
public final class Settings {

    private Settings() {}

    /** A whole number, or {@code auto} ({@link ServerConfig#AUTO}): the process decides from its limits. */
    private static final Form<Integer> WHOLE_OR_AUTO = new Form<>(
            Integer.class,
            "N|auto",
            text -> {
                if (text.strip().equalsIgnoreCase("auto")) {
                    return AUTO;
                }
                try {
                    return Integer.parseInt(text.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a whole number or auto");
                }
            },
            n -> n == AUTO ? "auto" : Integer.toString(n));

    /** {@code --max-body} sets the one limit of {@link Limits} people tune; the others keep their defaults. */
    private static final Form<Limits> BODY_LIMIT = new Form<>(
            Limits.class,
            "SIZE",
            text -> Limits.DEFAULT.withMaxBody((int) Sizes.parse(text, Integer.MAX_VALUE)),
            l -> Sizes.format(l.maxBody()));

    /** A file named on the command line, made absolute: the process models' children start elsewhere. */
    private static final Form<String> LOG_FILE = new Form<>(
            String.class,
            "FILE",
            text -> text.equals("-") ? "-" : Path.of(text).toAbsolutePath().toString(),
            f -> f);

    private static final Form<Integer> PORT_NUMBER = Form.WHOLE.label("PORT");

    // ---- the model -------------------------------------------------------------------------------

    public static final Setting<String> MODEL =
            Setting.of("model", Form.TEXT.label("MODEL"), "virtual", "Concurrency model (see 'echolab models').");

    // ---- where it listens ------------------------------------------------------------------------

    public static final Setting<String> BIND =
            Setting.of("bind", Form.TEXT.label("ADDR"), "127.0.0.1", "Address to listen on.");
    public static final Setting<Integer> PORT = Setting.of(
                    "port", PORT_NUMBER, 8080, "Port; 0 picks a free one (the startup line prints it).")
            .check(p -> p >= 0 && p <= 65535, "must be from 0 to 65535");
    public static final Setting<Integer> BACKLOG = Setting.of(
                    "backlog", Form.WHOLE, 4096, "Listen backlog (the kernel caps it at net.core.somaxconn).")
            .check(n -> n >= 1, "must be at least 1");
    public static final Setting<Boolean> REUSE_PORT = Setting.of(
                    "reuseport",
                    Form.FLAG,
                    false,
                    "Listen with SO_REUSEPORT: several servers (and each prefork worker) bind the same port and the kernel"
                            + " spreads new connections over them.")
            .field("reusePort");
    public static final Setting<ProtocolChoice> PROTOCOL = Setting.of(
            "protocol",
            Form.choice(ProtocolChoice.class),
            ProtocolChoice.AUTO,
            "auto (tell HTTP from TCP lines by the first line), http or tcp.");

    // ---- waits -----------------------------------------------------------------------------------

    public static final Setting<Duration> WAIT = Setting.of(
                    "wait",
                    Form.DURATION,
                    Duration.ZERO,
                    "Wait before each echo when the request names none, e.g. 100ms.")
            .field("defaultWait")
            .check(d -> !d.isNegative(), "must not be negative");
    public static final Setting<Duration> MAX_WAIT = Setting.of(
            "max-wait", Form.DURATION, Duration.ofSeconds(10), "Longest wait a request may ask for; longer gets 400.");

    // ---- limits ----------------------------------------------------------------------------------

    public static final Setting<Limits> MAX_BODY = Setting.of(
                    "max-body",
                    BODY_LIMIT,
                    Limits.DEFAULT,
                    "Largest request body, e.g. 64KiB or 2m (2 MiB); larger gets 413.")
            .field("limits");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.of(
                    "max-connections",
                    WHOLE_OR_AUTO,
                    AUTO,
                    "Open connections at most; beyond it new ones wait in the backlog.")
            .defaultIs(
                    "auto, what the open-file limit (ulimit -n) leaves after the server's own files, and no more"
                            + " than the heap holds",
                    ServerConfig::autoConnectionLimit)
            .check(n -> n >= 1 || n == AUTO, "must be at least 1, or auto");
    public static final Setting<Integer> MAX_PER_CLIENT = Setting.of(
                    "max-per-client",
                    WHOLE_OR_AUTO,
                    AUTO,
                    "Connections one client address may hold at once; beyond it, 503 and close. 0: no bound.")
            .defaultIs("auto, half of what the model serves at once (pool: --threads), for clients from other"
                    + " machines only: loopback clients (127.0.0.1, ::1) are not bounded unless a number is given")
            .check(n -> n >= 0 || n == AUTO, "must be 0 (no bound) or more, or auto");
    public static final Setting<Long> MEMORY_BUDGET = Setting.of(
                    "memory-budget",
                    Form.LONG_SIZE,
                    0L,
                    "Bytes of request bodies and replies held at once, per process; beyond it new requests get 503.")
            .defaultIs("0, a quarter of the heap")
            .check(n -> n >= 0, "must be 0 (auto) or more bytes");
    public static final Setting<Duration> CPU_BUDGET = Setting.of(
                    "cpu-budget",
                    Form.DURATION,
                    Duration.ZERO,
                    "work=cpu the requests in flight may ask for in total, per process; beyond it 503.")
            .defaultIs("0, cores x --max-wait")
            .check(d -> !d.isNegative(), "must not be negative");

    // ---- timeouts --------------------------------------------------------------------------------

    public static final Setting<Duration> HEADER_TIMEOUT = Setting.of(
                    "header-timeout",
                    Form.DURATION,
                    Duration.ofSeconds(10),
                    "A request's head must arrive within this of its first byte (of the connection, for the first request),"
                            + " or 408 (or a quiet close if nothing came).")
            .check(Duration::isPositive, "must be above 0");
    public static final Setting<Duration> BODY_TIMEOUT = Setting.of(
                    "body-timeout",
                    Form.DURATION,
                    Duration.ofSeconds(10),
                    "A request's body must arrive within this of its head, or 408 and close.")
            .check(Duration::isPositive, "must be above 0");
    public static final Setting<Duration> WRITE_TIMEOUT = Setting.of(
                    "write-timeout",
                    Form.DURATION,
                    Duration.ofSeconds(10),
                    "A response that the client takes none of for this long is given up, and the connection closed.")
            .check(Duration::isPositive, "must be above 0");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.of(
                    "idle-timeout",
                    Form.DURATION,
                    Duration.ofSeconds(60),
                    "A connection idle between requests this long is closed.")
            .check(Duration::isPositive, "must be above 0");

    // ---- stopping --------------------------------------------------------------------------------

    public static final Setting<Duration> GRACE = Setting.of(
                    "grace",
                    Form.DURATION,
                    Duration.ofSeconds(10),
                    "On Ctrl-C or SIGTERM, how long requests in flight may take to finish.")
            .check(d -> !d.isNegative(), "must not be negative");
    public static final Setting<Duration> DRAIN_DELAY = Setting.of(
                    "drain-delay",
                    Form.DURATION,
                    Duration.ZERO,
                    "On Ctrl-C or SIGTERM, first answer 503 on /health/ready for this long while still serving, so a load"
                            + " balancer's health checks take this server out of rotation; then drain.")
            .defaultIs("0 (drain at once)")
            .check(
                    d -> !d.isNegative() && d.compareTo(MAX_DRAIN_DELAY) <= 0,
                    "must be from 0 to " + Durations.format(MAX_DRAIN_DELAY));

    // ---- pool and prethread ----------------------------------------------------------------------

    public static final Setting<Integer> THREADS = Setting.of(
                    "threads", Form.WHOLE, 200, "Worker threads (pool; prethread: threads that each accept).")
            .check(n -> n >= 1 && n <= 100_000, "must be from 1 to 100000");
    public static final Setting<Integer> QUEUE = Setting.of(
                    "queue", Form.WHOLE, 100, "Connections that may wait for a thread.")
            .check(n -> n >= 0, "must be 0 or more");
    public static final Setting<Overflow> OVERFLOW = Setting.of(
            "overflow",
            Form.choice(Overflow.class),
            Overflow.BACKLOG,
            "When threads and queue are full: backlog (stop accepting; clients wait in the kernel's backlog) or"
                    + " reject (answer 503).");

    // ---- process ---------------------------------------------------------------------------------

    public static final Setting<Integer> MAX_CHILDREN = Setting.of(
                    "max-children",
                    Form.WHOLE,
                    256,
                    "Child processes at most; beyond it new connections wait in the backlog.")
            .check(n -> n >= 1, "must be at least 1");
    public static final Setting<Integer> SPARES = Setting.of(
                    "spares",
                    Form.WHOLE,
                    0,
                    "Single-use children started ahead and waiting; the parent passes each connection to one (descriptor"
                            + " passing) and starts another.")
            .defaultIs("0 (a child is spawned per connection)")
            .check(n -> n >= 0 && n <= 1024, "must be from 0 to 1024");
    public static final Setting<Integer> MAX_STARTING = Setting.of(
                    "max-starting",
                    Form.WHOLE,
                    CORES,
                    "Children whose JVM may be starting at once; further connections wait, accepted.")
            .defaultIs("the number of cores", () -> CORES)
            .check(n -> n >= 1 && n <= 256, "must be from 1 to 256");

    // ---- prefork ---------------------------------------------------------------------------------

    public static final Setting<Integer> WORKERS = Setting.of("workers", Form.WHOLE, CORES, "Worker processes.")
            .defaultIs("the number of cores", () -> CORES)
            .check(n -> n >= 1 && n <= 1024, "must be from 1 to 1024");
    public static final Setting<String> WORKER_MODEL = Setting.of(
            "worker-model",
            Form.TEXT.label("MODEL"),
            "pool",
            "The model each worker runs inside: sequential, pool or virtual.");

    // ---- eventloop -------------------------------------------------------------------------------

    public static final Setting<Integer> LOOPS = Setting.of("loops", Form.WHOLE, CORES, "Selector loops.")
            .defaultIs("the number of cores", () -> CORES)
            .check(n -> n >= 1 && n <= 1024, "must be from 1 to 1024");
    public static final Setting<Boolean> OFFLOAD = Setting.of(
            "offload",
            Form.FLAG,
            true,
            "Run work=cpu on a bounded worker pool; --no-offload runs it on the loop, which it blocks.");
    public static final Setting<Integer> OFFLOAD_THREADS = Setting.of(
                    "offload-threads", Form.WHOLE, CORES, "Threads of the --offload pool.")
            .defaultIs("the number of cores", () -> CORES)
            .check(n -> n >= 1, "must be at least 1");

    // ---- race lab --------------------------------------------------------------------------------

    public static final Setting<String> STATE =
            Setting.of("state", Form.TEXT.label("VARIANT"), "atomic", "Shared-state variant (race lab).");
    public static final Setting<Duration> RACE_WINDOW = Setting.of(
                    "race-window",
                    Form.DURATION,
                    Duration.ZERO,
                    "The pause a broken --state takes between reading shared state and writing it back, e.g. 1ms, to make"
                            + " lost updates likely.")
            .defaultIs("0 (none)")
            .check(d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(1)) <= 0, "must be from 0 to 1s");

    // ---- access log ------------------------------------------------------------------------------

    public static final Setting<String> ACCESS_LOG = Setting.of(
                    "access-log",
                    LOG_FILE,
                    "",
                    "Log every answered request to FILE (appended to; - for stdout), one line each.")
            .defaultIs("no log");
    public static final Setting<AccessLogFormat> ACCESS_LOG_FORMAT = Setting.of(
            "access-log-format",
            Form.choice(AccessLogFormat.class),
            AccessLogFormat.COMMON,
            "common (the Common Log Format web log tools read) or json (one object a line, with duration and worker).");

    // ---- monitor ---------------------------------------------------------------------------------

    /** A configuration built without it has no monitor (-1); {@code serve} gives it the port the phrase says. */
    public static final Setting<Integer> MONITOR_PORT = Setting.of(
                    "monitor-port",
                    PORT_NUMBER,
                    -1,
                    "The monitor's port: /live (the live view), /metrics (Prometheus), /stats, answered on a thread of its"
                            + " own however busy the model is; 0 picks a free one, -1 turns it off.")
            .defaultIs("--port + 1 (a free one if that is taken, or with --port 0)")
            .check(p -> p >= -1 && p <= 65535, "must be from 0 to 65535, or -1 for none");

    public static final Setting<String> MONITOR_BIND = Setting.of(
                    "monitor-bind", Form.TEXT.label("ADDRESS"), "127.0.0.1", "The monitor's address.")
            .defaultIs("127.0.0.1 (loopback only, whatever --bind says: the live view shows every client's requests)");

    // ---- TLS -------------------------------------------------------------------------------------

    public static final Setting<Boolean> TLS = Setting.of(
            "tls",
            Form.FLAG,
            false,
            "Serve HTTPS and TCP lines over TLS (1.3 or 1.2, ALPN http/1.1) on the port, with --tls-cert and"
                    + " --tls-key, or else a self-signed certificate made at start (its SHA-256 fingerprint is on the"
                    + " startup line).");
    public static final Setting<Integer> TLS_PORT = Setting.of(
                    "tls-port",
                    PORT_NUMBER,
                    -1,
                    "Also serve HTTPS and TCP lines over TLS on this port, beside --port (plain unless --tls): the same"
                            + " model (each port with its own accept thread and workers), state, counts and limits, and"
                            + " one drain; 0 picks a free one. Not under sequential (one connection at a time).")
            .defaultIs("none (-1)")
            .check(p -> p >= -1 && p <= 65535, "must be from 0 to 65535, or -1 for none");
    public static final Setting<String> TLS_CERT = Setting.of(
                    "tls-cert", Form.TEXT.label("FILE"), "", "PEM file of the server's certificate, then any chain.")
            .defaultIs("none: a self-signed certificate");
    public static final Setting<String> TLS_KEY = Setting.of(
                    "tls-key",
                    Form.TEXT.label("FILE"),
                    "",
                    "PEM file of its private key (PKCS#8, RSA or EC; not encrypted).")
            .defaultIs("none: a self-signed certificate");

    // ---- WebSocket -------------------------------------------------------------------------------

    public static final Setting<Integer> WS_MAX_FRAME = Setting.of(
                    "ws-max-frame",
                    Form.SIZE,
                    1024 * 1024,
                    "Largest frame payload on /ws; a larger one is closed with 1009.")
            .check(n -> n >= 125, "must be at least 125 bytes");
    public static final Setting<Integer> WS_MAX_MESSAGE = Setting.of(
                    "ws-max-message",
                    Form.SIZE,
                    1024 * 1024,
                    "Largest message on /ws, its fragments together; a larger one is closed with 1009.")
            .check(n -> n >= 125, "must be at least 125 bytes");

    // ---- UDP -------------------------------------------------------------------------------------

    public static final Setting<Boolean> UDP = Setting.of(
            "udp", Form.FLAG, false, "Also echo UDP datagrams (RFC 862), each after its wait, on --udp-port.");
    public static final Setting<Integer> UDP_PORT = Setting.of("udp-port", PORT_NUMBER, SAME_PORT, "UDP port.")
            .defaultIs("the TCP port's number")
            .check(p -> p == SAME_PORT || p >= 0 && p <= 65535, "must be from 0 to 65535");
    public static final Setting<Integer> UDP_MAX_DATAGRAM = Setting.of(
                    "udp-max-datagram",
                    Form.SIZE,
                    8 * 1024,
                    "Larger datagrams are dropped and counted (/stats udpDroppedOversized).")
            .check(n -> n >= 1 && n <= MAX_DATAGRAM, "must be from 1 to " + MAX_DATAGRAM + " bytes");
    public static final Setting<Integer> UDP_QUEUE = Setting.of(
                    "udp-queue",
                    Form.WHOLE,
                    1024,
                    "Echoes that may wait at once; datagrams beyond are dropped and counted (/stats udpDroppedQueueFull).")
            .check(n -> n >= 1 && n <= 1_000_000, "must be from 1 to 1000000");

    /** Settings that tune one part of the server, under the heading {@code --help} and the docs give them. */
    public record Group(String heading, List<Setting<?>> settings) {
        Group(String heading, Setting<?>... settings) {
            this(heading, List.of(settings));
        }
    }

    /** Every setting, by part, in the order {@code --help} and docs/server.md show them. */
    public static final List<Group> GROUPS = List.of(
            new Group("Model", MODEL),
            new Group("Listening", BIND, PORT, BACKLOG, REUSE_PORT, PROTOCOL),
            new Group("Waits", WAIT, MAX_WAIT),
            new Group("Limits", MAX_BODY, MAX_CONNECTIONS, MAX_PER_CLIENT, MEMORY_BUDGET, CPU_BUDGET),
            new Group("Timeouts", HEADER_TIMEOUT, BODY_TIMEOUT, WRITE_TIMEOUT, IDLE_TIMEOUT),
            new Group("Stopping", GRACE, DRAIN_DELAY),
            new Group("pool and prethread", THREADS, QUEUE, OVERFLOW),
            new Group("process", MAX_CHILDREN, SPARES, MAX_STARTING),
            new Group("prefork", WORKERS, WORKER_MODEL),
            new Group("eventloop", LOOPS, OFFLOAD, OFFLOAD_THREADS),
            new Group("Race lab", STATE, RACE_WINDOW),
            new Group("Access log", ACCESS_LOG, ACCESS_LOG_FORMAT),
            new Group("Monitor", MONITOR_PORT, MONITOR_BIND),
            new Group("TLS", TLS, TLS_PORT, TLS_CERT, TLS_KEY),
            new Group("WebSocket", WS_MAX_FRAME, WS_MAX_MESSAGE),
            new Group("UDP", UDP, UDP_PORT, UDP_MAX_DATAGRAM, UDP_QUEUE));

    /** Every setting, in the order of {@link #GROUPS}. */
    public static final List<Setting<?>> ALL =
            GROUPS.stream().flatMap(g -> g.settings().stream()).toList();

    /** The setting held in {@code field} of {@link ServerConfig}, or null. */
    public static Setting<?> byField(String field) {
        return ALL.stream().filter(s -> s.field().equals(field)).findFirst().orElse(null);
    }
}
