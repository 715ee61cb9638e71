package org.echolab.models.tree;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.echolab.os.Descriptors;
import org.echolab.os.Libc;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.RequestHead;
import org.echolab.service.Answers;

/**
 * The parent's head gate ({@code process}, {@code prefork-pass}): holds each accepted connection
 * (a descriptor) until its first request head has arrived, looking at it with {@code poll} and
 * {@code recv(MSG_PEEK)} so that the bytes stay in the socket for the child that will read them
 * (with {@code SO_RCVLOWAT} set past what it saw, so that a poll wakes only for more); only then
 * does it hand the descriptor on. A slow client (a slowloris) then costs a descriptor
 * and a poll entry here, never a child process or a worker's place. A head not whole within the
 * header timeout is answered 408 (if it began) and closed; a client gone first is closed.
 *
 * <p><b>Threads:</b> one platform thread, {@code echolab-head-gate}, polls every waiting
 * descriptor (and a wake-up socket, so that a new one is looked at at once) and runs
 * {@code ready} for each whole head, in arrival order; {@link #admit} is called from the accept
 * thread. {@code closed} runs on the gate's thread for each connection it closes.
 */
public final class DescriptorGate implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DescriptorGate.class.getName());

    private record Waiting(int fd, long deadline) {}

    private final IntConsumer ready;
    private final IntConsumer closed;
    private final long timeoutNanos;
    private final int maxHead;
    private final int maxLine;
    private final int[] wake; // [the gate's end, the accept thread's end]
    private final Queue<Integer> arriving = new ConcurrentLinkedQueue<>();
    private final List<Waiting> waiting = new ArrayList<>(); // gate thread only
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * {@code ready} gets each descriptor whose head is whole (it then owns it); {@code closed} is
     * told of each one the gate closed itself (to give back what the accept took for it).
     */
    public DescriptorGate(Duration headerTimeout, int maxHead, int maxLine, IntConsumer ready, IntConsumer closed)
            throws IOException {
        this.ready = ready;
        this.closed = closed;
        this.timeoutNanos = headerTimeout.toNanos();
        this.maxHead = maxHead;
        this.maxLine = maxLine;
        this.wake = Descriptors.socketPair();
        this.thread = Thread.ofPlatform().name("echolab-head-gate").start(this::run);
    }

    /** From the accept thread: {@code fd} waits here for its head. */
    public void admit(int fd) {
        arriving.add(fd);
        Libc.writeIfRoom(wake[1], new byte[] {1});
    }

    private void run() {
        int[] fds = new int[16];
        short[] revents = new short[16];
        byte[] peek = new byte[maxHead];
        try {
            while (!stopping) {
                for (Integer fd; (fd = arriving.poll()) != null; ) {
                    waiting.add(new Waiting(fd, System.nanoTime() + timeoutNanos));
                }
                // look at each new or readable one at once; poll only when none is ready
                int count = waiting.size() + 1;
                if (fds.length < count) {
                    fds = new int[count * 2];
                    revents = new short[count * 2];
                }
                fds[0] = wake[0];
                for (int i = 0; i < waiting.size(); i++) {
                    fds[i + 1] = waiting.get(i).fd();
                }
                Libc.poll(fds, count, revents, 100);
                if (revents[0] != 0) {
                    Libc.discardWaiting(wake[0]);
                }
                long now = System.nanoTime();
                List<Waiting> still = new ArrayList<>(waiting.size());
                for (int i = 0; i < waiting.size(); i++) {
                    Waiting w = waiting.get(i);
                    short ev = revents[i + 1];
                    if (ev == 0 && now - w.deadline() < 0) {
                        still.add(w);
                    } else if (!decide(w, ev, now, peek)) {
                        still.add(w);
                    }
                }
                waiting.clear();
                waiting.addAll(still);
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                LOG.log(Level.ERROR, "the head gate failed: {0}", e.toString());
            }
        }
        waiting.forEach(w -> close(w.fd()));
        for (Integer fd; (fd = arriving.poll()) != null; ) {
            close(fd);
        }
    }

    /** True once {@code w} is dealt with (handed on or closed); false: it waits on. */
    private boolean decide(Waiting w, short ev, long now, byte[] peek) {
        int n = (ev & Libc.FAILED) != 0 ? -1 : Libc.peek(w.fd(), peek);
        if (n < 0) {
            close(w.fd()); // reset, or ended before a byte
            return true;
        }
        ByteBuffer head = ByteBuffer.wrap(peek, 0, n);
        if (n == peek.length || (n > 0 && (ev & Libc.PEER_CLOSED) != 0) || RequestHead.complete(head, maxLine)) {
            Libc.receiveLowWater(w.fd(), 1); // as it was: the child reads whatever comes
            ready.accept(w.fd()); // whole, too long for a head (the child says so), or all it will send
            return true;
        }
        // the bytes stay in the socket (peeked): poll again only once more than these have come
        Libc.receiveLowWater(w.fd(), n + 1);
        if (now - w.deadline() >= 0) {
            if (n > 0) {
                byte[] why = Answers.timedOut(ProtocolDetector.detectAtEnd(head));
                if (why != null) {
                    Libc.writeIfRoom(w.fd(), why);
                }
                Libc.receiveLowWater(w.fd(), 1);
                Libc.discardWaiting(w.fd()); // read what it sent: a close with bytes unread would reset the answer
            }
            close(w.fd());
            return true;
        }
        return false;
    }

    private void close(int fd) {
        Libc.close(fd);
        closed.accept(fd);
    }

    /** How many connections wait for their head now (for /stats; racy, as a gauge may be). */
    public int waitingCount() {
        return waiting.size() + arriving.size();
    }

    /** Stops the gate: connections still waiting for their head are closed (their clients had not finished a request). */
    @Override
    public void close() {
        stopping = true;
        Libc.writeIfRoom(wake[1], new byte[] {1});
        thread.interrupt(); // out of a wait for a child's slot or a worker
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Descriptors.close(wake[0]);
        Descriptors.close(wake[1]);
    }
}
