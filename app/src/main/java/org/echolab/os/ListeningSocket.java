package org.echolab.os;

import java.io.IOException;
import java.net.InetAddress;

/**
 * A listening TCP socket made with plain system calls, so that the process models hold real file
 * descriptor numbers to hand to children (a JDK socket hides its fd). Its fd and every accepted fd
 * are close-on-exec: a child gets one only through an explicit {@code dup2} in
 * {@link ChildProcesses#spawn}.
 *
 * <p>Threads: one thread accepts; {@link #close} from any thread once that thread has stopped.
 */
public final class ListeningSocket implements AutoCloseable {

    private final int fd;
    private final int port;
    private volatile boolean closed;

    private ListeningSocket(int fd, int port) {
        this.fd = fd;
        this.port = port;
    }

    /** socket + SO_REUSEADDR + bind + listen. */
    public static ListeningSocket open(String bind, int port, int backlog) throws IOException {
        return open(bind, port, backlog, false);
    }

    /**
     * As above; with {@code reusePort}, SO_REUSEPORT too: other sockets with it may bind the same
     * port, and the kernel spreads new connections over all of them, each with its own backlog.
     */
    public static ListeningSocket open(String bind, int port, int backlog, boolean reusePort) throws IOException {
        byte[] address = InetAddress.getByName(bind).getAddress();
        int fd = Libc.listen(address, port, backlog, reusePort);
        return new ListeningSocket(fd, Libc.localPort(fd));
    }

    public int fd() {
        return fd;
    }

    public int port() {
        return port;
    }

    /** A connection's fd, or -1 if none arrived within {@code timeoutMillis}. */
    public int accept(int timeoutMillis) throws IOException {
        return Libc.accept(fd, timeoutMillis);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}
