package org.echolab.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.echolab.protocol.Durations;
import org.echolab.tls.ClientTls;

/**
 * What to run: the target, the workload and the request each message carries. Immutable; build
 * one with {@link #builder(URI)}, which checks every value in {@link Builder#build()}.
 *
 * <p>Workloads:
 * <ul>
 * <li><b>closed</b> ({@code rate == 0}): {@code connections} clients, each sending its next request
 *     as soon as the last one is answered; latency runs from the send. A stalled server makes the
 *     clients wait, so the stall is counted once per client, not once per request that would have
 *     arrived (coordinated omission).
 * <li><b>open</b> ({@code rate > 0}): requests are due on a constant schedule of {@code rate} per
 *     second, spread over the connections; latency runs from each request's <em>intended</em> start,
 *     so time spent waiting for a busy connection counts (as wrk2 does).
 * </ul>
 * With {@code connectPerRequest} every request opens a new connection (and its latency includes
 * the connect). The run ends after {@code duration} or {@code requests}, whichever comes first;
 * with neither it runs for {@link #DEFAULT_DURATION}. Requests in flight at the end are awaited.
 */
public final class LoadSpec {

    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Largest {@code size}: the EchoLab server's limit too. */
    public static final int MAX_SIZE = 64 * 1024 * 1024;

    public static final int MAX_CONNECTIONS = 50_000;
    /** Largest {@code --body}. */
    public static final int MAX_BODY = 64 * 1024 * 1024;

    /**
     * What makes a response right: {@code ECHO}, a 200 whose body is the request's message (the
     * target's {@code msg} with a unique part added, or the {@code --body}); {@code STATUS}, any
     * 2xx; {@code NONE}, any complete response. The default is {@code ECHO} on an echo endpoint
     * ({@code /echo} by GET or POST, and TCP lines) and {@code STATUS} elsewhere.
     */
    public enum Verify {
        ECHO,
        STATUS,
        NONE
    }

    private final Target target;
    private final int connections;
    private final boolean connectPerRequest;
    private final double rate;
    private final Duration duration;
    private final long requests;
    private final Duration warmup;
    private final boolean warmupUntilAnswered;
    private final Duration serverWait;
    private final String work;
    private final int size;
    private final Duration timeout;
    private final int threads;
    private final boolean collectRequestNumbers;
    private final String method;
    private final List<String> headers;
    private final byte[] body;
    private final Verify verify;
    private final ClientTls tls;

    private LoadSpec(Builder b, Target target) {
        method = b.method != null ? b.method : b.body != null ? "POST" : "GET";
        headers = List.copyOf(b.headers);
        body = b.body;
        verify = b.verify != null ? b.verify : defaultVerify(target, method);
        this.target = target;
        this.tls = !target.secure()
                ? null
                : b.insecure
                        ? ClientTls.insecure()
                        : b.caCert != null ? ClientTls.trusting(b.caCert) : ClientTls.system();
        connections = b.connections;
        connectPerRequest = b.connectPerRequest;
        rate = b.rate;
        duration = b.duration == null && b.requests == 0 ? DEFAULT_DURATION : b.duration;
        requests = b.requests;
        warmup = b.warmup;
        warmupUntilAnswered = b.warmupUntilAnswered;
        serverWait = b.serverWait;
        work = b.work;
        size = b.size;
        timeout = b.timeout;
        threads = b.threads > 0
                ? b.threads
                : Math.max(1, Math.min(connections, Runtime.getRuntime().availableProcessors()));
        collectRequestNumbers = b.collectRequestNumbers;
    }

    private static Verify defaultVerify(Target target, String method) {
        if (target.kind() != Target.Kind.HTTP) {
            return Verify.ECHO; // a line or a WebSocket message: its echo is all there is to check
        }
        String path = target.path();
        int q = path.indexOf('?');
        boolean echo = (q < 0 ? path : path.substring(0, q)).equals("/echo");
        return echo && (method.equals("GET") || method.equals("POST")) ? Verify.ECHO : Verify.STATUS;
    }

    public static Builder builder(URI target) {
        return new Builder(target);
    }

    public Target target() {
        return target;
    }

    public int connections() {
        return connections;
    }

    public boolean connectPerRequest() {
        return connectPerRequest;
    }
    /** Requests per second on the open schedule; 0 means a closed workload. */
    public double rate() {
        return rate;
    }

    public boolean open() {
        return rate > 0;
    }
    /** How long to measure, or null when only {@link #requests()} ends the run. */
    public Duration duration() {
        return duration;
    }
    /** Measured requests to send in all, or 0 for no limit. */
    public long requests() {
        return requests;
    }

    public Duration warmup() {
        return warmup;
    }

    /**
     * Whether the warm-up also lasts until every connection has been answered once (at most
     * {@link #timeout()} beyond {@link #warmup()}): a server that starts a process per client is
     * measured once its children serve, however long they took to start.
     */
    public boolean warmupUntilAnswered() {
        return warmupUntilAnswered;
    }
    /** The {@code wait=} asked of the server, or null to send none. */
    public Duration serverWait() {
        return serverWait;
    }
    /** The {@code work=} asked of the server (sleep or cpu), or null to send none. */
    public String work() {
        return work;
    }
    /** The {@code size=} asked of the server; 0 sends none (the echo is just the message). */
    public int size() {
        return size;
    }

    public Duration timeout() {
        return timeout;
    }
    /** Event-loop threads of the generator. */
    public int threads() {
        return threads;
    }

    public boolean collectRequestNumbers() {
        return collectRequestNumbers;
    }
    /** The HTTP method: as given, else POST with a body and GET without. */
    public String method() {
        return method;
    }
    /** Extra request headers, {@code Name: value} each. */
    public List<String> headers() {
        return headers;
    }
    /** The request body, or null for none. */
    public byte[] body() {
        return body;
    }

    public Verify verify() {
        return verify;
    }
    /** For an {@code https} target, whom its connections trust; else null. */
    public ClientTls tls() {
        return tls;
    }

    /** One line for humans, e.g. "closed workload, 10 keep-alive connections, 10s". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (open()) {
            sb.append("open workload at ")
                    .append(number(rate))
                    .append(" req/s (latency from each request's intended start), ");
        } else {
            sb.append("closed workload, ");
        }
        sb.append(connections)
                .append(
                        connectPerRequest
                                ? " connection slots (a new connection per request)"
                                : " keep-alive connection" + (connections == 1 ? "" : "s"));
        if (duration != null) {
            sb.append(", ").append(Durations.format(duration));
        }
        if (requests > 0) {
            sb.append(duration != null ? " or " : ", ").append(requests).append(" requests");
        }
        if (!warmup.isZero()) {
            sb.append(" after a ").append(Durations.format(warmup)).append(" warm-up");
        }
        if (warmupUntilAnswered) {
            sb.append(warmup.isZero() ? " after a warm-up" : "").append(" until every connection was answered once");
        }
        if (serverWait != null) {
            sb.append(", wait=").append(Durations.format(serverWait));
        }
        if (work != null) {
            sb.append(", work=").append(work);
        }
        if (size > 0) {
            sb.append(", size=").append(org.echolab.protocol.Sizes.format(size));
        }
        if (target.kind() == Target.Kind.HTTP) {
            sb.append(", ").append(method).append(body == null ? "" : " with a body of " + body.length + " bytes");
        }
        sb.append(", verify ").append(verify.name().toLowerCase(Locale.ROOT));
        return sb.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Collects the values; {@link #build()} checks them all. Not thread-safe. */
    public static final class Builder {
        private final URI target;
        private int connections = 1;
        private boolean connectPerRequest;
        private double rate;
        private Duration duration;
        private long requests;
        private Duration warmup = Duration.ZERO;
        private boolean warmupUntilAnswered;
        private Duration serverWait;
        private String work;
        private int size;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int threads;
        private boolean collectRequestNumbers;
        private String method;
        private final List<String> headers = new ArrayList<>();
        private byte[] body;
        private Verify verify;
        private boolean insecure;
        private Path caCert;

        private Builder(URI target) {
            this.target = target;
        }

        /** Concurrent connections (closed workload) or connections the schedule is spread over (open). */
        public Builder connections(int c) {
            connections = c;
            return this;
        }
        /** A new connection for every request. */
        public Builder connectPerRequest(boolean b) {
            connectPerRequest = b;
            return this;
        }
        /** Open workload at this many requests per second; 0 (the default) is a closed workload. */
        public Builder rate(double requestsPerSecond) {
            rate = requestsPerSecond;
            return this;
        }

        public Builder duration(Duration d) {
            duration = d;
            return this;
        }
        /** Stop after n measured requests in total (OK or not). */
        public Builder requests(long n) {
            requests = n;
            return this;
        }
        /** Run this long first without recording (errors are still counted). */
        public Builder warmup(Duration d) {
            warmup = d;
            return this;
        }
        /** Closed workloads: the warm-up also lasts until every connection has been answered once. */
        public Builder warmupUntilAnswered(boolean b) {
            warmupUntilAnswered = b;
            return this;
        }

        public Builder serverWait(Duration d) {
            serverWait = d;
            return this;
        }

        public Builder work(String sleepOrCpu) {
            work = sleepOrCpu;
            return this;
        }

        public Builder size(int bytes) {
            size = bytes;
            return this;
        }

        public Builder timeout(Duration d) {
            timeout = d;
            return this;
        }
        /** Event-loop threads; 0 (the default) means one per core, at most one per connection. */
        public Builder threads(int n) {
            threads = n;
            return this;
        }

        public Builder collectRequestNumbers(boolean b) {
            collectRequestNumbers = b;
            return this;
        }
        /** The HTTP method; null for the default (GET, or POST with a body). */
        public Builder method(String m) {
            method = m;
            return this;
        }
        /** An extra request header, {@code Name: value}. */
        public Builder header(String nameColonValue) {
            headers.add(nameColonValue);
            return this;
        }

        public Builder body(byte[] b) {
            body = b;
            return this;
        }
        /** What makes a response right; null for the target's default. */
        public Builder verify(Verify v) {
            verify = v;
            return this;
        }
        /** {@code https}: trust any certificate (curl's {@code -k}): a self-signed server's, say. */
        public Builder insecure(boolean b) {
            insecure = b;
            return this;
        }
        /** {@code https}: trust the certificates in this PEM file (curl's {@code --cacert}); null: the JDK's authorities. */
        public Builder caCert(Path pem) {
            caCert = pem;
            return this;
        }

        /** @throws IllegalArgumentException with a message that says what to fix */
        public LoadSpec build() {
            if (target == null) {
                throw new IllegalArgumentException(
                        "a target is required: http://host:port/path, ws://host:port/path or tcp://host:port");
            }
            Target t = Target.of(target);
            require(
                    connections >= 1 && connections <= MAX_CONNECTIONS,
                    "connections must be from 1 to " + MAX_CONNECTIONS + " (got " + connections + ")");
            require(
                    rate >= 0 && Double.isFinite(rate),
                    "rate must be 0 (closed workload) or a positive number of requests per second (got " + rate + ")");
            require(rate == 0 || rate <= 10_000_000, "rate must be at most 10000000 req/s (got " + rate + ")");
            require(duration == null || (!duration.isNegative() && !duration.isZero()), "duration must be above 0");
            require(requests >= 0, "requests must be 1 or more (got " + requests + ")");
            require(warmup != null && !warmup.isNegative(), "warmup must be 0 or more");
            require(
                    !warmupUntilAnswered || rate == 0,
                    "a warm-up until every connection is answered goes with a closed workload (no rate)");
            require(serverWait == null || !serverWait.isNegative(), "wait must be 0 or more");
            require(
                    work == null || work.equals("sleep") || work.equals("cpu"),
                    "work must be sleep or cpu (got '" + work + "')");
            require(size >= 0 && size <= MAX_SIZE, "size must be from 0 to " + MAX_SIZE + " bytes (got " + size + ")");
            require(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be above 0");
            require(
                    threads >= 0 && threads <= 256,
                    "threads must be from 1 to 256, or 0 for one per core (got " + threads + ")");
            boolean http = t.kind() == Target.Kind.HTTP;
            require(
                    http || (method == null && headers.isEmpty() && body == null),
                    "a method, headers and a body go with http:// targets, not "
                            + t.uri().getScheme() + "://");
            require(
                    method == null || TOKEN.matcher(method).matches(),
                    "method '" + method + "' is not an HTTP method name (a token such as GET or PUT)");
            for (String h : headers) {
                require(
                        HEADER.matcher(h).matches(),
                        "header '" + h + "' must read Name: value (a token, a colon, then text without line breaks)");
            }
            require(body == null || body.length <= MAX_BODY, "the body must be at most " + MAX_BODY + " bytes");
            require(
                    !(http && "HEAD".equals(method) && verify == Verify.ECHO),
                    "HEAD responses have no body: use --verify status or none");
            require(
                    !(insecure && caCert != null),
                    "--insecure and --cacert exclude each other: trust any certificate, or those in the file");
            require(
                    t.secure() || !insecure && caCert == null,
                    "--insecure and --cacert are for https:// and wss:// targets");
            return new LoadSpec(this, t);
        }

        private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
        private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\\r\\n]*");

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
