package org.echolab.bench;

/**
 * One point of the thundering-herd scenario (UNP vol. 1 ch. 30.6): a prefork model with
 * {@code workers} one-thread worker processes, all up and idle, then {@code connections} short
 * connections as in the connections scenario (10 open at once, 4,000 bytes each). The figure is
 * the whole tree's CPU time (user + system of the parent and every worker, from /proc) per
 * connection: if an idle worker woke for a connection it did not get, it shows here. When
 * {@code status} is {@code skipped} or {@code failed}, {@code reason} says why and the figures are zero.
 */
public record HerdResult(
        String model,
        int workers,
        String status,
        String reason,
        int connections,
        long errors,
        double cpuSeconds,
        double cpuMillisPerConnection,
        long serverPid) {

    public boolean ran() {
        return status.equals("ok");
    }

    static HerdResult notRun(String model, int workers, String status, String reason, int connections) {
        return new HerdResult(model, workers, status, reason, connections, 0, 0, 0, 0);
    }
}
