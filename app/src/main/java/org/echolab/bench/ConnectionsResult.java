package org.echolab.bench;

/**
 * One model in the connections scenario (UNP vol. 1 ch. 30, Figure 30.1): {@code connections}
 * short connections, at most 10 open at once, each fetching 4,000 bytes and closing. The figure
 * is the server tree's CPU time (user + system, from /proc) per connection, and that less the
 * {@code sequential} model's, the book's "above the iterative server"; {@code scaledTo5000Seconds}
 * puts it on the book's scale of 5,000 connections.
 */
public record ConnectionsResult(
        String model,
        String status,
        String reason,
        int connections,
        long errors,
        double connectionsPerSecond,
        double cpuSeconds,
        double cpuMillisPerConnection,
        double aboveSequentialMillisPerConnection,
        double scaledTo5000Seconds,
        int processesPeak,
        long serverPid) {

    public boolean ran() {
        return status.equals("ok");
    }
}
