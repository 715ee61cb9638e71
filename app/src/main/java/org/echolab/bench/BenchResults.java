package org.echolab.bench;

import java.util.List;

/** Everything a run measured, as results.json holds it. */
public record BenchResults(String started, String finished, String preset, String command, Machine machine,
                           String java, String jar, BenchPlan plan, List<CellResult> cells,
                           List<ConnectionsResult> connections) {}
