package org.echolab.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.echolab.state.ServerState;
import org.echolab.state.States;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What each state variant costs a request under contention: two threads (the machine's two cores)
 * doing a request's bookkeeping on ONE shared state, back to back, with no I/O to hide behind:
 * the worst case for contention. Average time per operation, per thread.
 *
 * <pre>
 *   java -jar jmh/target/benchmarks.jar StateBench            # 2 threads, as annotated
 *   java -jar jmh/target/benchmarks.jar StateBench -t 1       # uncontended, for comparison
 * </pre>
 *
 * The broken variants are here as the floor (what no synchronisation costs, with the race window
 * at 0); their counts are wrong, which is the price of that speed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(2)
@State(Scope.Benchmark)
public class StateBench {

    @Param({"broken", "synchronized", "atomic", "broken-adder", "shm-broken", "shm-atomic"})
    public String variant;

    private ServerState state;

    @Setup
    public void setup() {
        state = States.byName(variant).create(Duration.ZERO);
    }

    @TearDown
    public void tearDown() throws Exception {
        if (state instanceof AutoCloseable c) {
            c.close();
        }
    }

    /** One request: its number, then counting it served (total and per client). */
    @Benchmark
    public long request() {
        long n = state.nextRequestNumber();
        state.requestServed("127.0.0.1");
        return n;
    }

    /** One connection: opened (count and peak), then closed. */
    @Benchmark
    public void connection() {
        state.connectionOpened();
        state.connectionClosed();
    }
}
