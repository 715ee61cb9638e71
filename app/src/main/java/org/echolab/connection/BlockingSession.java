package org.echolab.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSocket;
import org.echolab.config.ServerConfig;
import org.echolab.process.Connections;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.service.Outgoing;
import org.echolab.service.Reply;
import org.echolab.tls.ServerTls;

/**
 * The session every blocking model runs for one connection, CS:APP's {@code echo(connfd)}: read,
 * wait, echo, repeat until the client closes, asks to close, times out or sends something bad.
 * What to do at each step is the {@link Conversation}'s decision, and how long each read or write
 * may take is the {@link Deadlines}'; this class only reads, waits and writes. The caller's thread
 * runs the whole session and blocks in it (in read, in the wait, in write); that thread is what
 * each model hands out differently. Under {@code --tls} the session begins with the TLS handshake
 * (an {@link SSLSocket} over the connection, within {@code --header-timeout}) and then reads and
 * writes plaintext through it: nothing else changes.
 */
public final class BlockingSession {

    private static final System.Logger LOG = System.getLogger(BlockingSession.class.getName());

    /**
     * A session's first read buffer: a whole request of the usual size (a {@code /echo} GET is about
     * 100 bytes). It doubles when a request needs more, up to {@link Conversation#readBufferSize}.
     * Starting small rather than at that size (16 KiB) is what keeps an idle connection cheap: the
     * 16 KiB buffer was most of what an idle {@code virtual} connection held (a heap histogram shows
     * it; docs/performance.md has the idle cost per model).
     */
    static final int FIRST_READ_BUFFER = 1024;

    private final ServerConfig config;
    private final EchoService service;
    private final Resources process;
    private final Connections connections;
    private final ServerTls tls; // null: plain

    public BlockingSession(
            ServerConfig config, EchoService service, Resources process, Connections connections, ServerTls tls) {
        this.config = config;
        this.service = service;
        this.process = process;
        this.connections = connections;
        this.tls = tls;
    }

    /**
     * Serves {@code c} on the calling thread until it is done, then closes it, saying why and whether
     * it held a request unanswered. An I/O failure or a bug ends only this connection; an
     * {@link Error} (out of memory) is the caller's to report.
     */
    public void serve(Connection c) {
        Conversation conversation = new Conversation(
                config, service, process, c.client(), c.socket().getPort());
        try {
            c.socket().setTcpNoDelay(true);
            if (tls != null && !handshake(c, conversation)) {
                return;
            }
            Socket io = c.io();
            converse(c, conversation, io.getInputStream(), io.getOutputStream());
        } catch (IOException e) {
            c.why(CloseReason.failure(e));
        } catch (InterruptedException e) {
            c.why(CloseReason.FORCED);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            c.why(CloseReason.failure(e));
            LOG.log(Level.ERROR, "connection from " + c.client() + " failed; closing it", e);
        } catch (Error e) {
            c.why(CloseReason.failure(e));
            throw e;
        } finally {
            boolean unanswered = conversation.holdsUnanswered(); // asked before the end abandons the answer
            conversation.end(); // an answer cut short, and what the conversation held
            c.close(unanswered); // the cause is known by now, whatever ended the session
        }
    }

    /**
     * The TLS handshake, which must end within {@code --header-timeout}; false if it failed or
     * took too long (said in one log line, and the connection closes).
     */
    private boolean handshake(Connection c, Conversation conversation) throws IOException {
        c.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, config.headerTimeout.toMillis())));
        SSLSocket s;
        try {
            s = tls.layer(c.socket()); // reads the client's first bytes: plain text gets its 400 here
            c.secure(s);
            s.startHandshake();
        } catch (IOException e) {
            c.why(CloseReason.TLS_FAILED);
            if (!c.closedByServer()) {
                ServerTls.handshakeFailed(c.client(), e);
            }
            return false;
        }
        c.socket().setSoTimeout(0); // from here on the deadline watch keeps the read deadlines
        conversation.secured(ServerTls.info(s));
        return true;
    }

    private void converse(Connection c, Conversation conversation, InputStream in, OutputStream out)
            throws IOException, InterruptedException {
        Reader reader = new Reader(c, in);
        Deadlines deadlines = new Deadlines(config);
        while (true) {
            switch (conversation.next(reader.buffer, connections.draining())) {
                case Conversation.Read r -> {
                    Outcome got = reader.fill(deadlines.read(r, System.nanoTime()));
                    if (got == Outcome.TIMED_OUT) {
                        c.why(CloseReason.timeout(r.kind()));
                        byte[] why = r.kind() == Deadlines.Kind.IDLE ? null : conversation.timedOut();
                        if (why != null) {
                            write(c, conversation, out, new Outgoing(why, 0), deadlines);
                            linger(c, in, reader.buffer);
                        } else {
                            LOG.log(
                                    Level.DEBUG,
                                    "{0}: nothing within --{1}-timeout; closing",
                                    c.client(),
                                    r.kind().name().toLowerCase());
                        }
                    }
                    if (got == Outcome.END
                            && !c.closedByServer()
                            && conversation.endOfInput(reader.buffer) instanceof Conversation.Answer last) {
                        answer(c, conversation, last, out, deadlines); // a last TCP line without its newline
                    }
                    if (got == Outcome.END) {
                        c.why(c.closedByServer() ? CloseReason.DRAINED_IDLE : CloseReason.CLIENT_CLOSED);
                    }
                    if (got != Outcome.READ) {
                        return;
                    }
                }
                case Conversation.Write w -> {
                    if (w.close()) {
                        c.why(CloseReason.refused(w.bytes()));
                    }
                    write(c, conversation, out, new Outgoing(w.bytes(), 0), deadlines);
                    if (w.close()) {
                        linger(c, in, reader.buffer);
                        return;
                    }
                }
                case Conversation.Answer a -> {
                    if (answer(c, conversation, a, out, deadlines)) {
                        return; // a complete request answered: nothing unread to reset the answer
                    }
                    // with pipelined bytes already buffered the connection stays busy; otherwise it is idle
                    if (!(reader.buffer.hasRemaining() || c.endRequest())) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Waits, writes the reply (and a dripped body's later chunks, sleeping between them) and
     * reports it written. True when the connection closes after it; before a reset's close,
     * SO_LINGER 0, so that the close sends RST.
     */
    private boolean answer(
            Connection c, Conversation conversation, Conversation.Answer a, OutputStream out, Deadlines deadlines)
            throws IOException, InterruptedException {
        a.reply().work().perform(a.reply().delay()); // the wait: this thread blocks in it
        Reply reply = conversation.reply(connections.draining());
        write(c, conversation, out, reply.outgoing(), deadlines);
        for (byte[] piece : reply.later()) {
            Thread.sleep(reply.interval()); // drip: this thread blocks between chunks
            write(c, conversation, out, new Outgoing(piece, 0), deadlines);
        }
        conversation.replied(true);
        if (reply.cut().reset()) {
            c.socket().setSoLinger(true, 0);
        }
        if (reply.close()) {
            c.why(CloseReason.answered(reply, connections.draining()));
        }
        return reply.close();
    }

    /** Writes every slice; each must be taken by the client within --write-timeout, or the deadline watch closes the socket. */
    private static void write(
            Connection c, Conversation conversation, OutputStream out, Outgoing o, Deadlines deadlines)
            throws IOException {
        try {
            for (ByteBuffer s; (s = o.slice()) != null; ) {
                if (!c.closedByServer()) {
                    conversation.sent(); // a write begun on an open socket: the answer is on its way
                }
                c.writing(deadlines.from(System.nanoTime(), Deadlines.Kind.WRITE));
                out.write(s.array(), s.arrayOffset() + s.position(), s.remaining());
                s.position(s.limit());
            }
        } finally {
            c.writing(0);
        }
    }

    /**
     * The careful close after a refusal or a timeout (RFC 9112 9.6): half-close, then read and
     * drop what the client still sends until it closes or {@link Deadlines#LINGER} passes, so input
     * the server never read (the body after a 413) does not make the kernel reset the connection
     * before the client has read the answer.
     */
    private static void linger(Connection c, InputStream in, ByteBuffer buffer) {
        try {
            c.io().shutdownOutput(); // TLS: close_notify first
            long deadline = System.nanoTime() + Deadlines.LINGER.toNanos();
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                c.socket().setSoTimeout((int) Math.max(1, left / 1_000_000));
                if (in.read(buffer.array()) < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // timed out, reset or closed: the close that follows is all that is left
        }
    }

    private enum Outcome {
        READ,
        END,
        TIMED_OUT
    }

    /** Reads into the session's buffer, which grows as a request needs, waiting until a deadline at most. */
    private final class Reader {
        private final Connection c;
        private final InputStream in;
        private final int maxBuffer = Conversation.readBufferSize(config.limits);
        ByteBuffer buffer =
                ByteBuffer.allocate(FIRST_READ_BUFFER).flip(); // read mode: position..limit are unparsed bytes

        Reader(Connection c, InputStream in) {
            this.c = c;
            this.in = in;
            ByteBuffer early = c.takeEarly();
            if (early != null) { // the request head, read before this session began
                buffer = ByteBuffer.allocate(Math.max(FIRST_READ_BUFFER, early.remaining()))
                        .put(early)
                        .flip();
            }
        }

        /** Reads more bytes, waiting until {@code deadline} at most. END also when a draining server closed the connection. */
        Outcome fill(long deadline) throws IOException {
            buffer.compact(); // to write mode
            try {
                if (!buffer.hasRemaining()) {
                    grow();
                }
                if (deadline - System.nanoTime() <= 0) {
                    return Outcome.TIMED_OUT;
                }
                int n;
                c.reading(deadline); // the deadline watch ends the read if it is still blocked then
                try {
                    n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                } catch (IOException e) {
                    if (c.readTimedOut()) {
                        return Outcome.TIMED_OUT; // TLS: the record layer takes the shut input for an error
                    }
                    throw e;
                } finally {
                    c.reading(0);
                }
                if (n < 0) {
                    return c.readTimedOut() ? Outcome.TIMED_OUT : Outcome.END;
                }
                buffer.position(buffer.position() + n);
                return c.beginRequest() ? Outcome.READ : Outcome.END;
            } finally {
                buffer.flip(); // back to read mode
            }
        }

        /** Doubles the buffer (in write mode), keeping its bytes; past the largest size, fails. */
        private void grow() throws IOException {
            if (buffer.capacity() >= maxBuffer) {
                throw new IOException("read buffer full"); // parsers' limits prevent this
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxBuffer, buffer.capacity() * 2));
            buffer = bigger.put(buffer.flip());
        }
    }
}
