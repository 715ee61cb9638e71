package org.echolab.process;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address, and the bound on them ({@code --max-per-client}): one
 * address that opens connection after connection (a slowloris, a flood) gets a share of the
 * server, not all of it, so clients from other addresses are still served. Beyond the bound a new
 * connection is answered 503 and closed at once. An automatic bound spares loopback clients: on
 * one machine every client is 127.0.0.1 (a lab, a load test), and half the server for all of them
 * would refuse what the machine can serve; a bound given as a number holds for loopback too.
 * Thread-safe: the accept thread opens, any thread closes.
 */
final class ClientCounts {

    private final int limit; // 0: no bound
    private final boolean loopbackToo; // false: loopback addresses are not bounded
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    /** {@code loopbackToo}: whether the bound holds for loopback addresses (127.0.0.0/8, ::1) too. */
    ClientCounts(int limit, boolean loopbackToo) {
        this.limit = limit;
        this.loopbackToo = loopbackToo;
    }

    /** Counts a new connection from {@code client}; false (and not counted) if that address is at the bound. */
    boolean open(String client) {
        boolean bounded = limit > 0 && (loopbackToo || !loopback(client));
        boolean[] admitted = {false};
        open.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (bounded && now >= limit) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    /** A connection that {@link #open} counted has closed. */
    void close(String client) {
        open.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Whether {@code client}, an address as text (never a name: no lookup), is a loopback address. */
    static boolean loopback(String client) {
        try {
            return InetAddress.ofLiteral(client).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false; // "?": the address was not known
        }
    }

    /** Why a connection was refused, for the client's answer. */
    String refusal() {
        return "this address already has " + limit + " connections open (--max-per-client)";
    }
}
