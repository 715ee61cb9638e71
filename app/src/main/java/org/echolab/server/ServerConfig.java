package org.echolab.server;

import java.time.Duration;
import org.echolab.protocol.Limits;

/**
 * Everything a server needs to start: address, protocol, limits, lifecycle and each model's knobs.
 * Immutable; build one with {@link #builder()}. Defaults are the CLI's defaults.
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

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
