package org.echolab.models;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Connection;
import org.echolab.os.Libc;
import org.echolab.process.Connections;

/**
 * The program of a {@code process} child: serves the one connection it inherited as fd 0 and 1
 * with the shared blocking session on its main thread, then exits. Only {@link ProcessModel}
 * starts it, with the parent's configuration as its arguments; it logs to stderr, since its stdout
 * is the client's socket. {@link ProcessSpare} sets up the same way and serves the same way.
 */
public final class ProcessChild {

    private ProcessChild() {}

    public static void main(String[] args) throws IOException {
        ChildSetup setup = ChildSetup.read(ProcessChild.class, args);
        if (Libc.peerGone(0)) {
            return; // the client left while this JVM started: spare the rest
        }
        serve(setup, ready(setup));
    }

    /** Everything but the connection: the parent may start the next child, the stack is built. */
    static EchoStack ready(ChildSetup setup) {
        return ready(setup, Map.of());
    }

    /** As above, with more of this child's own figures for its {@code /stats}. */
    static EchoStack ready(ChildSetup setup, Map<String, Object> figures) {
        setup.started();
        return setup.assemble(
                () -> {
                    Map<String, Object> all = new LinkedHashMap<>(figures);
                    all.put("processTree", setup.treeFigures("child"));
                    return all;
                },
                1,
                0);
    }

    /** Serves the connection that is this process's fd 0 and 1, to its end. */
    static void serve(ChildSetup setup, EchoStack stack) throws IOException {
        if (!(System.inheritedChannel() instanceof SocketChannel channel)) {
            ChildSetup.refuse(
                    ProcessChild.class,
                    "serves a connection inherited as fd 0; the 'process' model starts it, people do not");
            return;
        }
        Connections connections = stack.connections();
        Runnable drain = new DrainOnce(setup.config(), connections, setup.firstRequest(), Thread.currentThread());
        // the parent's stop (SIGWINCH), or a SIGTERM sent to this child directly
        sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), signal -> drain.run());
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("echolab-drain").unstarted(drain));
        Connection c = new Connection(channel.socket(), connections);
        connections.admit(c); // no --max-per-client in a child: always admitted
        try {
            stack.session().serve(c); // closes the channel: the JDK then points fds 0, 1 and 2 at /dev/null
        } finally {
            setup.firstRequest().countDown(); // the connection is over: the exit's drain has nothing to wait for
        }
    }

    /**
     * Drains once, but only after the request that brought this child to life has begun (or
     * the header timeout passed): the client connected before the stop and is owed an answer,
     * whereas a thread model's drain would see its not-yet-read connection as idle and close it.
     */
    private record DrainOnce(
            ServerConfig config,
            Connections connections,
            CountDownLatch firstRequest,
            Thread session,
            AtomicBoolean started,
            CountDownLatch done)
            implements Runnable {
        DrainOnce(ServerConfig config, Connections connections, CountDownLatch firstRequest, Thread session) {
            this(config, connections, firstRequest, session, new AtomicBoolean(), new CountDownLatch(1));
        }

        /**
         * The first caller drains; a later one (the shutdown hook) waits until that is done. If
         * the grace ran out, the session's work (CPU work goes on after its socket is closed) is
         * abandoned too.
         */
        @Override
        public void run() {
            try {
                if (started.compareAndSet(false, true)) {
                    firstRequest.await(config.headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (connections.drain(config.grace) > 0) {
                        session.interrupt();
                    }
                    done.countDown();
                } else {
                    done.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
