package org.echolab.state;

import java.util.Map;

/**
 * The server's shared mutable state: the race lab's subject. Every worker of a server (threads, or
 * processes sharing memory) calls these methods concurrently; each implementation in
 * {@code org.echolab.state} says whether it is correct under that, and why.
 */
public interface ServerState {

    /** The variant's name, as given to {@code --state}. */
    String name();

    /** Hands out the server-wide request number: 1, 2, 3, ... each exactly once if correct. */
    long nextRequestNumber();

    /** Counts a finished request for {@code client} (its address): total and per client. */
    void requestServed(String client);

    /** Gauges: connections open now, and the highest number ever open at once. */
    void connectionOpened();

    void connectionClosed();

    Snapshot snapshot();

    /** A view for /stats; under a broken variant, the figures show what it lost. */
    record Snapshot(long requestNumbers, long served, long open, long peak, Map<String, Long> perClient) {}
}
