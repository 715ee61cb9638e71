package org.echolab.config;

import static org.echolab.config.Settings.*;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Limits;

/**
 * Everything a server needs to start: address, protocol, limits, lifecycle and each model's knobs.
 * Each value is a {@link Setting} declared once in {@link Settings}, with its default, doc and
 * check; the public fields are how the rest of the tree reads them. Immutable; build one with
 * {@link #builder()}, which checks every value (one place for the CLI, the race lab, the
 * benchmark and the tests). Which model and state variant the names choose is checked where
 * those are registered ({@code Models}, {@code States}).
 */
public final class ServerConfig {

    public enum ProtocolChoice {
        AUTO,
        HTTP,
        TCP
    }

    /** What the pool model does when every thread is busy and its queue is full. */
    public enum Overflow {
        /** Stop accepting: new connections wait in the kernel's accept backlog. */
        BACKLOG,
        /** Accept and answer 503 Service Unavailable at once, then close. */
        REJECT
    }

    /** How {@code --access-log} writes a line: the Common Log Format, or a JSON object. */
    public enum AccessLogFormat {
        COMMON,
        JSON
    }

    public static final int CORES = Runtime.getRuntime().availableProcessors();

    /** For {@code maxConnections} and {@code maxPerClient}: decided by this process, from its limits. */
    public static final int AUTO = -1;

    /** For {@code udpPort}: the same number as the TCP port. */
    public static final int SAME_PORT = -1;

    /** The largest payload a UDP datagram can carry over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    /** What the open-file limit leaves for connections: the server's own files (jars, selectors, logs) need room. */
    static int connectionsTheFileLimitAllows(long openFiles) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, openFiles - Math.max(64, openFiles / 16)));
    }

    /** Heap a connection may take at its limits (read buffer, a request line and 32 KiB of headers), with room to spare. */
    static final long HEAP_PER_CONNECTION = 256 * 1024;
    /** Longest {@code --drain-delay}: a balancer that needs longer to notice is misconfigured. */
    public static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(5);

    // Every setting's value, read by the field initialisers below: set before super() (JEP 513).
    private final Map<Setting<?>, Object> values;

    public final String model = get(MODEL);
    public final String bind = get(BIND);
    public final int port = get(PORT);
    public final int backlog = get(BACKLOG);
    public final ProtocolChoice protocol = get(PROTOCOL);
    public final Duration defaultWait = get(WAIT);
    public final Duration maxWait = get(MAX_WAIT);
    public final Limits limits = get(MAX_BODY);
    /** As configured: a number, or {@link #AUTO}; {@link #connectionLimit()} is what applies. */
    public final int maxConnections = get(MAX_CONNECTIONS);
    /** A number, 0 for no bound, or {@link #AUTO}: {@link #perClientLimit} is what applies. */
    public final int maxPerClient = get(MAX_PER_CLIENT);

    public final long memoryBudget = get(MEMORY_BUDGET);
    public final Duration cpuBudget = get(CPU_BUDGET);
    public final Duration grace = get(GRACE);
    public final Duration drainDelay = get(DRAIN_DELAY);
    public final boolean reusePort = get(REUSE_PORT);
    /** {@code ""} nowhere, {@code "-"} stdout, else a file appended to. */
    public final String accessLog = get(ACCESS_LOG);

    public final AccessLogFormat accessLogFormat = get(ACCESS_LOG_FORMAT);
    public final Duration headerTimeout = get(HEADER_TIMEOUT);
    public final Duration bodyTimeout = get(BODY_TIMEOUT);
    public final Duration writeTimeout = get(WRITE_TIMEOUT);
    public final Duration idleTimeout = get(IDLE_TIMEOUT);
    public final String state = get(STATE);
    public final Duration raceWindow = get(RACE_WINDOW);
    public final int threads = get(THREADS);
    public final int queue = get(QUEUE);
    public final Overflow overflow = get(OVERFLOW);
    public final int workers = get(WORKERS);
    public final String workerModel = get(WORKER_MODEL);
    public final int maxChildren = get(MAX_CHILDREN);
    public final int spares = get(SPARES);
    public final int maxStarting = get(MAX_STARTING);
    public final int loops = get(LOOPS);
    public final boolean offload = get(OFFLOAD);
    public final int offloadThreads = get(OFFLOAD_THREADS);
    /** 0 picks a free one, -1 none. */
    public final int monitorPort = get(MONITOR_PORT);

    public final String monitorBind = get(MONITOR_BIND);
    public final boolean tls = get(TLS);
    /** A second port, served over TLS beside the plain {@link #port}; -1 for none. */
    public final int tlsPort = get(TLS_PORT);
    /** PEM files; {@code ""} for none (a self-signed certificate is made at start). */
    public final String tlsCert = get(TLS_CERT);

    public final String tlsKey = get(TLS_KEY);
    public final int wsMaxFrame = get(WS_MAX_FRAME);
    public final int wsMaxMessage = get(WS_MAX_MESSAGE);
    public final boolean udp = get(UDP);
    /** A port, or {@link #SAME_PORT}. */
    public final int udpPort = get(UDP_PORT);

    public final int udpMaxDatagram = get(UDP_MAX_DATAGRAM);
    public final int udpQueue = get(UDP_QUEUE);
    // not a setting (children work it out themselves): what maxConnections comes to here
    private final int connectionLimit = maxConnections != AUTO ? maxConnections : autoConnectionLimit();

    private ServerConfig(Map<Setting<?>, Object> values) {
        this.values = values;
        super();
    }

    public static Builder builder() {
        return new Builder(Map.of());
    }

    /** A builder that starts from this configuration, to change a value or two. */
    public Builder toBuilder() {
        return new Builder(values);
    }

    /** The value of {@code setting}: the same as its field's. */
    public <T> T get(Setting<T> setting) {
        Object value = values.get(setting);
        if (value == null) {
            throw new IllegalStateException(setting + " is in none of Settings.GROUPS");
        }
        return setting.type().cast(value);
    }

    /**
     * The connections this process may hold at once: {@code --max-connections}, or for
     * {@code auto} what this process's open-file limit allows (less room for its own files) and
     * its heap (one per {@value #HEAP_PER_CONNECTION} bytes), whichever is less. So the server
     * refuses to accept before the kernel refuses it a descriptor, and before its heap runs out.
     */
    public int connectionLimit() {
        return connectionLimit;
    }

    /** {@code --max-per-client} for a model that serves {@code capacity} connections at once: auto is half of it. */
    public int perClientLimit(int capacity) {
        return maxPerClient == AUTO ? Math.max(1, capacity / 2) : maxPerClient;
    }

    /** What {@code --max-connections auto} comes to in this process: the less of its open files and its heap allow. */
    static int autoConnectionLimit() {
        return (int) Math.min(
                connectionsTheFileLimitAllows(openFileLimit()),
                Runtime.getRuntime().maxMemory() / HEAP_PER_CONNECTION);
    }

    /** This process's open-file limit (RLIMIT_NOFILE, soft), or a large number where it cannot be read. */
    static long openFileLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount()
                : 1 << 20;
    }

    /** Collects values by setting; {@link #build} fills in the defaults and checks every value. Not thread-safe. */
    public static final class Builder {

        private final Map<Setting<?>, Object> values;

        private Builder(Map<Setting<?>, Object> from) {
            values = new HashMap<>(from);
        }

        public <T> Builder set(Setting<T> setting, T value) {
            return put(setting, value);
        }

        /** As {@link #set}, for code that holds values of many settings (the CLI, a child's arguments). */
        public Builder put(Setting<?> setting, Object value) {
            values.put(setting, setting.type().cast(Objects.requireNonNull(value, setting.name())));
            return this;
        }

        /** The value set so far, or the default. */
        public <T> T get(Setting<T> setting) {
            return setting.type().cast(values.getOrDefault(setting, setting.defaultValue()));
        }

        // one named method a setting, for the code that builds a configuration by hand
        public Builder model(String v) {
            return set(MODEL, v);
        }

        public Builder bind(String v) {
            return set(BIND, v);
        }

        public Builder port(int v) {
            return set(PORT, v);
        }

        public Builder backlog(int v) {
            return set(BACKLOG, v);
        }

        public Builder protocol(ProtocolChoice v) {
            return set(PROTOCOL, v);
        }

        public Builder defaultWait(Duration v) {
            return set(WAIT, v);
        }

        public Builder maxWait(Duration v) {
            return set(MAX_WAIT, v);
        }

        public Builder limits(Limits v) {
            return set(MAX_BODY, v);
        }

        public Builder maxConnections(int v) {
            return set(MAX_CONNECTIONS, v);
        }

        public Builder maxPerClient(int v) {
            return set(MAX_PER_CLIENT, v);
        }

        public Builder memoryBudget(long v) {
            return set(MEMORY_BUDGET, v);
        }

        public Builder cpuBudget(Duration v) {
            return set(CPU_BUDGET, v);
        }

        public Builder grace(Duration v) {
            return set(GRACE, v);
        }

        public Builder drainDelay(Duration v) {
            return set(DRAIN_DELAY, v);
        }

        public Builder reusePort(boolean v) {
            return set(REUSE_PORT, v);
        }

        public Builder accessLog(String v) {
            return set(ACCESS_LOG, v);
        }

        public Builder accessLogFormat(AccessLogFormat v) {
            return set(ACCESS_LOG_FORMAT, v);
        }

        public Builder headerTimeout(Duration v) {
            return set(HEADER_TIMEOUT, v);
        }

        public Builder bodyTimeout(Duration v) {
            return set(BODY_TIMEOUT, v);
        }

        public Builder writeTimeout(Duration v) {
            return set(WRITE_TIMEOUT, v);
        }

        public Builder idleTimeout(Duration v) {
            return set(IDLE_TIMEOUT, v);
        }

        public Builder state(String v) {
            return set(STATE, v);
        }

        public Builder raceWindow(Duration v) {
            return set(RACE_WINDOW, v);
        }

        public Builder threads(int v) {
            return set(THREADS, v);
        }

        public Builder queue(int v) {
            return set(QUEUE, v);
        }

        public Builder overflow(Overflow v) {
            return set(OVERFLOW, v);
        }

        public Builder workers(int v) {
            return set(WORKERS, v);
        }

        public Builder workerModel(String v) {
            return set(WORKER_MODEL, v);
        }

        public Builder maxChildren(int v) {
            return set(MAX_CHILDREN, v);
        }

        public Builder spares(int v) {
            return set(SPARES, v);
        }

        public Builder maxStarting(int v) {
            return set(MAX_STARTING, v);
        }

        public Builder loops(int v) {
            return set(LOOPS, v);
        }

        public Builder offload(boolean v) {
            return set(OFFLOAD, v);
        }

        public Builder offloadThreads(int v) {
            return set(OFFLOAD_THREADS, v);
        }

        public Builder monitorPort(int v) {
            return set(MONITOR_PORT, v);
        }

        public Builder monitorBind(String v) {
            return set(MONITOR_BIND, v);
        }

        public Builder tls(boolean v) {
            return set(TLS, v);
        }

        public Builder tlsPort(int v) {
            return set(TLS_PORT, v);
        }

        public Builder tlsCert(String v) {
            return set(TLS_CERT, v);
        }

        public Builder tlsKey(String v) {
            return set(TLS_KEY, v);
        }

        public Builder wsMaxFrame(int v) {
            return set(WS_MAX_FRAME, v);
        }

        public Builder wsMaxMessage(int v) {
            return set(WS_MAX_MESSAGE, v);
        }

        public Builder udp(boolean v) {
            return set(UDP, v);
        }

        public Builder udpPort(int v) {
            return set(UDP_PORT, v);
        }

        public Builder udpMaxDatagram(int v) {
            return set(UDP_MAX_DATAGRAM, v);
        }

        public Builder udpQueue(int v) {
            return set(UDP_QUEUE, v);
        }

        /**
         * Each setting's own check (in the order of {@link Settings#ALL}), then the checks between two.
         *
         * @throws IllegalArgumentException saying, in the CLI's words, which value to fix
         */
        public ServerConfig build() {
            Map<Setting<?>, Object> all = new HashMap<>();
            for (Setting<?> s : Settings.ALL) {
                all.put(s, checked(s));
            }
            Duration wait = get(WAIT);
            Duration maxWait = get(MAX_WAIT);
            require(
                    wait.compareTo(maxWait) <= 0,
                    "--wait " + Durations.format(wait) + " must not exceed --max-wait " + Durations.format(maxWait));
            int port = get(PORT);
            int monitorPort = get(MONITOR_PORT);
            require(
                    monitorPort <= 0 || monitorPort != port,
                    "--monitor-port must differ from --port (both " + port + ")");
            // with --reuseport each prefork worker has a socket of its own: a lock around accept would make
            // a worker with connections queued on its socket wait while another blocks in accept on its own
            String model = get(MODEL);
            require(
                    !get(REUSE_PORT) || !(model.equals("prefork-flock") || model.equals("prefork-mutex")),
                    "--reuseport gives each prefork worker a socket of its own, so there is no shared accept to"
                            + " serialise: use --model prefork with it, or drop --reuseport");
            require(
                    get(TLS_CERT).isEmpty() == get(TLS_KEY).isEmpty(),
                    "--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate");
            int tlsPort = get(TLS_PORT);
            require(tlsPort <= 0 || tlsPort != port, "--tls-port must differ from --port (both " + port + ")");
            require(
                    tlsPort <= 0 || tlsPort != monitorPort,
                    "--monitor-port must differ from --tls-port (both " + tlsPort + ")");
            require(
                    get(TLS) || tlsPort >= 0 || get(TLS_CERT).isEmpty(),
                    "--tls-cert and --tls-key need --tls or --tls-port");
            return new ServerConfig(Map.copyOf(all));
        }

        private <T> T checked(Setting<T> setting) {
            T value = get(setting);
            setting.check(value);
            return value;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
