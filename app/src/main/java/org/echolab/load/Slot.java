package org.echolab.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;
import org.echolab.tls.Wire;

/**
 * One client connection's request cycle: begin (connecting first if there is no connection),
 * write the request, read and verify the response, record the outcome, begin the next. Every
 * request that begins ends in exactly one outcome: OK (latency recorded) or one error kind.
 * Run only by its {@link EventLoop}'s thread.
 *
 * <pre>
 * IDLE -> [CONNECTING -> [HANDSHAKING ->]] WRITING -> READING -> IDLE     (keep-alive: the connection stays open)
 * a wrong answer (status, body) in a complete response: count its kind, the connection stays
 * any other failure (framing, timeout, close, handshake): count its kind, close the connection -> IDLE
 * IDLE -> FINISHED    when the plan has no more requests for this connection
 * </pre>
 * Closed workload: the next request begins as soon as the last ended. Open workload: at its
 * intended time ({@link Plan#intended}), or at once if that has passed; latency runs from it.
 * An {@code https} target's connections talk through TLS (a {@link Wire} over the channel): the
 * handshake is part of connecting, and a new connection's first latency includes it.
 */
final class Slot {

    enum State {
        IDLE,
        CONNECTING,
        HANDSHAKING,
        WRITING,
        READING,
        FINISHED
    }

    /** Closed workload: after a failed connect, wait this long before the next, not to spin. */
    private static final long CONNECT_BACKOFF_NANOS = 50_000_000;
    /** A connection's read buffer starts small (10,000 idle clients must not cost 640 MB) and doubles while reads fill it. */
    private static final int READ_BUFFER_FIRST = 4 * 1024;

    static final int READ_BUFFER_MAX = 64 * 1024;

    final int index;
    private final EventLoop loop;
    private final Plan plan;
    private final Exchange exchange;
    private final ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_FIRST);

    private SocketChannel channel;
    private Wire wire; // the channel itself, or TLS over it
    private SelectionKey key;
    private int interest;
    private State state = State.IDLE;
    private long seq;
    private long k;
    /** When this slot may begin its next request: the event loop's queue is ordered by it. */
    long due;

    private long origin;
    private boolean measured;
    private long deadline;
    private long idleSince;
    /** Answers verified OK within the measured period: the connection's share, for {@link Fairness}. */
    private long answered;
    /**
     * Whether it sent a request at all, in the warm-up or the measured period: one that never had a
     * request to send (-n 5 -c 10) was not starved; one whose warm-up request was never answered was.
     */
    private boolean asked;
    /** Whether any answer, in the warm-up or after, was verified OK: a warm-up may wait for every slot's first. */
    private boolean answeredOnce;

    Slot(int index, EventLoop loop, Plan plan) {
        this.index = index;
        this.loop = loop;
        this.plan = plan;
        String unique = plan.runId + "-" + index + "-";
        this.exchange = switch (plan.spec.target().kind()) {
            case HTTP ->
                new HttpExchange(
                        plan.spec.target(),
                        plan.spec,
                        HttpExchange.message(plan.spec, unique, plan.filler),
                        plan.spec.connectPerRequest());
            case TCP -> new LineExchange(plan.spec, new Message(unique, plan.filler, plan.spec.size()));
            case WS ->
                new WebSocketExchange(
                        plan.spec.target(), plan.spec, new Message(unique, plan.filler, plan.spec.size()));
        };
        this.out = ByteBuffer.allocate(exchange.requestCapacity());
    }

    void first(long now) {
        due = plan.open ? plan.intended(index, 0) : now;
        idleSince = now;
    }

    /** Begins the next request, due now; or finishes when the plan has none left for this slot. */
    void begin(long now) {
        long intended = plan.open ? due : now;
        if (!plan.inTime(intended, now)) {
            long end = plan.end();
            if (plan.open && !plan.aborted() && intended < end) {
                loop.unsent(plan.dueBefore(index, k, end)); // the schedule ran ahead of us
            }
            finish();
            return;
        }
        boolean inMeasure = intended >= plan.measureFrom(now);
        if (inMeasure && !plan.takeTicket()) {
            finish();
            return;
        }
        asked = true;
        if (plan.open) {
            if (inMeasure) {
                // how late the generator itself was: from when both the schedule and the connection were ready
                loop.lag(now - Math.max(intended, idleSince));
            }
            due = plan.intended(index, ++k);
        }
        origin = intended;
        measured = inMeasure;
        deadline = now + plan.timeoutNanos;
        exchange.encode(++seq, out);
        if (channel == null) {
            connect(now);
        } else {
            write(now);
        }
    }

    private void connect(long now) {
        state = State.CONNECTING;
        try {
            channel = SocketChannel.open();
            Target t = plan.spec.target();
            wire = plan.spec.tls() == null
                    ? Wire.plain(channel)
                    : plan.spec.tls().wire(channel, t.hostName(), t.port());
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            loop.tally().connected();
            key = channel.register(loop.selector(), 0, this);
            interest = 0;
            if (channel.connect(plan.address)) {
                connected(now);
            } else {
                interest(SelectionKey.OP_CONNECT);
            }
        } catch (IOException e) {
            fail(connectKind(e), now, true);
        }
    }

    /** The selector says this connection is ready for {@code ops}. */
    void ready(int ops, long now) {
        if (state == State.CONNECTING) {
            if ((ops & SelectionKey.OP_CONNECT) != 0) {
                try {
                    if (channel.finishConnect()) {
                        connected(now);
                    }
                } catch (IOException e) {
                    fail(connectKind(e), now, true);
                }
            }
            return;
        }
        if (state == State.HANDSHAKING) {
            handshake(now);
            return;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && state == State.WRITING) {
            write(now);
        }
        if ((ops & SelectionKey.OP_READ) != 0 && channel != null) {
            read(now);
        }
    }

    private void connected(long now) {
        if (plan.spec.tls() == null) {
            interest(SelectionKey.OP_READ);
            write(now);
        } else {
            handshake(now);
        }
    }

    /** Takes the TLS handshake as far as the socket allows; once it is done, the request goes out. */
    private void handshake(long now) {
        state = State.HANDSHAKING;
        boolean done;
        try {
            done = wire.handshake();
            if (!done) {
                interest(SelectionKey.OP_READ | (wire.flush() ? 0 : SelectionKey.OP_WRITE));
            }
        } catch (SSLException e) {
            fail(TlsFailure.kind(e), now, true);
            return;
        } catch (IOException e) {
            fail(ioKind(e), now, true);
            return;
        }
        if (done) {
            interest(SelectionKey.OP_READ);
            write(now);
        }
    }

    private void write(long now) {
        state = State.WRITING;
        boolean flushed;
        try {
            wire.write(out);
            flushed = wire.flush();
        } catch (IOException e) {
            fail(ioKind(e), now, false);
            return;
        }
        if (out.hasRemaining() || !flushed) {
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            interest(SelectionKey.OP_READ);
            state = State.READING;
        }
    }

    /** Reads what the socket (and TLS, which may hold more than one read takes) has for the response. */
    private void read(long now) {
        while (readOnce(now) > 0 && state == State.READING && wire != null && wire.buffered()) {
            // TLS input already off the socket: the selector will not announce it
        }
    }

    private int readOnce(long now) {
        int n;
        try {
            n = wire.read(in);
        } catch (IOException e) {
            if (state == State.IDLE) {
                close(); // an idle keep-alive connection went away: no request was on it
            } else {
                fail(ioKind(e), now, false);
            }
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        if (state == State.IDLE) {
            if (n > 0) {
                loop.error("unsolicited-bytes"); // the server sent a response nobody asked for
            }
            close();
            return -1;
        }
        if (n < 0) {
            exchange.eof();
            complete(now, null);
            return -1;
        }
        boolean filled = !in.hasRemaining();
        in.flip();
        if (exchange.read(in)) {
            String extra = in.hasRemaining() ? "extra-bytes" : null;
            in.clear();
            complete(now, extra);
        } else {
            in.compact();
            if (filled && in.capacity() < READ_BUFFER_MAX) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            if (exchange.followUp(out)) {
                write(now); // the rest of the request, now that the server allows it
            }
        }
        return n;
    }

    /** The response is complete (or the connection ended it): record the outcome, then go on. */
    private void complete(long now, String extra) {
        if (exchange.status() > 0) {
            loop.tally().status(exchange.status());
        }
        String failure = exchange.failure() != null ? exchange.failure() : extra;
        if (failure != null && (extra != null || exchange.closeAfter())) {
            fail(failure, now, false);
            return;
        }
        if (failure != null) {
            // a whole response with the wrong status or body: the connection is sound and goes on, so
            // its requests keep their numbers on it (what a server's seeded faults count by)
            loop.error(failure);
        } else {
            if (!answeredOnce) {
                answeredOnce = true;
                plan.answeredOnce();
            }
            if (measured) {
                loop.ok((now - origin) / 1000, exchange);
                if (now <= plan.end()) {
                    answered++; // one still in flight at the end is answered, but not within the period
                }
            }
        }
        if (exchange.closeAfter() || plan.spec.connectPerRequest()) {
            close();
        }
        state = State.IDLE;
        idleSince = now;
        if (!plan.open || due <= now) {
            begin(now);
        } else {
            loop.await(this);
        }
    }

    /** Counts the failure, closes the connection and queues the next request (never inline, so failures cannot recurse). */
    private void fail(String kind, long now, boolean connecting) {
        loop.error(kind);
        close();
        state = State.IDLE;
        idleSince = now;
        if (!plan.open) {
            due = now + (connecting ? CONNECT_BACKOFF_NANOS : 1);
        }
        loop.await(this);
    }

    /** Called by the event loop now and then: a request past its deadline fails as a timeout. */
    void checkTimeout(long now) {
        if ((state == State.CONNECTING
                        || state == State.HANDSHAKING
                        || state == State.WRITING
                        || state == State.READING)
                && now - deadline > 0) {
            boolean connecting = state == State.CONNECTING || state == State.HANDSHAKING;
            fail(
                    state == State.CONNECTING
                            ? "connect-timeout"
                            : state == State.HANDSHAKING ? "tls-handshake-timeout" : "timeout",
                    now,
                    connecting);
        }
    }

    /** Read by the generator once this slot's loop has ended: its answers, or -1 if it had no request to send. */
    long answered() {
        return asked ? answered : -1;
    }

    private void finish() {
        close();
        state = State.FINISHED;
        loop.finished();
    }

    void close() {
        if (channel != null) {
            if (key != null) {
                key.cancel(); // null when the channel failed before it was registered
            }
            wire.close(); // TLS: close_notify, one try
            channel = null;
            wire = null;
            key = null;
            exchange.closed();
        }
        in.clear();
    }

    private void interest(int ops) {
        if (ops != interest) {
            key.interestOps(ops);
            interest = ops;
        }
    }

    private static String connectKind(IOException e) {
        return e instanceof ConnectException ? "connect-refused" : "connect-error";
    }

    private static String ioKind(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("reset")) {
            return "reset";
        }
        if (m.contains("broken pipe")) {
            return "broken-pipe";
        }
        return "io-error";
    }
}
