package org.echolab.models;

import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.echolab.config.ServerConfig;
import org.echolab.models.tree.AcceptLock;
import org.echolab.os.PassedConnections;

/**
 * The program of a worker of {@code prefork}, {@code prefork-flock}, {@code prefork-mutex} and
 * {@code prefork-pass}: runs {@code --worker-model} on the listening socket it inherited as fd 0
 * (or, with {@link #PASSED}, on the connections its parent passes it over fd 0) until SIGTERM,
 * then drains; or until its parent is gone. Only its model's parent starts it.
 */
public final class PreforkWorker {

    /** Set (to true) by {@code prefork-pass}: fd 0 is a socket to the parent, which passes connections. */
    public static final String PASSED = "echolab.passed";

    private PreforkWorker() {}

    public static void main(String[] args) throws Exception {
        ChildSetup setup = ChildSetup.read(PreforkWorker.class, args);
        ServerSocket listener = listener();
        ServerConfig config = setup.config();
        ConcurrencyModel inner = Models.byName(config.workerModel).factory().apply(config); // checked by the parent
        EchoStack stack = setup.assemble(
                () -> {
                    Map<String, Object> m = new LinkedHashMap<>(inner.stats());
                    m.put("workerModel", config.workerModel);
                    m.put("processTree", setup.treeFigures("worker"));
                    return m;
                },
                config.connectionLimit(),
                config.perClientLimit(inner.capacity(config)));
        AcceptLock lock = AcceptLock.fromProperty();
        if (lock != null) { // prefork-flock, prefork-mutex: one worker in accept at a time
            listener = lock.around(listener);
        }
        setup.exitWithParent();
        inner.start(new ModelContext(stack, listener, ChildSetup::crashed));
        setup.started(); // it accepts: counted in /stats processTree.started, which bench waits for
        // SIGTERM from the parent: stop accepting and drain, as the thread model does alone (a
        // SIGTERM that comes before this, while the worker starts, simply ends it: it has no client yet)
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("echolab-drain").unstarted(() -> {
                    try {
                        inner.stop(config.grace);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    stopped.countDown();
                }));
        stopped.await();
    }

    /** What the worker accepts on: the connections its parent passes, or the listening socket it inherited. */
    private static ServerSocket listener() throws Exception {
        if (Boolean.getBoolean(PASSED)) {
            return new PassedConnections(
                    0, () -> ChildSetup.parentGone("the parent closed its end of the socket pair"));
        }
        if (System.inheritedChannel() instanceof ServerSocketChannel channel) {
            return channel.socket();
        }
        ChildSetup.refuse(
                PreforkWorker.class,
                "accepts on a listening socket inherited as fd 0; the 'prefork' model starts it, people do not");
        return null;
    }
}
