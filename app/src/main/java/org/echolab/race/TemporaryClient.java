package org.echolab.race;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TEMPORARY: a minimal HTTP client for {@code race} until the load generator library
 * (org.echolab.load) lands; then this file goes. C threads send K requests in all, each reading the
 * X-Echo-Request header of every answer.
 */
final class TemporaryClient {

    record Result(long ok, long errors, List<Long> numbers) {}

    static Result run(InetSocketAddress server, int clients, long requests, boolean connectPerRequest) throws InterruptedException {
        AtomicLong tickets = new AtomicLong(requests);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        ConcurrentLinkedQueue<Long> numbers = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("race-client-" + i).start(() -> {
                Socket socket = null;
                try {
                    while (tickets.getAndDecrement() > 0) {
                        if (socket == null) {
                            socket = new Socket();
                            socket.connect(server, 10_000);
                            socket.setSoTimeout(30_000);
                            socket.setTcpNoDelay(true);
                        }
                        long n = exchange(socket, connectPerRequest);
                        if (n > 0) {
                            ok.incrementAndGet();
                            numbers.add(n);
                        } else {
                            errors.incrementAndGet();
                        }
                        if (connectPerRequest || n <= 0) {
                            socket.close();
                            socket = null;
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                } finally {
                    if (socket != null) {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(ok.get(), errors.get(), List.copyOf(numbers));
    }

    /** One request; the X-Echo-Request number of a right answer, or -1. */
    private static long exchange(Socket socket, boolean close) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /echo?msg=race HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            head.append((char) b);
        }
        long number = -1;
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("X-Echo-Request")) {
                    number = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(value);
                }
            }
        }
        byte[] body = in.readNBytes(length);
        boolean good = head.toString().startsWith("HTTP/1.1 200") && new String(body, StandardCharsets.UTF_8).equals("race");
        return good ? number : -1;
    }
}
