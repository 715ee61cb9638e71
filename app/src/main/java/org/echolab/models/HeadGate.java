package org.echolab.models;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.echolab.config.ServerConfig;
import org.echolab.connection.CloseReason;
import org.echolab.connection.Connection;
import org.echolab.connection.Conversation;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.RequestHead;
import org.echolab.service.Answers;

/**
 * Holds each accepted connection until its first request head has arrived, reading it without
 * blocking, and only then gives it to the model: a bounded model's workers then never wait on a
 * client that has not finished its request (a slowloris), as in Apache's event MPM and Jetty. A
 * head not whole within {@code --header-timeout} is answered 408 and closed here; a client that
 * leaves first is closed here.
 *
 * <p><b>Threads:</b> one platform thread, {@code echolab-head-gate}, runs a selector over the
 * connections waiting; {@link #admit} may be called from any thread; {@code ready} runs on the
 * gate's thread (so it may wait for a worker's place: the heads behind it wait too).
 *
 * <p>The connections waiting here are bounded by {@code --max-connections}, whose slot each holds.
 * What the gate read is handed on with the connection ({@link Connection#readEarly}).
 */
final class HeadGate<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeadGate.class.getName());

    private record Waiting<T>(Connection connection, T item, ByteBuffer buffer, long deadline) {}

    private final Selector selector;
    private final Queue<Waiting<T>> arriving = new ConcurrentLinkedQueue<>();
    private final Consumer<T> ready;
    private final long timeoutNanos;
    private final int maxBuffer;
    private final int maxLine;
    private final List<Waiting<T>> whole = new ArrayList<>(); // gate thread only: heads in, keys cancelled
    private final Thread thread;
    private volatile boolean closed;

    /** {@code ready} gets each item whose connection's head is whole (or that ended with bytes in hand). */
    HeadGate(ServerConfig config, Consumer<T> ready) throws IOException {
        this.selector = Selector.open();
        this.ready = ready;
        this.timeoutNanos = config.headerTimeout.toNanos();
        this.maxBuffer = Conversation.readBufferSize(config.limits);
        this.maxLine = config.limits.maxLine();
        this.thread = Thread.ofPlatform().name("echolab-head-gate").start(this::run);
    }

    /** Whether {@code c} can wait here: a plain socket with a channel (not TLS, not a passed descriptor). */
    static boolean accepts(Connection c) {
        return c.socket().getChannel() != null;
    }

    /** Waits for {@code c}'s head, then hands {@code item} to {@code ready}. */
    void admit(Connection c, T item) {
        arriving.add(new Waiting<>(c, item, ByteBuffer.allocate(1024), System.nanoTime() + timeoutNanos));
        selector.wakeup();
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(100);
                Thread.interrupted(); // a select ended by close() leaves the flag: the loop checks closed instead
                register();
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    @SuppressWarnings("unchecked")
                    Waiting<T> w = (Waiting<T>) key.attachment();
                    read(key, w);
                }
                expire(System.nanoTime());
                handOnWhole();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                LOG.log(Level.ERROR, "the head gate failed: {0}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "the head gate failed", e);
        }
    }

    private void register() {
        for (Waiting<T> w; (w = arriving.poll()) != null; ) {
            try {
                SocketChannel ch = w.connection().socket().getChannel();
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, w);
            } catch (IOException | RuntimeException e) {
                close(w.connection(), CloseReason.failure(e));
            }
        }
    }

    private void read(SelectionKey key, Waiting<T> w) {
        ByteBuffer b = w.buffer();
        int n;
        try {
            if (!b.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxBuffer, b.capacity() * 4));
                key.attach(w = new Waiting<>(w.connection(), w.item(), bigger.put(b.flip()), w.deadline()));
                b = w.buffer();
            }
            n = ((SocketChannel) key.channel()).read(b);
        } catch (IOException e) {
            key.cancel();
            close(w.connection(), CloseReason.failure(e)); // reset by the client: nothing to answer
            return;
        }
        if (n > 0 && !w.connection().beginRequest()) {
            key.cancel(); // the server is draining and closed it
            return;
        }
        ByteBuffer view = b.duplicate().flip();
        if (n < 0 && !view.hasRemaining()) {
            key.cancel();
            close(w.connection(), CloseReason.CLIENT_GONE_BEFORE_REQUEST);
        } else if (n < 0 || RequestHead.complete(view, maxLine) || b.position() >= maxBuffer) {
            handOn(key, w, view);
        }
    }

    /** The head is whole: its key cancelled now, the connection handed on after this round's reads. */
    private void handOn(SelectionKey key, Waiting<T> w, ByteBuffer read) {
        key.cancel();
        w.connection().readEarly(read);
        whole.add(w);
    }

    /** Blocking again, with what was read, to the model, in arrival order. */
    private void handOnWhole() throws IOException {
        if (whole.isEmpty()) {
            return;
        }
        selector.selectNow(); // the cancelled keys leave the selector: their channels may block again
        for (Waiting<T> w : whole) {
            try {
                w.connection().socket().getChannel().configureBlocking(true);
            } catch (IOException | RuntimeException e) {
                close(w.connection(), CloseReason.failure(e));
                continue;
            }
            ready.accept(w.item());
        }
        whole.clear();
    }

    /** Answers 408 to every head not whole by its deadline (a client that sent nothing is just closed), and closes it. */
    private void expire(long now) {
        for (SelectionKey key : selector.keys()) {
            @SuppressWarnings("unchecked")
            Waiting<T> w = (Waiting<T>) key.attachment();
            if (!key.isValid() || now - w.deadline() < 0) {
                continue;
            }
            key.cancel();
            ByteBuffer read = w.buffer().duplicate().flip();
            byte[] why = read.hasRemaining() ? Answers.timedOut(ProtocolDetector.detectAtEnd(read)) : null;
            if (why != null) {
                try {
                    ((SocketChannel) key.channel())
                            .write(ByteBuffer.wrap(why)); // a few dozen bytes: the socket takes them
                } catch (IOException e) {
                    // gone already
                }
            }
            close(w.connection(), CloseReason.timedOut("--header-timeout"));
        }
    }

    /** Stops the gate; connections still waiting are closed (they had not finished a request). */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        thread.interrupt(); // out of a wait for a worker's place
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                close(((Waiting<?>) key.attachment()).connection(), CloseReason.DRAINED_IDLE);
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            // closing anyway
        }
        for (Waiting<T> w; (w = arriving.poll()) != null; ) {
            close(w.connection(), CloseReason.DRAINED_IDLE);
        }
    }

    private static void close(Connection c, CloseReason why) {
        c.why(why);
        c.close();
    }
}
