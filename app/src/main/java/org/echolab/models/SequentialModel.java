package org.echolab.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.echolab.config.ServerConfig;

/**
 * {@code sequential}: one connection at a time (UNP's iterative server, CS:APP's
 * {@code echoserveri.c}).
 *
 * <p><b>Threads:</b> the accept thread runs each session itself, to the end, before it accepts
 * the next connection. There are no other threads.
 *
 * <p><b>Cost:</b> none per connection, and no concurrency at all: while one client waits (or
 * keeps its connection alive), every other client waits in the kernel's accept backlog. It is here
 * to show the problem the other models solve.
 */
final class SequentialModel implements ConcurrencyModel {

    private Acceptor acceptor;

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        acceptor = Acceptor.start(ctx, null, Acceptor.Session::run); // the accept thread runs the session itself
        return acceptor.address();
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        acceptor.stop(grace);
    }

    @Override
    public int capacity(ServerConfig config) {
        return 1;
    }

    @Override
    public String describe() {
        return "one connection at a time";
    }

    @Override
    public Map<String, Object> stats() {
        return acceptor.stats();
    }
}
