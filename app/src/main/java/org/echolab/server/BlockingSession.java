package org.echolab.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.LineParser;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.ProtocolDetector.Protocol;

/**
 * The session every blocking model runs for one connection: read a request, wait, echo, repeat
 * until the client closes, asks to close, times out or sends something bad. The caller's thread
 * runs the whole session and blocks in it (in read, in the wait, in write); that thread is what
 * each model hands out differently.
 */
public final class BlockingSession {

    private static final System.Logger LOG = System.getLogger("echolab.session");

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
        try (c; Io io = new Io(c)) {
            io.protocol = switch (config.protocol) {
                case HTTP -> Protocol.HTTP;
                case TCP -> Protocol.TCP;
                case AUTO -> io.detect();
            };
            if (io.protocol == Protocol.HTTP) {
                http(c, io);
            } else if (io.protocol == Protocol.TCP) {
                tcp(c, io);
            }
        } catch (IOException e) {
            if (!c.closedByServer()) {
                LOG.log(Level.DEBUG, "connection from {0} ended: {1}", c.client(), e.toString());
            }
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "session interrupted (forced shutdown); closing {0}", c.client());
            Thread.currentThread().interrupt();
        }
    }

    private void http(Connection c, Io io) throws IOException, InterruptedException {
        HttpParser parser = new HttpParser(config.limits);
        while (true) {
            switch (parser.parse(io.buffer)) {
                case HttpParser.NeedMore n -> {
                    if (!io.fill(parser.midRequest())) {
                        return;
                    }
                }
                case HttpParser.ExpectContinue e -> io.write(org.echolab.protocol.HttpResponse.continue100());
                case HttpParser.Complete done -> {
                    Reply reply = service.http(done.request(), connections.draining());
                    if (!answer(c, io, reply)) {
                        return;
                    }
                }
                case HttpParser.Failure f -> {
                    LOG.log(Level.DEBUG, "{0}: {1} {2} ({3}); closing", c.client(), f.status(), f.reason(), f.detail());
                    io.write(service.failure(f).bytes());
                    return;
                }
            }
        }
    }

    private void tcp(Connection c, Io io) throws IOException, InterruptedException {
        LineParser parser = new LineParser(config.limits.maxLine());
        while (true) {
            switch (parser.parse(io.buffer)) {
                case LineParser.NeedMore n -> {
                    if (!io.fill(parser.midLine())) {
                        return;
                    }
                }
                case LineParser.Line line -> {
                    Reply reply = service.line(line.bytes());
                    if (!answer(c, io, reply) || connections.draining()) {
                        return;
                    }
                }
                case LineParser.TooLong t -> {
                    LOG.log(Level.DEBUG, "{0}: TCP line over {1} bytes; closing", c.client(), t.limit());
                    io.write(EchoService.lineTooLong(t.limit()));
                    return;
                }
            }
        }
    }

    /** Waits, writes the reply, counts it. False when the connection should close now. */
    private boolean answer(Connection c, Io io, Reply reply) throws IOException, InterruptedException {
        boolean written = false;
        try {
            reply.work().perform(reply.delay());
            if (connections.draining()) {
                reply = reply.closing();       // shutdown began during the wait: this is the last one
            }
            io.write(reply.bytes());
            written = true;
        } finally {
            service.done(c.client(), written);
        }
        if (reply.close()) {
            return false;
        }
        // with pipelined bytes already buffered the connection stays busy; otherwise it is idle
        return io.buffer.hasRemaining() || c.endRequest();
    }

    /** The connection's streams, its read buffer, and the timeouts that govern each read. */
    private final class Io implements AutoCloseable {
        final Connection c;
        final InputStream in;
        final OutputStream out;
        final ByteBuffer buffer;        // read mode: position..limit are unparsed bytes
        long requestStarted;            // nanoTime when the current request's first byte came
        Protocol protocol;              // null until detected

        Io(Connection c) throws IOException {
            this.c = c;
            c.socket().setTcpNoDelay(true);
            this.in = c.socket().getInputStream();
            this.out = c.socket().getOutputStream();
            this.buffer = ByteBuffer.allocate(Math.max(16 * 1024, config.limits.maxRequestLine() + 64)).flip();
        }

        Protocol detect() throws IOException, InterruptedException {
            while (true) {
                Protocol p = ProtocolDetector.detect(buffer, config.limits.maxRequestLine());
                if (p != null) {
                    return p;
                }
                if (!fill(buffer.hasRemaining())) {
                    return null;
                }
            }
        }

        /**
         * Reads more bytes. While a request is under way the read waits at most what is left of
         * {@code --header-timeout} (then 408 and close); between requests, {@code --idle-timeout}
         * (then a quiet close). False on end of stream or timeout.
         */
        boolean fill(boolean midRequest) throws IOException, InterruptedException {
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
                    throw new IOException("read buffer full");   // parsers' limits prevent this
                }
                if (timeoutNanos <= 0) {
                    throw new SocketTimeoutException();
                }
                c.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000)));
                int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                if (n < 0) {
                    if (midRequest) {
                        LOG.log(Level.DEBUG, "{0} closed the connection in the middle of a request", c.client());
                    }
                    return false;
                }
                buffer.position(buffer.position() + n);
                return c.beginRequest();
            } catch (SocketTimeoutException e) {
                if (midRequest) {
                    LOG.log(Level.DEBUG, "{0}: request not complete within --header-timeout; closing", c.client());
                    if (protocol == Protocol.HTTP) {
                        write(EchoService.requestTimeout());
                    } else if (protocol == Protocol.TCP) {
                        write(EchoService.lineTimeout());
                    }
                } else {
                    LOG.log(Level.DEBUG, "{0}: idle for --idle-timeout; closing", c.client());
                }
                return false;
            } finally {
                buffer.flip();              // back to read mode
            }
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() {
            // the socket is closed by the Connection
        }
    }
}
