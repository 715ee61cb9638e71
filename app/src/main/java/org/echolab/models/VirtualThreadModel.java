package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code virtual}: a virtual thread per connection (JDK 21+; Helidon 4's design).
 *
 * <p><b>Threads:</b> the accept thread (a platform thread) accepts; each connection gets a new
 * virtual thread that runs its whole session. Virtual threads run on a small pool of carrier
 * threads (one per core by default); a virtual thread that blocks in read, sleep or write is
 * unmounted and its carrier runs another.
 *
 * <p><b>Cost:</b> a virtual thread is a heap object of a few hundred bytes plus its stack chunks,
 * so thousands of waiting connections cost little memory and no kernel threads. Blocking code
 * reads as in {@code thread}. CPU-bound work still competes for the same few carriers.
 */
final class VirtualThreadModel implements ConcurrencyModel {

    private ExecutorService perConnection;
    private Acceptor acceptor;

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        perConnection = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("vconn-", 1).factory());
        acceptor = Acceptor.start(ctx, null, perConnection::execute);
        return acceptor.address();
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(grace);
        Workers.end(perConnection); // sessions still in their wait after the grace
    }

    @Override
    public String describe() {
        return "a virtual thread per connection";
    }

    @Override
    public Map<String, Object> stats() {
        return acceptor.stats();
    }
}
