package org.echolab.bench;

import java.util.Map;
import org.echolab.load.Fairness;

/**
 * One cell of the matrix: a model under a number of clients and a workload. When {@code status}
 * is {@code skipped}, {@code failed} or {@code empty} (it ran and completed no request),
 * {@code reason} says why and the figures are zero: reports mark such a cell, never rank it.
 *
 * <p>Units are in the names. CPU and memory are the server's whole process tree, from /proc,
 * over the recorded period; memory per connection is the rise of PSS over the idle server's,
 * divided by the clients. {@code loadGeneratorCores} is this JVM's CPU over the same period (it
 * shares the machine with the server) and {@code otherCores} everything else that ran on the
 * machine meanwhile: a figure taken while other work ran says so. Little's law: with C clients each waiting W per request, at most C / W
 * requests per second can complete; {@code efficiency} is req/s over that bound.
 *
 * <p>{@code fairness} is how the answers were spread over the clients' connections (some may have
 * been starved); it is null for a cell not run, and in results.json files written before it was
 * measured: reports show it as n/a.
 */
public record CellResult(
        String model,
        int clients,
        String workload,
        String work,
        double waitMillis,
        String status,
        String reason,
        long requests,
        long errors,
        Map<String, Long> errorsByKind,
        Fairness fairness,
        double requestsPerSecond,
        double p50Millis,
        double p90Millis,
        double p99Millis,
        double p999Millis,
        double maxMillis,
        double cpuCores,
        double cpuMicrosPerRequest,
        double loadGeneratorCores,
        double otherCores,
        long pssIdleBytes,
        long pssPeakBytes,
        long rssPeakBytes,
        long memoryPerConnectionBytes,
        int threadsPeak,
        int processesPeak,
        int descriptorsPeak,
        double littleRequestsPerSecond,
        double efficiency,
        long serverPid,
        String startupLine) {

    /** The status of a cell that ran and completed no request in its recorded period. */
    public static final String EMPTY = "empty";

    /** True when the cell has figures: it ran and completed requests. */
    public boolean ran() {
        return status.equals("ok");
    }

    static CellResult notRun(String model, int clients, Workload w, String status, String reason) {
        return new CellResult(
                model,
                clients,
                w.label(),
                w.kind(),
                w.perRequest().toNanos() / 1e6,
                status,
                reason,
                0,
                0,
                Map.of(),
                null,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                "");
    }
}
