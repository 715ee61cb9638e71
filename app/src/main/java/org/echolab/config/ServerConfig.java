package org.echolab.config;

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

    public static final int CORES = Runtime.getRuntime().availableProcessors();

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
    public final int maxConnections;
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
    public final Duration headerTimeout;
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
    public final int loops;
    public final boolean offload;
    public final int offloadThreads;

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
        grace = b.grace;
        drainDelay = b.drainDelay;
        reusePort = b.reusePort;
        headerTimeout = b.headerTimeout;
        idleTimeout = b.idleTimeout;
        state = b.state;
        raceWindow = b.raceWindow;
        threads = b.threads;
        queue = b.queue;
        overflow = b.overflow;
        workers = b.workers;
        workerModel = b.workerModel;
        maxChildren = b.maxChildren;
        loops = b.loops;
        offload = b.offload;
        offloadThreads = b.offloadThreads;
    }

    public static Builder builder() {
        return new Builder();
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
        private int maxConnections = 20_000;
        private Duration grace = Duration.ofSeconds(10);
        private Duration drainDelay = Duration.ZERO;
        private boolean reusePort = false;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private String state = "atomic";
        private Duration raceWindow = Duration.ZERO;
        private int threads = 200;
        private int queue = 100;
        private Overflow overflow = Overflow.BACKLOG;
        private int workers = CORES;
        private String workerModel = "pool";
        private int maxChildren = 256;
        private int loops = CORES;
        private boolean offload = false;
        private int offloadThreads = CORES;

        public Builder model(String v) { model = v; return this; }
        public Builder bind(String v) { bind = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder backlog(int v) { backlog = v; return this; }
        public Builder protocol(ProtocolChoice v) { protocol = v; return this; }
        public Builder defaultWait(Duration v) { defaultWait = v; return this; }
        public Builder maxWait(Duration v) { maxWait = v; return this; }
        public Builder limits(Limits v) { limits = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder grace(Duration v) { grace = v; return this; }
        public Builder drainDelay(Duration v) { drainDelay = v; return this; }
        public Builder reusePort(boolean v) { reusePort = v; return this; }
        public Builder headerTimeout(Duration v) { headerTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder state(String v) { state = v; return this; }
        public Builder raceWindow(Duration v) { raceWindow = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder queue(int v) { queue = v; return this; }
        public Builder overflow(Overflow v) { overflow = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder workerModel(String v) { workerModel = v; return this; }
        public Builder maxChildren(int v) { maxChildren = v; return this; }
        public Builder loops(int v) { loops = v; return this; }
        public Builder offload(boolean v) { offload = v; return this; }
        public Builder offloadThreads(int v) { offloadThreads = v; return this; }

        /**
         * @throws IllegalArgumentException saying, in the CLI's words, which value to fix
         */
        public ServerConfig build() {
            require(port >= 0 && port <= 65535, "--port must be from 0 to 65535 (got " + port + ")");
            require(!defaultWait.isNegative() && defaultWait.compareTo(maxWait) <= 0,
                    "--wait " + Durations.format(defaultWait) + " must not exceed --max-wait " + Durations.format(maxWait));
            require(threads >= 1 && threads <= 100_000, "--threads must be from 1 to 100000 (got " + threads + ")");
            require(maxChildren >= 1, "--max-children must be at least 1 (got " + maxChildren + ")");
            require(workers >= 1 && workers <= 1024, "--workers must be from 1 to 1024 (got " + workers + ")");
            require(loops >= 1 && loops <= 1024, "--loops must be from 1 to 1024 (got " + loops + ")");
            require(offloadThreads >= 1, "--offload-threads must be at least 1 (got " + offloadThreads + ")");
            require(queue >= 0, "--queue must be 0 or more (got " + queue + ")");
            require(maxConnections >= 1, "--max-connections must be at least 1 (got " + maxConnections + ")");
            require(backlog >= 1, "--backlog must be at least 1 (got " + backlog + ")");
            require(!raceWindow.isNegative() && raceWindow.compareTo(Duration.ofSeconds(1)) <= 0,
                    "--race-window must be from 0 to 1s (got " + Durations.format(raceWindow) + ")");
            require(headerTimeout.isPositive() && idleTimeout.isPositive(),
                    "--header-timeout and --idle-timeout must be above 0");
            require(!grace.isNegative(), "--grace must not be negative");
            require(!drainDelay.isNegative() && drainDelay.compareTo(MAX_DRAIN_DELAY) <= 0,
                    "--drain-delay must be from 0 to " + Durations.format(MAX_DRAIN_DELAY) + " (got " + Durations.format(drainDelay) + ")");
            return new ServerConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
