package org.echolab.bench;

import java.util.List;

/**
 * Everything a run measured, as results.json holds it. {@code cells} holds the reference's cells
 * too (model {@link Nginx#SERIES}) when {@code reference} was measured; {@code reference} is null
 * in results from before there was one; {@code herd}, the thundering-herd scenario, is empty in
 * results from before it was measured. {@code pinning} (where servers and the load generator ran) is
 * null in results from before runs were pinned; {@code open}, the open-workload scenario, is empty
 * when the run did not ask for it.
 */
public record BenchResults(
        String started,
        String finished,
        String preset,
        String command,
        Machine machine,
        String java,
        String jar,
        BenchPlan plan,
        List<CellResult> cells,
        List<ConnectionsResult> connections,
        Reference reference,
        List<HerdResult> herd,
        Pinning pinning,
        List<OpenResult> open) {

    public BenchResults {
        herd = herd == null ? List.of() : List.copyOf(herd);
        open = open == null ? List.of() : List.copyOf(open);
    }
}
