package org.echolab.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address, and the bound on them ({@code --max-per-client}): one
 * address that opens connection after connection (a slowloris, a flood) gets a share of the
 * server, not all of it, so clients from other addresses are still served. Beyond the bound a new
 * connection is answered 503 and closed at once. Thread-safe: the accept thread opens, any
 * thread closes.
 */
public final class ClientCounts {

    private final int limit;                   // 0: no bound
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    public ClientCounts(int limit) {
        this.limit = limit;
    }

    /** Counts a new connection from {@code client}; false (and not counted) if that address is at the bound. */
    public boolean open(String client) {
        boolean[] admitted = {false};
        open.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (limit > 0 && now >= limit) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    /** A connection that {@link #open} counted has closed. */
    public void close(String client) {
        open.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
    }

    public int limit() {
        return limit;
    }

    /** Why a connection was refused, for the 503's text. */
    public String refusal() {
        return "this address already has " + limit + " connections open (--max-per-client)";
    }
}
