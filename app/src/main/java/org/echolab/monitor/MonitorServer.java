package org.echolab.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.Limits;

/**
 * The monitor's HTTP server: one request per connection, each connection on a virtual thread of
 * its own, every step under a deadline, so that no client, however slow, holds what another needs.
 *
 * <p><b>Limits:</b> the whole request (head and a small body) must arrive within
 * {@link #REQUEST_TIMEOUT} (a connection that sends nothing is closed then too: there is no
 * keep-alive, so that is also the idle timeout; it is answered 408); the answer must be written within
 * {@link #WRITE_TIMEOUT}; a request line of at most 2 KiB, a head of 8 KiB, a body of 4 KiB. At most
 * {@link #MAX_CONNECTIONS} connections are open: one more closes the oldest that is still sending its
 * request and is known to be slow, its thread waiting for bytes with none unread (a 408 too); one
 * whose bytes or whose thread have not been read or run yet may hold a whole request, and is closed
 * only when no known slow one is left. It is refused with a 503 only when all are being answered. A
 * deadline closes the socket, which ends the thread's blocked read or write.
 *
 * <p><b>Threads:</b> {@code echolab-monitor-accept} (platform) accepts; each connection is served on
 * a virtual thread; {@code echolab-monitor-deadlines} closes the sockets whose deadline passed. The
 * answers are computed one at a time ({@code handler} need not be thread-safe), their bytes written
 * outside that lock.
 */
final class MonitorServer implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_CONNECTIONS = 64;

    /** Connections the kernel may hold for the accept thread (at most net.core.somaxconn). */
    static final int ACCEPT_QUEUE = 1024;

    private static final Limits LIMITS = new Limits(2048, 8192, 64, 4096, 2048);
    private static final byte[] TIMED_OUT =
            ("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
    private static final System.Logger LOG = System.getLogger(MonitorServer.class.getName());

    /** An answer: its status, type and bytes. */
    record Answer(int status, String type, byte[] body) {}

    /** A connection still sending its request, oldest first in {@link #reading}. */
    private static final class Reading {
        private final Socket socket;
        volatile Thread thread; // its own, once it runs

        Reading(Socket socket) {
            this.socket = socket;
        }

        Socket socket() {
            return socket;
        }
    }

    private final ServerSocket listener;
    private final Function<HttpRequest, Answer> handler;
    private final Object computing = new Object(); // one answer computed at a time
    private final Deque<Reading> reading = new ConcurrentLinkedDeque<>();
    private final AtomicInteger answering = new AtomicInteger(); // connections past their request
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("echolab-monitor-deadlines").unstarted(r));
    private final Thread acceptor;
    private volatile boolean closed;

    private MonitorServer(ServerSocket listener, Function<HttpRequest, Answer> handler) {
        this.listener = listener;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().name("echolab-monitor-accept").unstarted(this::acceptLoop);
    }

    /** Listens on {@code address} and answers each request with {@code handler}. */
    static MonitorServer start(InetSocketAddress address, Function<HttpRequest, Answer> handler) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        // a queue a flood of connections does not fill before the accept thread drains it: the
        // kernel drops a SYN that finds it full, and the client tries again only a second later
        listener.bind(address, ACCEPT_QUEUE);
        MonitorServer server = new MonitorServer(listener, handler);
        server.acceptor.start();
        return server;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "monitor: accept failed: {0}", e.toString());
                    pause();
                }
                continue;
            }
            if (!makeRoom()) {
                Thread.ofVirtual().start(() -> refuse(socket));
                continue;
            }
            Reading entry = new Reading(socket);
            reading.addLast(entry); // counted from now: the next accept sees it
            Thread.ofVirtual().name("echolab-monitor").start(() -> serve(entry));
        }
    }

    /**
     * On the accept thread: true if one more connection fits, after closing those that have been
     * sending their request longest if need be; false if every place is taken by an answer.
     */
    private boolean makeRoom() {
        while (reading.size() + answering.get() >= MAX_CONNECTIONS) {
            Reading slowest = slowest();
            if (slowest == null) {
                return false;
            }
            if (reading.remove(slowest)) { // else its thread took it to answer: count again
                timeOut(slowest.socket()); // its thread ends at once; its place is free now
            }
        }
        return true;
    }

    /**
     * The connection to close: the oldest whose thread waits for bytes and has none unread, a client
     * known to be slow; else the oldest with none unread whose thread has not run yet; else, so that
     * the bound holds, the oldest. A connection with bytes unread, or whose thread is running, may
     * hold a whole request its thread has not yet had the time to take (on a loaded machine, for as
     * long as many newer connections take to arrive).
     */
    private Reading slowest() {
        Reading notRunYet = null;
        for (Reading r : reading) {
            // the bytes first, then the thread: a thread that takes bytes after the first look is
            // running at the second
            if (hasUnreadBytes(r.socket())) {
                continue;
            }
            Thread thread = r.thread;
            if (thread == null) {
                notRunYet = notRunYet == null ? r : notRunYet;
            } else if (isParked(thread)) {
                return r;
            }
        }
        return notRunYet != null ? notRunYet : reading.peekFirst();
    }

    /** Parked: before its request is whole, a thread here parks only to wait for bytes. */
    private static boolean isParked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static boolean hasUnreadBytes(Socket socket) {
        try {
            return socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false; // closed already: nothing to keep
        }
    }

    private void serve(Reading entry) {
        entry.thread = Thread.currentThread();
        Socket socket = entry.socket();
        ScheduledFuture<?> deadline;
        try {
            deadline = deadlines.schedule(() -> timeOut(socket), REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closeQuietly(socket); // the monitor was closed before this thread ran
            return;
        }
        boolean counted = false;
        try (socket) {
            HttpParser.Result result = readRequest(socket.getInputStream());
            deadline.cancel(false);
            if (result == null || !reading.remove(entry)) {
                return; // closed before a whole request: by the client, a deadline, or to make room
            }
            answering.incrementAndGet();
            counted = true;
            deadline = deadlines.schedule(() -> closeQuietly(socket), WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Answer answer;
            boolean head = false;
            if (result instanceof HttpParser.Failure f) {
                answer = new Answer(f.status(), "text/plain", (f.reason() + "\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                HttpRequest req = ((HttpParser.Complete) result).request();
                head = req.method().equals("HEAD");
                synchronized (computing) {
                    answer = handler.apply(req);
                }
            }
            write(socket.getOutputStream(), answer, head);
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof SocketException)) {
                LOG.log(Level.DEBUG, "monitor: a connection failed: {0}", e.toString());
            }
        } finally {
            reading.remove(entry);
            deadline.cancel(false);
            if (counted) {
                answering.decrementAndGet();
            }
        }
    }

    /** The request, a parse failure to answer, or null if the connection ended first. */
    private static HttpParser.Result readRequest(InputStream in) throws IOException {
        HttpParser parser = new HttpParser(LIMITS);
        byte[] buffer = new byte[2048];
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return null;
            }
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (true) {
                HttpParser.Result r = parser.parse(chunk);
                if (r instanceof HttpParser.NeedMore) {
                    break;
                }
                if (!(r instanceof HttpParser.ExpectContinue)) {
                    return r;
                }
            }
        }
    }

    private static void write(OutputStream out, Answer a, boolean head) throws IOException {
        String headers = "HTTP/1.1 " + a.status() + " " + reason(a.status()) + "\r\n"
                + "Content-Type: " + a.type() + "\r\n"
                + "Content-Length: " + a.body().length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + (a.status() == 503 ? "Retry-After: 1\r\n" : "")
                + "Connection: close\r\n\r\n";
        out.write(headers.getBytes(StandardCharsets.US_ASCII));
        if (!head) {
            out.write(a.body());
        }
        out.flush();
    }

    /** All places are taken by connections being answered: a short 503, written at once, then close. */
    private void refuse(Socket socket) {
        try (socket) {
            socket.setSoTimeout(1000);
            write(
                    socket.getOutputStream(),
                    new Answer(
                            503, "text/plain", "the monitor is busy; try again\n".getBytes(StandardCharsets.US_ASCII)),
                    false);
        } catch (IOException e) {
            // it left
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /**
     * A request that did not arrive in time, or whose place a newer connection took: a 408 (a
     * few dozen bytes, which an idle socket's buffer takes at once), then the close, which ends
     * the read its thread is blocked in.
     */
    private static void timeOut(Socket socket) {
        try {
            socket.getOutputStream().write(TIMED_OUT);
        } catch (IOException e) {
            // gone, or closed already
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // e.g. out of descriptors: do not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, closes every connection still sending its request, ends the deadline thread. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Reading r; (r = reading.pollFirst()) != null; ) {
            closeQuietly(r.socket());
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadlines.shutdownNow();
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
