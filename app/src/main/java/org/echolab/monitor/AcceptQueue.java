package org.echolab.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * How many clients wait in the kernel's accept queue of a listening port: connections the kernel
 * has completed (the three-way handshake is done, the client believes it is connected) that the
 * server has not yet accepted. It is what {@code ss -ltn} shows as a listening socket's Recv-Q.
 *
 * <p>Linux lists every TCP socket in {@code /proc/net/tcp} and {@code /proc/net/tcp6}, one line
 * each; for a listening socket (state {@code 0A}) the {@code rx_queue} column is the accept
 * queue's length. Every listening socket on the port counts (with {@code SO_REUSEPORT} there may
 * be several). Read only when someone asks: each read scans the whole table.
 */
public final class AcceptQueue {

    private static final String LISTEN = "0A";

    private AcceptQueue() {}

    /**
     * The accept queue's limit for a listen backlog of {@code backlog}: the kernel caps it at
     * {@code net.core.somaxconn}, which is read in one read of the whole value, since a
     * {@code /proc/sys} integer read from an offset other than 0 reads as empty: a one-byte first
     * read (as {@code Files.readString} does on a file whose size says 0) gave "4" of "4096".
     */
    public static int limit(int backlog) {
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
            byte[] buffer = new byte[32];
            int n = in.read(buffer);
            return Math.min(
                    backlog,
                    Integer.parseInt(
                            new String(buffer, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return backlog; // not Linux: the backlog asked for is all there is to say
        }
    }

    /** The clients queued on {@code port} now; empty where /proc/net/tcp is not there (not Linux). */
    public static OptionalInt length(int port) {
        int total = 0;
        boolean found = false;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                OptionalInt n = parse(Files.readAllLines(Path.of(table)), port);
                if (n.isPresent()) {
                    total += n.getAsInt();
                    found = true;
                }
            } catch (IOException e) {
                // no such table (no IPv6, or not Linux)
            }
        }
        return found ? OptionalInt.of(total) : OptionalInt.empty();
    }

    /**
     * The accept queue of {@code port} in one table's lines, e.g.
     * {@code "0: 0100007F:1F90 00000000:0000 0A 00000000:00000004 ..."} (local 127.0.0.1:8080,
     * listening, 4 queued); empty if no socket listens on it.
     */
    static OptionalInt parse(List<String> lines, int port) {
        String hexPort = String.format(":%04X", port);
        int total = 0;
        boolean found = false;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // f[1] local address:port, f[3] state, f[4] tx_queue:rx_queue (hex)
            if (f.length > 4 && f[1].endsWith(hexPort) && f[3].equals(LISTEN)) {
                total += Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
                found = true;
            }
        }
        return found ? OptionalInt.of(total) : OptionalInt.empty();
    }
}
