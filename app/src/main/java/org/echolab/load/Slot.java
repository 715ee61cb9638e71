package org.echolab.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection's request cycle: begin (connecting first if there is no connection),
 * write the request, read and verify the response, record the outcome, begin the next. Every
 * request that begins ends in exactly one outcome: OK (latency recorded) or one error kind.
 * Run only by its {@link EventLoop}'s thread.
 *
 * <pre>
 * IDLE -> [CONNECTING ->] WRITING -> READING -> IDLE     (keep-alive: the connection stays open)
 * any failure: count its kind, close the connection -> IDLE
 * IDLE -> FINISHED    when the plan has no more requests for this connection
 * </pre>
 * Closed workload: the next request begins as soon as the last ended. Open workload: at its
 * intended time ({@link Plan#intended}), or at once if that has passed; latency runs from it.
 */
final class Slot {

    enum State { IDLE, CONNECTING, WRITING, READING, FINISHED }

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

    Slot(int index, EventLoop loop, Plan plan) {
        this.index = index;
        this.loop = loop;
        this.plan = plan;
        Message message = new Message(plan.runId + "-" + index + "-", plan.filler, plan.spec.size());
        this.exchange = switch (plan.spec.target().kind()) {
            case HTTP -> new HttpExchange(plan.spec.target(), plan.spec, message, plan.spec.connectPerRequest());
            case TCP -> new LineExchange(plan.spec, message);
            case WS -> new WebSocketExchange(plan.spec.target(), plan.spec, message);
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
            if (plan.open && !plan.aborted() && intended < plan.end) {
                loop.unsent(plan.dueBefore(index, k, plan.end));   // the schedule ran ahead of us
            }
            finish();
            return;
        }
        boolean inMeasure = intended >= plan.measureFrom;
        if (inMeasure && !plan.takeTicket()) {
            finish();
            return;
        }
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
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            loop.tally().connected();
            key = channel.register(loop.selector(), 0, this);
            interest = 0;
            if (channel.connect(plan.address)) {
                interest(SelectionKey.OP_READ);
                write(now);
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
                        interest(SelectionKey.OP_READ);
                        write(now);
                    }
                } catch (IOException e) {
                    fail(connectKind(e), now, true);
                }
            }
            return;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && state == State.WRITING) {
            write(now);
        }
        if ((ops & SelectionKey.OP_READ) != 0 && channel != null) {
            read(now);
        }
    }

    private void write(long now) {
        state = State.WRITING;
        try {
            channel.write(out);
        } catch (IOException e) {
            fail(ioKind(e), now, false);
            return;
        }
        if (out.hasRemaining()) {
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            interest(SelectionKey.OP_READ);
            state = State.READING;
        }
    }

    private void read(long now) {
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            if (state == State.IDLE) {
                close();   // an idle keep-alive connection went away: no request was on it
            } else {
                fail(ioKind(e), now, false);
            }
            return;
        }
        if (n == 0) {
            return;
        }
        if (state == State.IDLE) {
            if (n > 0) {
                loop.error("unsolicited-bytes");   // the server sent a response nobody asked for
            }
            close();
            return;
        }
        if (n < 0) {
            exchange.eof();
            complete(now, null);
            return;
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
                write(now);                  // the rest of the request, now that the server allows it
            }
        }
    }

    /** The response is complete (or the connection ended it): record the outcome, then go on. */
    private void complete(long now, String extra) {
        String failure = exchange.failure() != null ? exchange.failure() : extra;
        if (failure != null) {
            fail(failure, now, false);
            return;
        }
        if (measured) {
            loop.ok((now - origin) / 1000, exchange);
            if (now <= plan.end) {
                answered++;   // one still in flight at the end is answered, but not within the period
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
        if ((state == State.CONNECTING || state == State.WRITING || state == State.READING) && now - deadline > 0) {
            fail(state == State.CONNECTING ? "connect-timeout" : "timeout", now, state == State.CONNECTING);
        }
    }

    /** Read by the generator once this slot's loop has ended. */
    long answered() {
        return answered;
    }

    private void finish() {
        close();
        state = State.FINISHED;
        loop.finished();
    }

    void close() {
        if (channel != null) {
            if (key != null) {
                key.cancel();   // null when the channel failed before it was registered
            }
            try {
                channel.close();
            } catch (IOException e) {
                // closing a socket that failed: nothing left to do
            }
            channel = null;
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
