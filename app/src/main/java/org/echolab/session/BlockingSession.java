package org.echolab.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.echolab.config.ServerConfig;

/**
 * The session every blocking model runs for one connection, CS:APP's {@code echo(connfd)}: read,
 * wait, echo, repeat until the client closes, asks to close, times out or sends something bad.
 * What to do at each step is the {@link Conversation}'s decision; this class only reads, waits and
 * writes. The caller's thread runs the whole session and blocks in it (in read, in the wait, in
 * write); that thread is what each model hands out differently.
 */
public final class BlockingSession {

    private static final System.Logger LOG = System.getLogger("echolab.session");
    /**
     * A session's first read buffer: a whole request of the usual size (a {@code /echo} GET is about
     * 100 bytes). It doubles when a request needs more, up to {@link Conversation#readBufferSize}.
     * Starting small rather than at that size (16 KiB) is what keeps an idle connection cheap: the
     * 16 KiB buffer was most of what an idle {@code virtual} connection held (heap histogram and
     * scripts/perf-check.sh figures before and after in docs/performance.md).
     */
    static final int FIRST_READ_BUFFER = 1024;

    private final ServerConfig config;
    private final EchoService service;
    private final Connections connections;

    public BlockingSession(ServerConfig config, EchoService service, Connections connections) {
        this.config = config;
        this.service = service;
        this.connections = connections;
    }

    /** Serves {@code c} on the calling thread until it is done, then closes it. Never throws. */
    public void serve(Connection c) {
        Conversation conversation = new Conversation(config, service, c.client());
        try (c) {
            Socket socket = c.socket();
            socket.setTcpNoDelay(true);
            converse(c, conversation, socket.getInputStream(), socket.getOutputStream());
        } catch (IOException e) {
            if (!c.closedByServer()) {
                LOG.log(Level.DEBUG, "connection from {0} ended: {1}", c.client(), e.toString());
            }
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "session interrupted (forced shutdown); closing {0}", c.client());
            Thread.currentThread().interrupt();
        } finally {
            conversation.replied(false);      // an answer cut short by an error or a forced stop
        }
    }

    private void converse(Connection c, Conversation conversation, InputStream in, OutputStream out)
            throws IOException, InterruptedException {
        Reader reader = new Reader(c, in);
        while (true) {
            switch (conversation.next(reader.buffer, connections.draining())) {
                case Conversation.Read r -> {
                    Reader.Outcome got = reader.fill(r.midRequest());
                    if (got == Reader.Outcome.TIMED_OUT && r.midRequest()) {
                        write(out, conversation.timedOut());
                    }
                    if (got != Reader.Outcome.READ) {
                        return;
                    }
                }
                case Conversation.Write w -> {
                    write(out, w.bytes());
                    if (w.close()) {
                        return;
                    }
                }
                case Conversation.Answer a -> {
                    a.reply().work().perform(a.reply().delay());         // the wait: this thread blocks in it
                    Reply reply = conversation.reply(connections.draining());
                    write(out, reply.bytes());
                    conversation.replied(true);
                    // with pipelined bytes already buffered the connection stays busy; otherwise it is idle
                    if (reply.close() || !(reader.buffer.hasRemaining() || c.endRequest())) {
                        return;
                    }
                }
            }
        }
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        if (bytes != null) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Reads into the session's buffer, which grows as a request needs, with the timeout that governs each read. */
    private final class Reader {
        enum Outcome { READ, END, TIMED_OUT }

        private final Connection c;
        private final InputStream in;
        private final int maxBuffer = Conversation.readBufferSize(config.limits);
        ByteBuffer buffer = ByteBuffer.allocate(FIRST_READ_BUFFER).flip();   // read mode: position..limit are unparsed bytes
        private long requestStarted;         // nanoTime when the current request's first byte came

        Reader(Connection c, InputStream in) {
            this.c = c;
            this.in = in;
        }

        /**
         * Reads more bytes. While a request is under way the read waits at most what is left of
         * {@code --header-timeout}; between requests, {@code --idle-timeout}. Also END when a
         * draining server closed the connection between requests.
         */
        Outcome fill(boolean midRequest) throws IOException {
            long timeoutNanos;
            if (midRequest) {
                if (requestStarted == 0) {
                    requestStarted = System.nanoTime();
                }
                timeoutNanos = config.headerTimeout.toNanos() - (System.nanoTime() - requestStarted);
            } else {
                requestStarted = 0;
                timeoutNanos = config.idleTimeout.toNanos();
            }
            buffer.compact();               // to write mode
            try {
                if (!buffer.hasRemaining()) {
                    grow();
                }
                if (timeoutNanos <= 0) {
                    return Outcome.TIMED_OUT;
                }
                c.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000)));
                int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                if (n < 0) {
                    if (midRequest) {
                        LOG.log(Level.DEBUG, "{0} closed the connection in the middle of a request", c.client());
                    }
                    return Outcome.END;
                }
                buffer.position(buffer.position() + n);
                return c.beginRequest() ? Outcome.READ : Outcome.END;
            } catch (SocketTimeoutException e) {
                if (!midRequest) {
                    LOG.log(Level.DEBUG, "{0}: idle for --idle-timeout; closing", c.client());
                }
                return Outcome.TIMED_OUT;
            } finally {
                buffer.flip();              // back to read mode
            }
        }

        /** Doubles the buffer (in write mode), keeping its bytes; past the largest size, fails. */
        private void grow() throws IOException {
            if (buffer.capacity() >= maxBuffer) {
                throw new IOException("read buffer full");   // parsers' limits prevent this
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxBuffer, buffer.capacity() * 2));
            buffer = bigger.put(buffer.flip());
        }
    }
}
