package org.echolab.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately faulty HTTP echo server for testing the load generator's checks: raw
 * {@link ServerSocket}, a platform thread per connection, keep-alive, {@code GET /echo?msg=M}
 * answered with M. Its {@link Fault} decides what goes wrong, and how often.
 */
final class FaultyEchoServer implements AutoCloseable {

    enum Fault {
        /** Every answer correct: the control. */
        NONE,
        /** Every 10th answer has one byte of the echo changed (same length). */
        WRONG_BODY,
        /** Every 10th answer promises more bytes than it sends, then closes. */
        TRUNCATED,
        /** Every 10th answer is 503. */
        STATUS_503,
        /** After {@code stallAfter} requests, every answer is held until 1 s has passed: a global pause, like a long GC. */
        STALL_ONCE,
        /**
         * Every connection but the first to send a request is answered only after {@link #release()}:
         * a late child process (the load generator's probe connects, but sends nothing).
         */
        LATE_BUT_FIRST
    }

    static final long STALL_MILLIS = 1000;

    private final ServerSocket listener;
    private final Fault fault;
    private final long stallAfter;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private volatile long stallUntil;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong asking = new AtomicLong();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread acceptor;

    FaultyEchoServer(Fault fault) throws IOException {
        this(fault, 0);
    }

    FaultyEchoServer(Fault fault, long stallAfter) throws IOException {
        this.fault = fault;
        this.stallAfter = stallAfter;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = Thread.ofPlatform().name("faulty-accept").start(this::acceptLoop);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/echo");
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Thread.ofPlatform().name("faulty-conn").daemon().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        boolean asked = false;
        boolean late = false;
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = readHead(in)) != null) {
                long n = requests.incrementAndGet();
                String target = line.split(" ")[1];
                String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
                String msg = "";
                for (String pair : query.split("&")) {
                    if (pair.startsWith("msg=")) {
                        msg = URLDecoder.decode(pair.substring(4), StandardCharsets.UTF_8);
                    }
                }
                byte[] body = msg.getBytes(StandardCharsets.UTF_8);
                holdIfStalled(n);
                if (fault == Fault.LATE_BUT_FIRST && !asked) {
                    asked = true;
                    late = asking.incrementAndGet() > 1;
                }
                if (late && !awaitRelease()) {
                    return;
                }
                boolean faulty = n % 10 == 0;
                if (faulty && fault == Fault.WRONG_BODY && body.length > 0) {
                    body[body.length - 1] ^= 1;
                }
                int status = faulty && fault == Fault.STATUS_503 ? 503 : 200;
                int promised = faulty && fault == Fault.TRUNCATED ? body.length + 5 : body.length;
                byte[] head = ("HTTP/1.1 " + status + " X\r\nContent-Length: " + promised + "\r\nX-Echo-Request: " + n
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, all, head.length, body.length);
                out.write(all); // one write: two small ones would meet Nagle and delayed ACKs (40 ms each)
                out.flush();
                if (faulty && fault == Fault.TRUNCATED) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(s);
        }
    }

    /** {@link Fault#LATE_BUT_FIRST}: lets the late connections be answered. */
    void release() {
        released.countDown();
    }

    private boolean awaitRelease() {
        try {
            released.await();
            return !listener.isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void holdIfStalled(long n) {
        if (fault != Fault.STALL_ONCE) {
            return;
        }
        if (n >= stallAfter && stalled.compareAndSet(false, true)) {
            stallUntil = System.currentTimeMillis() + STALL_MILLIS;
        }
        long wait;
        while ((wait = stallUntil - System.currentTimeMillis()) > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Reads a request head; returns its first line, or null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder first = new StringBuilder();
        StringBuilder current = new StringBuilder();
        boolean firstDone = false;
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String l = current.toString().strip();
                current.setLength(0);
                if (!firstDone) {
                    first.append(l);
                    firstDone = true;
                } else if (l.isEmpty()) {
                    return first.toString();
                }
            } else {
                current.append((char) b);
            }
        }
        return null;
    }

    long requests() {
        return requests.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        released.countDown();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
