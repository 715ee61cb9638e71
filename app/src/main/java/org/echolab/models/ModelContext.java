package org.echolab.models;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.echolab.config.ServerConfig;

/**
 * What a model gets to work with: the process's {@link EchoStack} (configuration, service,
 * connections, session), inside a {@code prefork} worker the listening socket it inherited (else
 * null), and what to do when one of the model's critical threads fails.
 *
 * @param crash called, on the failing thread, when a thread the model cannot do without (the
 *              accept thread, a loop, a pool worker) dies of an unexpected failure, such as an
 *              {@link OutOfMemoryError}: the process must then stop, loudly, rather than go on deaf
 */
public record ModelContext(EchoStack stack, ServerSocket inheritedListener, Crash crash) {

    /** The exit status of a process whose model had a critical thread fail (the CLI's {@code CRASHED}). */
    public static final int CRASHED = 5;

    /** What a process does when a critical thread of its model fails. */
    @FunctionalInterface
    public interface Crash {
        void crashed(Thread thread, Throwable cause);
    }

    public ModelContext(EchoStack stack, Crash crash) {
        this(stack, null, crash);
    }

    public ServerConfig config() {
        return stack.config();
    }

    /** Reports that the calling thread, a critical one, failed with {@code cause}. */
    public void crashed(Throwable cause) {
        crash.crashed(Thread.currentThread(), cause);
    }

    /**
     * A listening socket on {@code --bind}:{@code --port} with the configured backlog (and
     * SO_REUSEPORT with {@code --reuseport}); or the inherited one, so that a thread model runs
     * unchanged inside a prefork worker process.
     */
    public ServerSocket openListener() throws IOException {
        if (inheritedListener != null) {
            return inheritedListener;
        }
        return openChannel(config()).socket(); // blocking, as a plain ServerSocket: the thread models accept on it
    }

    /**
     * A listening channel on {@code --bind}:{@code --port} with SO_REUSEADDR (and SO_REUSEPORT
     * with {@code --reuseport}). Its address family is the bind address's: a JDK socket is
     * otherwise IPv6 with IPv4 mapped onto it, and Linux hands a port's IPv4 connections to its
     * plain IPv4 listeners alone, so a mix (a {@code prefork} next to a {@code virtual} server,
     * both with {@code --reuseport}) would not share them.
     */
    public static ServerSocketChannel openChannel(ServerConfig config) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.bind, config.port);
        ServerSocketChannel listener = ServerSocketChannel.open(
                address.getAddress() instanceof Inet4Address
                        ? StandardProtocolFamily.INET
                        : StandardProtocolFamily.INET6);
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, config.reusePort); // others may bind this port too
            listener.bind(address, config.backlog);
            return listener;
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }
}
