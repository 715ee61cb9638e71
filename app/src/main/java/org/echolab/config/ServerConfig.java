package org.echolab.config;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Limits;

/**
 * Everything a server needs to start: address, protocol, limits, lifecycle and each model's knobs.
 * Immutable; build one with {@link #builder()}, which checks every value (one place for the CLI,
 * the race lab, the benchmark and the tests). Defaults are the CLI's defaults. Which model and
 * state variant the names choose is checked where those are registered ({@code Models},
 * {@code States}).
 */
public final class ServerConfig {

    public enum ProtocolChoice { AUTO, HTTP, TCP }

    /** What the pool model does when every thread is busy and its queue is full. */
    public enum Overflow {
        /** Stop accepting: new connections wait in the kernel's accept backlog. */
        BACKLOG,
        /** Accept and answer 503 Service Unavailable at once, then close. */
        REJECT
    }

    /** How {@code --access-log} writes a line: the Common Log Format, or a JSON object. */
    public enum AccessLogFormat { COMMON, JSON }

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

    public final String model;
    public final String bind;
    public final int port;
    public final int backlog;
    public final ProtocolChoice protocol;
    public final Duration defaultWait;
    public final Duration maxWait;
    public final Limits limits;
    /** As configured: a number, or {@link #AUTO}; {@link #connectionLimit()} is what applies. */
    public final int maxConnections;
    /** Connections one client address may hold at once: a number, 0 for no bound, or {@link #AUTO}. */
    public final int maxPerClient;
    /** Bytes held for request bodies and replies at once, per process; 0: a quarter of the heap. */
    public final long memoryBudget;
    /** {@code work=cpu} the requests in flight may ask for in total, per process; 0: cores x --max-wait. */
    public final Duration cpuBudget;
    public final Duration grace;
    /**
     * On a stop, how long {@code /health/ready} answers 503 while the server goes on accepting and
     * serving, before it stops accepting and drains: time for a load balancer's health checks to
     * take it out of rotation (0: drain at once).
     */
    public final Duration drainDelay;
    /**
     * Listen with SO_REUSEPORT: several servers (and prefork workers) may each bind the port, and
     * the kernel spreads new connections over their sockets.
     */
    public final boolean reusePort;
    /** Where each answered request is logged: {@code ""} nowhere, {@code "-"} stdout, else a file appended to. */
    public final String accessLog;
    public final AccessLogFormat accessLogFormat;
    public final Duration headerTimeout;
    public final Duration bodyTimeout;
    public final Duration writeTimeout;
    public final Duration idleTimeout;
    public final String state;
    /** Race lab: the pause a broken state variant takes between its read and its write (0: none). */
    public final Duration raceWindow;
    // model knobs
    public final int threads;
    public final int queue;
    public final Overflow overflow;
    public final int workers;
    public final String workerModel;
    public final int maxChildren;
    /** process: single-use children started ahead and waiting for a connection (0: a child is spawned per connection). */
    public final int spares;
    public final int maxStarting;
    public final int loops;
    public final boolean offload;
    public final int offloadThreads;
    /** The monitor's port ({@code /live}, {@code /metrics}, {@code /stats} on a thread of their own): 0 picks a free one, -1 none. */
    public final int monitorPort;
    /** The monitor's address: loopback unless told otherwise, since it shows every client's requests. */
    public final String monitorBind;
    /** {@code --tls}: HTTPS and TCP lines over TLS on the port, with {@link #tlsCert} and {@link #tlsKey}, or a self-signed certificate. */
    public final boolean tls;
    /** PEM files of the certificate (then its chain) and of its private key; "" for none (a self-signed one is made at start). */
    public final String tlsCert;
    public final String tlsKey;
    /** WebSocket ({@code /ws}): the largest frame payload, and the largest message (its fragments together); beyond either, close 1009. */
    public final int wsMaxFrame;
    public final int wsMaxMessage;
    /** UDP echo beside TCP; on {@link #udpPort}, or the TCP port's number when that is {@link #SAME_PORT}. */
    public final boolean udp;
    public final int udpPort;
    /** UDP: larger datagrams are dropped (and counted); datagrams waiting for their echo at most, beyond which they are dropped. */
    public final int udpMaxDatagram;
    public final int udpQueue;
    private final int connectionLimit;      // private: not sent to children, which work it out themselves

    private ServerConfig(Builder b) {
        model = b.model;
        bind = b.bind;
        port = b.port;
        backlog = b.backlog;
        protocol = b.protocol;
        defaultWait = b.defaultWait;
        maxWait = b.maxWait;
        limits = b.limits;
        maxConnections = b.maxConnections;
        maxPerClient = b.maxPerClient;
        memoryBudget = b.memoryBudget;
        cpuBudget = b.cpuBudget;
        grace = b.grace;
        drainDelay = b.drainDelay;
        reusePort = b.reusePort;
        accessLog = b.accessLog;
        accessLogFormat = b.accessLogFormat;
        headerTimeout = b.headerTimeout;
        bodyTimeout = b.bodyTimeout;
        writeTimeout = b.writeTimeout;
        idleTimeout = b.idleTimeout;
        state = b.state;
        raceWindow = b.raceWindow;
        threads = b.threads;
        queue = b.queue;
        overflow = b.overflow;
        workers = b.workers;
        workerModel = b.workerModel;
        maxChildren = b.maxChildren;
        spares = b.spares;
        maxStarting = b.maxStarting;
        loops = b.loops;
        offload = b.offload;
        offloadThreads = b.offloadThreads;
        monitorPort = b.monitorPort;
        monitorBind = b.monitorBind;
        tls = b.tls;
        tlsCert = b.tlsCert;
        tlsKey = b.tlsKey;
        wsMaxFrame = b.wsMaxFrame;
        wsMaxMessage = b.wsMaxMessage;
        udp = b.udp;
        udpPort = b.udpPort;
        udpMaxDatagram = b.udpMaxDatagram;
        udpQueue = b.udpQueue;
        connectionLimit = maxConnections != AUTO ? maxConnections
                : (int) Math.min(connectionsTheFileLimitAllows(openFileLimit()),
                        Runtime.getRuntime().maxMemory() / HEAP_PER_CONNECTION);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration, to change a value or two. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.bind = bind;
        b.port = port;
        b.backlog = backlog;
        b.protocol = protocol;
        b.defaultWait = defaultWait;
        b.maxWait = maxWait;
        b.limits = limits;
        b.maxConnections = maxConnections;
        b.maxPerClient = maxPerClient;
        b.memoryBudget = memoryBudget;
        b.cpuBudget = cpuBudget;
        b.grace = grace;
        b.headerTimeout = headerTimeout;
        b.bodyTimeout = bodyTimeout;
        b.writeTimeout = writeTimeout;
        b.idleTimeout = idleTimeout;
        b.state = state;
        b.raceWindow = raceWindow;
        b.threads = threads;
        b.queue = queue;
        b.overflow = overflow;
        b.workers = workers;
        b.workerModel = workerModel;
        b.maxChildren = maxChildren;
        b.spares = spares;
        b.maxStarting = maxStarting;
        b.loops = loops;
        b.offload = offload;
        b.offloadThreads = offloadThreads;
        b.monitorPort = monitorPort;
        b.monitorBind = monitorBind;
        b.tls = tls;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.drainDelay = drainDelay;
        b.reusePort = reusePort;
        b.accessLog = accessLog;
        b.accessLogFormat = accessLogFormat;
        b.wsMaxFrame = wsMaxFrame;
        b.wsMaxMessage = wsMaxMessage;
        b.udp = udp;
        b.udpPort = udpPort;
        b.udpMaxDatagram = udpMaxDatagram;
        b.udpQueue = udpQueue;
        return b;
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

    /** This process's open-file limit (RLIMIT_NOFILE, soft), or a large number where it cannot be read. */
    static long openFileLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 1 << 20;
    }

    public static final class Builder {
        private String model = "virtual";
        private String bind = "127.0.0.1";
        private int port = 8080;
        private int backlog = 4096;
        private ProtocolChoice protocol = ProtocolChoice.AUTO;
        private Duration defaultWait = Duration.ZERO;
        private Duration maxWait = Duration.ofSeconds(10);
        private Limits limits = Limits.DEFAULT;
        private int maxConnections = AUTO;
        private int maxPerClient = AUTO;
        private long memoryBudget = 0;
        private Duration cpuBudget = Duration.ZERO;
        private Duration grace = Duration.ofSeconds(10);
        private Duration drainDelay = Duration.ZERO;
        private boolean reusePort = false;
        private String accessLog = "";
        private AccessLogFormat accessLogFormat = AccessLogFormat.COMMON;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(10);
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private String state = "atomic";
        private Duration raceWindow = Duration.ZERO;
        private int threads = 200;
        private int queue = 100;
        private Overflow overflow = Overflow.BACKLOG;
        private int workers = CORES;
        private String workerModel = "pool";
        private int maxChildren = 256;
        private int spares = 0;
        private int maxStarting = CORES;
        private int loops = CORES;
        private boolean offload = true;
        private int offloadThreads = CORES;
        private int monitorPort = -1;
        private String monitorBind = "127.0.0.1";
        private boolean tls = false;
        private String tlsCert = "";
        private String tlsKey = "";
        private int wsMaxFrame = 1024 * 1024;
        private int wsMaxMessage = 1024 * 1024;
        private boolean udp = false;
        private int udpPort = SAME_PORT;
        private int udpMaxDatagram = 8 * 1024;
        private int udpQueue = 1024;

        public Builder model(String v) { model = v; return this; }
        public Builder bind(String v) { bind = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder backlog(int v) { backlog = v; return this; }
        public Builder protocol(ProtocolChoice v) { protocol = v; return this; }
        public Builder defaultWait(Duration v) { defaultWait = v; return this; }
        public Builder maxWait(Duration v) { maxWait = v; return this; }
        public Builder limits(Limits v) { limits = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxPerClient(int v) { maxPerClient = v; return this; }
        public Builder memoryBudget(long v) { memoryBudget = v; return this; }
        public Builder cpuBudget(Duration v) { cpuBudget = v; return this; }
        public Builder grace(Duration v) { grace = v; return this; }
        public Builder drainDelay(Duration v) { drainDelay = v; return this; }
        public Builder reusePort(boolean v) { reusePort = v; return this; }
        public Builder accessLog(String v) { accessLog = v; return this; }
        public Builder accessLogFormat(AccessLogFormat v) { accessLogFormat = v; return this; }
        public Builder headerTimeout(Duration v) { headerTimeout = v; return this; }
        public Builder bodyTimeout(Duration v) { bodyTimeout = v; return this; }
        public Builder writeTimeout(Duration v) { writeTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder state(String v) { state = v; return this; }
        public Builder raceWindow(Duration v) { raceWindow = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder queue(int v) { queue = v; return this; }
        public Builder overflow(Overflow v) { overflow = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder workerModel(String v) { workerModel = v; return this; }
        public Builder maxChildren(int v) { maxChildren = v; return this; }
        public Builder spares(int v) { spares = v; return this; }
        public Builder maxStarting(int v) { maxStarting = v; return this; }
        public Builder loops(int v) { loops = v; return this; }
        public Builder offload(boolean v) { offload = v; return this; }
        public Builder offloadThreads(int v) { offloadThreads = v; return this; }
        public Builder monitorPort(int v) { monitorPort = v; return this; }
        public Builder monitorBind(String v) { monitorBind = v; return this; }
        public Builder tls(boolean v) { tls = v; return this; }
        public Builder tlsCert(String v) { tlsCert = v; return this; }
        public Builder tlsKey(String v) { tlsKey = v; return this; }
        public Builder wsMaxFrame(int v) { wsMaxFrame = v; return this; }
        public Builder wsMaxMessage(int v) { wsMaxMessage = v; return this; }
        public Builder udp(boolean v) { udp = v; return this; }
        public Builder udpPort(int v) { udpPort = v; return this; }
        public Builder udpMaxDatagram(int v) { udpMaxDatagram = v; return this; }
        public Builder udpQueue(int v) { udpQueue = v; return this; }

        /**
         * @throws IllegalArgumentException saying, in the CLI's words, which value to fix
         */
        public ServerConfig build() {
            require(port >= 0 && port <= 65535, "--port must be from 0 to 65535 (got " + port + ")");
            require(monitorPort >= -1 && monitorPort <= 65535,
                    "--monitor-port must be from 0 to 65535, or -1 for none (got " + monitorPort + ")");
            require(monitorPort <= 0 || monitorPort != port, "--monitor-port must differ from --port (both " + port + ")");
            require(!defaultWait.isNegative() && defaultWait.compareTo(maxWait) <= 0,
                    "--wait " + Durations.format(defaultWait) + " must not exceed --max-wait " + Durations.format(maxWait));
            require(threads >= 1 && threads <= 100_000, "--threads must be from 1 to 100000 (got " + threads + ")");
            require(maxChildren >= 1, "--max-children must be at least 1 (got " + maxChildren + ")");
            require(spares >= 0 && spares <= 1024, "--spares must be from 0 to 1024 (got " + spares + ")");
            require(workers >= 1 && workers <= 1024, "--workers must be from 1 to 1024 (got " + workers + ")");
            require(loops >= 1 && loops <= 1024, "--loops must be from 1 to 1024 (got " + loops + ")");
            require(offloadThreads >= 1, "--offload-threads must be at least 1 (got " + offloadThreads + ")");
            require(queue >= 0, "--queue must be 0 or more (got " + queue + ")");
            require(maxConnections >= 1 || maxConnections == AUTO, "--max-connections must be at least 1, or auto (got " + maxConnections + ")");
            require(maxPerClient >= 0 || maxPerClient == AUTO, "--max-per-client must be 0 (no bound) or more, or auto (got " + maxPerClient + ")");
            require(memoryBudget >= 0, "--memory-budget must be 0 (auto) or more bytes (got " + memoryBudget + ")");
            require(!cpuBudget.isNegative(), "--cpu-budget must not be negative");
            require(maxStarting >= 1 && maxStarting <= 256, "--max-starting must be from 1 to 256 (got " + maxStarting + ")");
            require(backlog >= 1, "--backlog must be at least 1 (got " + backlog + ")");
            require(!raceWindow.isNegative() && raceWindow.compareTo(Duration.ofSeconds(1)) <= 0,
                    "--race-window must be from 0 to 1s (got " + Durations.format(raceWindow) + ")");
            require(headerTimeout.isPositive() && bodyTimeout.isPositive() && writeTimeout.isPositive() && idleTimeout.isPositive(),
                    "--header-timeout, --body-timeout, --write-timeout and --idle-timeout must be above 0");
            require(!grace.isNegative(), "--grace must not be negative");
            require(!drainDelay.isNegative() && drainDelay.compareTo(MAX_DRAIN_DELAY) <= 0,
                    "--drain-delay must be from 0 to " + Durations.format(MAX_DRAIN_DELAY) + " (got " + Durations.format(drainDelay) + ")");
            // with --reuseport each prefork worker has a socket of its own: a lock around accept would make
            // a worker with connections queued on its socket wait while another blocks in accept on its own
            require(!reusePort || !(model.equals("prefork-flock") || model.equals("prefork-mutex")),
                    "--reuseport gives each prefork worker a socket of its own, so there is no shared accept to"
                            + " serialise: use --model prefork with it, or drop --reuseport");
            require(tlsCert.isEmpty() == tlsKey.isEmpty(),
                    "--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate");
            require(tls || tlsCert.isEmpty(), "--tls-cert and --tls-key need --tls");
            require(wsMaxFrame >= 125 && wsMaxMessage >= 125,
                    "--ws-max-frame and --ws-max-message must be at least 125 bytes (got " + wsMaxFrame + ", " + wsMaxMessage + ")");
            require(udpPort == SAME_PORT || udpPort >= 0 && udpPort <= 65535, "--udp-port must be from 0 to 65535 (got " + udpPort + ")");
            require(udpMaxDatagram >= 1 && udpMaxDatagram <= MAX_DATAGRAM,
                    "--udp-max-datagram must be from 1 to " + MAX_DATAGRAM + " bytes (got " + udpMaxDatagram + ")");
            require(udpQueue >= 1 && udpQueue <= 1_000_000, "--udp-queue must be from 1 to 1000000 (got " + udpQueue + ")");
            return new ServerConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
