package org.echolab.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.echolab.process.Ledger;
import org.echolab.protocol.HttpResponse;

/**
 * What to send and what to do first: perform {@code work} for {@code delay}, then write
 * {@link #outgoing()}: the {@link #bytes()} it holds, then the filler of a {@code size=} body,
 * streamed; then each of {@link #later()}, {@link #interval()} apart (a dripped body's chunks);
 * then close if {@link #close()}, abruptly if {@link #cut()} says so. Blocking models do the waits
 * on their thread; the event loop turns them into timers. Immutable.
 */
public final class Reply {

    private final HttpResponse response; // null for a TCP line
    private final boolean head;
    private final byte[] bytes;
    private final long filler;
    private final List<byte[]> later;
    private final Faults.Decision fate;
    private final Duration delay;
    private final Work work;
    private final boolean close;
    private final Ledger.Entry entry; // the request in the ledger: its slot in the live view, its access-log line
    private final byte[] farewell; // what a message's reply gains as the connection's last
    private final Upgrade upgrade; // a 101 to WebSocket, or null
    private final Pace pace; // a body paced by its route (httpbin's /drip, /stream), or null

    private static final byte[] NO_FAREWELL = new byte[0];

    /**
     * This reply switches its connection to WebSocket (a 101); each message then waits
     * {@code delay} doing {@code work}, unless the message says otherwise.
     */
    public record Upgrade(Duration delay, Work work) {}

    /**
     * A body that goes out in {@code pieces} pieces, {@code interval} apart, in chunks (chunked
     * transfer coding) or, if not {@code chunked}, as slices within its Content-Length.
     */
    public record Pace(int pieces, Duration interval, boolean chunked) {}

    private Reply(
            HttpResponse response,
            boolean head,
            byte[] bytes,
            long filler,
            List<byte[]> later,
            Faults.Decision fate,
            Duration delay,
            Work work,
            boolean close,
            Ledger.Entry entry,
            byte[] farewell,
            Upgrade upgrade) {
        this(response, head, bytes, filler, later, fate, delay, work, close, entry, farewell, upgrade, null);
    }

    private Reply(
            HttpResponse response,
            boolean head,
            byte[] bytes,
            long filler,
            List<byte[]> later,
            Faults.Decision fate,
            Duration delay,
            Work work,
            boolean close,
            Ledger.Entry entry,
            byte[] farewell,
            Upgrade upgrade,
            Pace pace) {
        this.response = response;
        this.head = head;
        this.bytes = bytes;
        this.filler = filler;
        this.later = later;
        this.fate = fate;
        this.delay = delay;
        this.work = work;
        this.close = close;
        this.entry = entry;
        this.farewell = farewell;
        this.upgrade = upgrade;
        this.pace = pace;
    }

    /**
     * An HTTP response; a HEAD request gets the headers only. {@code entry}: from
     * {@link Ledger#answered}.
     */
    public static Reply http(HttpResponse response, boolean head, Duration delay, Work work, Ledger.Entry entry) {
        return http(response, head, delay, work, entry, Faults.Decision.NONE);
    }

    /**
     * An HTTP response shaped by its {@code fate}: dripped in chunks, and cut before it or halfway
     * through it (halfway: the whole head and half the body, or half its chunks, then the cut).
     */
    public static Reply http(
            HttpResponse response, boolean head, Duration delay, Work work, Ledger.Entry entry, Faults.Decision fate) {
        byte[] first;
        long filler = 0;
        List<byte[]> later = List.of();
        if (fate.drip() > 0 && response.bodyLength(head) > 0) { // HEAD, 204, 304 and an empty body have nothing to drip
            first = response.encodeChunkedHead();
            later = chunks(response.body(), fate.drip());
        } else {
            first = response.encode(head);
            filler = response.fillerLength(head);
        }
        if (fate.cut().before()) {
            first = new byte[0];
            filler = 0;
            later = List.of();
        } else if (fate.cut() != Faults.Cut.NONE) {
            if (!later.isEmpty()) {
                later = later.subList(0, later.size() / 2);
            } else {
                long body = response.bodyLength(head);
                long half = first.length + filler - body + body / 2; // the whole head, half the body
                filler = Math.max(0, half - first.length);
                first = Arrays.copyOf(first, (int) Math.min(first.length, half));
            }
        }
        boolean close = response.closes() || fate.cut() != Faults.Cut.NONE;
        return new Reply(response, head, first, filler, later, fate, delay, work, close, entry, NO_FAREWELL, null);
    }

    /**
     * An HTTP response whose body the route paces ({@link Pace}): the head and the first piece
     * after {@code delay}, then the others, {@code interval} apart (all at once for a zero
     * interval). HEAD, 204, 304 and an empty body go out whole.
     */
    public static Reply paced(HttpResponse response, boolean head, Duration delay, Pace pace, Ledger.Entry entry) {
        byte[] body = response.body();
        if (response.bodyLength(head) == 0 || response.fillerLength(head) > 0 || pace.pieces() < 1) {
            return http(response, head, delay, Work.SLEEP, entry);
        }
        int k = Math.min(pace.pieces(), body.length);
        List<byte[]> pieces = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) body.length * i / k);
            int to = (int) ((long) body.length * (i + 1) / k);
            pieces.add(pace.chunked() ? HttpResponse.chunk(body, from, to) : Arrays.copyOfRange(body, from, to));
        }
        if (pace.chunked()) {
            pieces.set(
                    k - 1,
                    concat(List.of(pieces.getLast(), HttpResponse.LAST_CHUNK))); // the end goes with the last chunk
        }
        byte[] headBytes = pace.chunked() ? response.encodeChunkedHead() : response.encode(true);
        int together = pace.interval().isZero() ? k : 1; // pieces that go out with the head
        byte[] first = concat(Stream.concat(Stream.of(headBytes), pieces.subList(0, together).stream())
                .toList());
        List<byte[]> later = List.copyOf(pieces.subList(together, k));
        Faults.Decision fate = new Faults.Decision(0, Duration.ZERO, 0, pace.interval(), Faults.Cut.NONE);
        return new Reply(
                response,
                head,
                first,
                0,
                later,
                fate,
                delay,
                Work.SLEEP,
                response.closes(),
                entry,
                NO_FAREWELL,
                null,
                pace);
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** A non-empty {@code body} in {@code n} chunks (fewer if it has fewer bytes, never an empty one), the last with the end of the body. */
    private static List<byte[]> chunks(byte[] body, int n) {
        int k = Math.min(n, body.length);
        List<byte[]> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(HttpResponse.chunk(
                    body, (int) ((long) body.length * i / k), (int) ((long) body.length * (i + 1) / k)));
        }
        byte[] last = out.getLast();
        byte[] ended = Arrays.copyOf(last, last.length + HttpResponse.LAST_CHUNK.length);
        System.arraycopy(HttpResponse.LAST_CHUNK, 0, ended, last.length, HttpResponse.LAST_CHUNK.length);
        out.set(k - 1, ended);
        return List.copyOf(out);
    }

    /** The 101 that switches the connection to WebSocket, whose messages then wait as {@code upgrade} says. */
    public static Reply upgrade(HttpResponse response, Upgrade upgrade, Ledger.Entry entry) {
        return new Reply(
                response,
                false,
                response.encode(false),
                0,
                List.of(),
                Faults.Decision.NONE,
                Duration.ZERO,
                Work.SLEEP,
                false,
                entry,
                NO_FAREWELL,
                upgrade);
    }

    /**
     * A WebSocket message's echo (a frame), after which the connection goes on; as the last reply
     * of a draining server it is followed by {@code farewell} (a close frame).
     */
    public static Reply message(byte[] frame, byte[] farewell, Duration delay, Work work, Ledger.Entry entry) {
        return new Reply(
                null, false, frame, 0, List.of(), Faults.Decision.NONE, delay, work, false, entry, farewell, null);
    }

    /** A TCP line, after which the connection goes on. */
    public static Reply line(byte[] bytes, Duration delay, Work work, Ledger.Entry entry) {
        return new Reply(
                null, false, bytes, 0, List.of(), Faults.Decision.NONE, delay, work, false, entry, NO_FAREWELL, null);
    }

    /** Non-null if this reply switches the connection to WebSocket. */
    public Upgrade upgraded() {
        return upgrade;
    }

    /** The request's entry in the ledger, which its end is reported with. */
    public Ledger.Entry entry() {
        return entry;
    }

    /** What goes out first, before the filler: the head and the message (all of it but a dripped body's later pieces). */
    public byte[] bytes() {
        return bytes;
    }

    /** The bytes this reply holds until it is written: {@link #bytes()} and the pieces {@link #later()} (what the memory budget counts). */
    public long held() {
        long n = bytes.length;
        for (byte[] piece : later) {
            n += piece.length;
        }
        return n;
    }

    /** What to write first, the filler included, as slices. */
    public Outgoing outgoing() {
        return new Outgoing(bytes, filler);
    }

    /** What to write after {@link #outgoing()}, one piece every {@link #interval()}: a dripped body's chunks. */
    public List<byte[]> later() {
        return later;
    }

    public Duration interval() {
        return fate.interval();
    }

    /** How the connection ends after this reply, if it is cut: {@link Faults.Cut#reset()} asks for SO_LINGER 0. */
    public Faults.Cut cut() {
        return fate.cut();
    }

    public Duration delay() {
        return delay;
    }

    public Work work() {
        return work;
    }

    /** True if the connection closes after this reply. */
    public boolean close() {
        return close;
    }

    /**
     * This reply as the last one on its connection, for a server that began draining while the
     * request waited: an HTTP response gains {@code Connection: close}; a line is simply the last;
     * a WebSocket message's echo is followed by its farewell close frame.
     */
    public Reply closing() {
        if (close) {
            return this;
        }
        if (response != null) {
            return pace != null
                    ? paced(response.close(true), head, delay, pace, entry)
                    : http(response.close(true), head, delay, work, entry, fate);
        }
        byte[] last = Arrays.copyOf(bytes, bytes.length + farewell.length);
        System.arraycopy(farewell, 0, last, bytes.length, farewell.length);
        return new Reply(null, false, last, 0, later, fate, delay, work, true, entry, NO_FAREWELL, null);
    }
}
