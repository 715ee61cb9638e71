package org.echolab.os;

import java.io.IOException;

/**
 * Descriptor passing between processes, UNP's {@code write_fd}/{@code read_fd} (ch. 15.7): a
 * Unix-domain socket pair between a parent and a child, over which the parent sends an open
 * descriptor (SCM_RIGHTS) and the child receives its own copy of it. This is how a process that
 * accepted a connection hands it to another that already runs.
 *
 * <p>Thread-safe: plain system calls. Linux only ({@link Libc#unsupportedReason()}).
 */
public final class Descriptors {

    private Descriptors() {}

    /** Two connected Unix-domain stream sockets, both close-on-exec: {@code [parent's end, child's end]}. */
    public static int[] socketPair() throws IOException {
        return Libc.socketPair();
    }

    /**
     * Sends {@code fd} over {@code via}. The receiver gets a descriptor of its own for the same
     * socket; the sender's copy stays open until the sender closes it (and it must, or the client
     * never sees the connection end: the kernel closes a socket when its last descriptor goes).
     */
    public static void send(int via, int fd) throws IOException {
        Libc.sendDescriptor(via, fd);
    }

    /** Blocks until a descriptor arrives on {@code via} and returns it (close-on-exec); -1 if the sender closed its end. */
    public static int receive(int via) throws IOException {
        return Libc.receiveDescriptor(via);
    }

    /** {@code dup2(from, to)}: descriptor {@code to} now refers to what {@code from} does. */
    public static void duplicate(int from, int to) throws IOException {
        Libc.dup2(from, to);
    }

    public static void close(int fd) {
        Libc.close(fd);
    }

    /**
     * Blocks until one byte arrives on {@code via} (a "ready" from the other process, see
     * {@link PassedConnections}); false at end of file (the other process closed its end or died).
     */
    public static boolean awaitByte(int via) throws IOException {
        return Libc.read(via, new byte[1], 0, 1) > 0;
    }
}
