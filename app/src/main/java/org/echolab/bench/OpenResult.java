package org.echolab.bench;

/**
 * One run of the open-workload scenario: a server ({@code series}: a model, or {@link Nginx#SERIES})
 * sent {@code rate} requests per second on a fixed schedule, {@code percent} of nginx's maximum
 * closed rate, whatever its answers took; latency runs from each request's intended send time, so
 * a stall counts for every request it delayed (coordinated omission corrected). The row with
 * {@code percent} {@link #MAX} is nginx's maximum itself: a closed run, no schedule.
 *
 * <p>{@code unsent} requests were due and never sent before the run ended; {@code generatorLagP99Millis}
 * is how late the load generator sent them (p99); {@code fellBehind}: either was too large to call the
 * schedule kept. A run that completed nothing has status {@link CellResult#EMPTY} and says why.
 */
public record OpenResult(
        String series,
        int percent,
        double rate,
        String status,
        String reason,
        long requests,
        long errors,
        double requestsPerSecond,
        long unsent,
        double generatorLagP99Millis,
        boolean fellBehind,
        double p99Millis,
        double p999Millis,
        long serverPid) {

    /** The percent of nginx's own maximum row. */
    public static final int MAX = 100;

    /** A run that did not measure: skipped, failed, or not run, and why. */
    public static OpenResult notRun(String series, int percent, double rate, String status, String reason) {
        return new OpenResult(series, percent, rate, status, reason, 0, 0, 0, 0, 0, false, 0, 0, 0);
    }

    public boolean ran() {
        return status.equals("ok");
    }

    /** Whether this is nginx's maximum closed rate, the scenario's 100%. */
    public boolean maxRun() {
        return percent == MAX && rate == 0;
    }
}
