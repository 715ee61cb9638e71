package org.echolab.models;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.echolab.config.ServerConfig;
import org.echolab.connection.CloseReason;
import org.echolab.connection.Connection;
import org.echolab.connection.Conversation;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.RequestHead;
import org.echolab.service.Answers;

/**
 * Reads a connection's first request head on the thread that will serve it, and gives up on the
 * slowest clients when the model is full: the defence of {@code pool} and {@code prethread}, whose
 * threads a slowloris would otherwise hold until {@code --header-timeout}. While every place is
 * taken ({@code full}), a connection that has sent part of a head but not all of it within
 * {@value #PUSH_OUT_AFTER_MILLIS} ms of its accept is pushed out: answered 408, closed, counted and
 * logged, so that the thread (and the place) goes to the clients waiting behind it, as Apache's
 * {@code mod_reqtimeout} and event MPM do under pressure. A connection that has sent nothing is
 * never pushed out (its request may be on its way); it waits out {@code --header-timeout} as before.
 *
 * <p><b>Threads:</b> {@link #read} runs on the thread that will serve the connection, which looks
 * at {@code full} every {@value #LOOK_EVERY_MILLIS} ms while it waits for the rest of a head begun
 * (until the first byte it sleeps in its read); the counts may be read from any thread.
 */
final class FirstHead {

    private static final System.Logger LOG = System.getLogger(FirstHead.class.getName());
    /** A head this long in coming, once part of it is in, counts as a slow client's while the model is full. */
    static final long PUSH_OUT_AFTER_MILLIS = 50;
    /** How often a thread waiting for the rest of a head looks at whether the model is full. */
    static final int LOOK_EVERY_MILLIS = 25;

    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ServerConfig config;
    private final BooleanSupplier full;
    private final String places;
    private final LongAdder pushedOut = new LongAdder();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private final LongAdder sinceWarning = new LongAdder();

    /** {@code full}: whether every place of the model is taken now; {@code places} names them, for the log. */
    FirstHead(ServerConfig config, BooleanSupplier full, String places) {
        this.config = config;
        this.full = full;
        this.places = places;
    }

    /**
     * Reads until the first request head of {@code c} (accepted at {@code acceptedAt}, a nanoTime)
     * is whole, and hands what it read on with the connection ({@link Connection#readEarly}): true,
     * serve it. False when the connection is closed instead: pushed out (408), its head not whole
     * within {@code --header-timeout} (408, or a quiet close if nothing came), the client gone, or
     * the server draining.
     */
    boolean read(Connection c, long acceptedAt) {
        int maxBuffer = Conversation.readBufferSize(config.limits);
        ByteBuffer b = ByteBuffer.allocate(Math.min(1024, maxBuffer));
        long deadline = acceptedAt + config.headerTimeout.toNanos();
        try {
            InputStream in = c.socket().getInputStream();
            while (true) {
                if (!b.hasRemaining()) {
                    b = ByteBuffer.allocate(Math.min(maxBuffer, b.capacity() * 4))
                            .put(b.flip());
                }
                // nothing yet: nothing to push out, so wait for the first byte until the deadline
                long wait = b.position() == 0
                        ? TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())
                        : LOOK_EVERY_MILLIS;
                c.socket().setSoTimeout((int) Math.max(1, Math.min(wait, Integer.MAX_VALUE)));
                int n;
                try {
                    n = in.read(b.array(), b.position(), b.remaining());
                } catch (SocketTimeoutException e) {
                    n = 0; // a look: nothing came in LOOK_EVERY_MILLIS
                }
                if (n > 0) {
                    b.position(b.position() + n);
                    if (!c.beginRequest()) {
                        return false; // the server is draining and closed it
                    }
                }
                ByteBuffer view = b.duplicate().flip();
                if (n < 0) {
                    if (!view.hasRemaining()) {
                        c.why(CloseReason.CLIENT_GONE_BEFORE_REQUEST);
                        c.close();
                        return false;
                    }
                    break; // half a request and the end: the session answers what it can
                }
                if (RequestHead.complete(view, config.limits.maxLine()) || b.position() >= maxBuffer) {
                    break;
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return timedOut(c, view, "--header-timeout");
                }
                if (view.hasRemaining()
                        && now - acceptedAt >= TimeUnit.MILLISECONDS.toNanos(PUSH_OUT_AFTER_MILLIS)
                        && full.getAsBoolean()) {
                    pushedOut(c);
                    return timedOut(c, view, "pushed out: its request head had not arrived while " + places);
                }
            }
            c.socket().setSoTimeout(0); // from here on the session's deadlines
            c.readEarly(b.flip());
            return true;
        } catch (IOException e) {
            c.why(CloseReason.failure(e));
            c.close();
            return false;
        }
    }

    /** Answers the timeout (a 408 for a request begun; nothing if nothing came) and closes. */
    private static boolean timedOut(Connection c, ByteBuffer read, String why) {
        c.why(CloseReason.timedOut(why));
        byte[] answer = read.hasRemaining() ? Answers.timedOut(ProtocolDetector.detectAtEnd(read)) : null;
        if (answer != null) {
            try {
                c.socket().getOutputStream().write(answer); // a few dozen bytes: the socket takes them
            } catch (IOException e) {
                // gone already
            }
        }
        c.close();
        return false;
    }

    /** Counts a push-out; logs one line per connection with -v, and a warning at most every 10 s. */
    private void pushedOut(Connection c) {
        pushedOut.increment();
        sinceWarning.increment();
        LOG.log(Level.DEBUG, "{0}: pushed out (408): its request head had not arrived while {1}", c.client(), places);
        long last = lastWarning.get();
        long now = System.nanoTime();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.log(
                    Level.WARNING,
                    "pushed out {0} connection(s) with 408 since the last warning: each had sent part of a request head"
                            + " but not all of it within {1} ms while {2} (slow clients?)",
                    sinceWarning.sumThenReset(),
                    PUSH_OUT_AFTER_MILLIS,
                    places);
        }
    }

    /** Connections pushed out so far (for /stats). */
    long pushedOut() {
        return pushedOut.sum();
    }
}
