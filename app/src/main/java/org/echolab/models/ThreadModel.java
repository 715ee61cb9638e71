package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code thread}: a new platform thread per connection (UNP's "one thread per client", CS:APP's
 * {@code echoservert.c}).
 *
 * <p><b>Threads:</b> the accept thread accepts; each connection gets a new platform (kernel)
 * thread, {@code conn-N}, that runs its whole session and ends with it.
 *
 * <p><b>Cost:</b> a thread start per connection (tens of microseconds) and a kernel thread with
 * its stack per open connection: about 1 MiB of stack reserved (less committed) each, and kernel
 * scheduling work that grows with the count. Unbounded but for {@code --max-connections}: a burst
 * of clients becomes a burst of threads.
 */
final class ThreadModel implements ConcurrencyModel {

    private ExecutorService perConnection;
    private Acceptor acceptor;

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        perConnection = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().name("conn-", 1).factory());
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
        return "a platform thread per connection";
    }

    @Override
    public Map<String, Object> stats() {
        return acceptor.stats();
    }
}
