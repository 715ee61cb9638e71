package org.echolab.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.echolab.os.TcpSockets;

/**
 * How many clients wait in the kernel's accept queue of a listening port: connections the kernel
 * has completed (the three-way handshake is done, the client believes it is connected) that the
 * server has not yet accepted. It is what {@code ss -ltn} shows as a listening socket's Recv-Q.
 *
 * <p>The kernel reports it as a listening socket's bytes received ({@link TcpSockets}, as
 * {@code ss} asks). Every listening socket on the port counts (with {@code SO_REUSEPORT} there may
 * be several). Read only when someone asks.
 */
public final class AcceptQueue {

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

    /** The clients queued on {@code port} now; empty where the kernel does not say (not Linux). */
    public static OptionalInt length(int port) {
        if (port < 1 || port > 65535) {
            return OptionalInt.empty(); // no TCP listener (yet)
        }
        List<TcpSockets.Socket> listening = TcpSockets.listeningOn(port);
        return listening.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of((int)
                        listening.stream().mapToLong(TcpSockets.Socket::unread).sum());
    }
}
