package org.echolab.os;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiving end of descriptor passing as a {@link ServerSocket}: {@link #accept()} tells the
 * sending process "ready for one more" (one byte, UNP's child writing to its stream pipe), waits
 * for a connection's descriptor ({@link Descriptors#receive}) and returns it as a {@link Socket}.
 * So a blocking thread model runs unchanged on connections another process accepted.
 *
 * <p>Why a class of its own: Java cannot turn a descriptor number into a socket. The JDK's only
 * door, {@link System#inheritedChannel()}, is fd 0 once per JVM. So a passed connection is a
 * {@code Socket} over a small {@link SocketImpl} of our own that reads, writes and closes the
 * descriptor with plain system calls ({@code poll} for the read timeout, {@code read},
 * {@code write}, {@code shutdown} + {@code close}). The JDK's {@code ServerSocket.implAccept}
 * connects a custom {@code SocketImpl} to a {@code Socket}; that is what it is for.
 *
 * <p><b>Threads:</b> one thread accepts; a connection is read by one thread and written by one,
 * and may be closed from any other (a draining server): the close shuts the socket down first,
 * which wakes a blocked read, and the descriptor is released once no call is using it.
 */
public final class PassedConnections extends ServerSocket {

    private final Receiver receiver;

    /**
     * Receives connections on {@code via} (this process's end of a Unix-domain socket pair);
     * {@code onSenderGone} runs when the sender closes its end (it stopped or died).
     */
    public PassedConnections(int via, Runnable onSenderGone) throws IOException {
        this(new Receiver(via, onSenderGone));
    }

    private PassedConnections(Receiver receiver) throws IOException {
        super(receiver);
        this.receiver = receiver;
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        Socket s = new PassedSocket();
        implAccept(s); // calls Receiver.accept with the new socket's Connection impl
        return s;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return null; // it listens on no address: another process does
    }

    @Override
    public void close() throws IOException {
        receiver.close(); // wakes an accept blocked in recvmsg
        super.close();
    }

    /** A {@code Socket} over a {@link Connection}: {@code Socket(SocketImpl)} is protected. */
    private static final class PassedSocket extends Socket {
        PassedSocket() throws SocketException {
            super(new Connection());
        }
    }

    /** The listening side: "ready", then a descriptor from the sender. */
    private static final class Receiver extends SocketImpl {
        private static final byte[] READY = {'r'};
        private final int via;
        private final Runnable onSenderGone;
        private final AtomicBoolean closed = new AtomicBoolean();

        Receiver(int via, Runnable onSenderGone) {
            this.via = via;
            this.onSenderGone = onSenderGone;
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            Libc.write(via, READY, 0, 1); // the sender may pass us the next connection
            int fd = Descriptors.receive(via);
            if (fd < 0) {
                if (!closed.get()) {
                    onSenderGone.run();
                }
                throw new EOFException("the sending process closed its end");
            }
            ((Connection) s).adopt(fd, Libc.peer(fd));
        }

        @Override
        protected void close() {
            if (closed.compareAndSet(false, true)) {
                Libc.shutdown(via); // a blocked recvmsg returns end of file
            }
        }

        @Override
        protected void create(boolean stream) {}

        @Override
        protected void connect(String host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw unsupported();
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void listen(int backlog) {}

        @Override
        protected InputStream getInputStream() throws IOException {
            throw unsupported();
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            throw unsupported();
        }

        @Override
        protected int available() {
            return 0;
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw unsupported();
        }

        @Override
        public void setOption(int optID, Object value) {}

        @Override
        public Object getOption(int optID) {
            return null;
        }
    }

    /** One passed connection: its descriptor, read and written with plain system calls. */
    private static final class Connection extends SocketImpl {
        private volatile int fd = -1;
        private volatile int timeoutMillis; // SO_TIMEOUT; 0: for ever
        private final AtomicInteger inUse = new AtomicInteger();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean abortive; // SO_LINGER 0: the close sends RST

        void adopt(int fd, InetSocketAddress peer) {
            this.fd = fd;
            this.address = peer.getAddress();
            this.port = peer.getPort();
        }

        /** Marks a system call on the descriptor as under way; the descriptor stays open until {@link #end}. */
        private int begin() throws SocketException {
            inUse.incrementAndGet();
            if (closing.get()) {
                end();
                throw new SocketException("Socket closed");
            }
            return fd;
        }

        private void end() {
            if (inUse.decrementAndGet() == 0 && closing.get()) {
                release();
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                Libc.close(fd);
            }
        }

        @Override
        protected void close() {
            if (closing.compareAndSet(false, true) && fd >= 0) {
                if (!abortive) {
                    Libc.shutdown(fd); // wakes a read blocked on it (a shutdown would send FIN before the RST)
                }
                if (inUse.get() == 0) {
                    release();
                }
            }
        }

        @Override
        protected InputStream getInputStream() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    int d = begin();
                    try {
                        if (!Libc.awaitReadable(d, timeoutMillis == 0 ? -1 : timeoutMillis)) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                        int n = Libc.read(d, b, off, len);
                        return n == 0 ? -1 : n;
                    } finally {
                        end();
                    }
                }
            };
        }

        @Override
        protected OutputStream getOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    int d = begin();
                    try {
                        Libc.write(d, b, off, len);
                    } finally {
                        end();
                    }
                }
            };
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            if (optID == SocketOptions.SO_TIMEOUT) {
                timeoutMillis = (Integer) value;
            } else if (optID == SocketOptions.TCP_NODELAY || optID == SocketOptions.SO_LINGER) {
                try {
                    int d = begin();
                    if (optID == SocketOptions.TCP_NODELAY) {
                        Libc.setTcpNoDelay(d, (Boolean) value);
                    } else {
                        int seconds = value instanceof Integer i ? i : -1; // Boolean false: lingering off
                        Libc.setLinger(d, seconds);
                        abortive = seconds == 0;
                    }
                } catch (IOException e) {
                    throw new SocketException(e.getMessage());
                } finally {
                    end();
                }
            }
            // other options: left as the accepting process set them
        }

        @Override
        public Object getOption(int optID) {
            return optID == SocketOptions.SO_TIMEOUT ? timeoutMillis : null;
        }

        /** The session's half-closes: the deadline watch ends a read, a refusal's lingering close ends the writes. */
        @Override
        protected void shutdownInput() throws IOException {
            try {
                Libc.shutdown(begin(), Libc.SHUT_RD);
            } finally {
                end();
            }
        }

        @Override
        protected void shutdownOutput() throws IOException {
            try {
                Libc.shutdown(begin(), Libc.SHUT_WR);
            } finally {
                end();
            }
        }

        @Override
        protected void create(boolean stream) {}

        @Override
        protected void connect(String host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw unsupported();
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void listen(int backlog) throws IOException {
            throw unsupported();
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw unsupported();
        }

        @Override
        protected int available() {
            return 0;
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw unsupported();
        }
    }

    private static IOException unsupported() {
        return new IOException("a passed connection is already connected; it cannot connect, bind or listen");
    }
}
