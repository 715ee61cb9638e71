package org.echolab.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bare counter under contention, the one idea behind the state variants' costs: a plain
 * {@code long++} (wrong), the same under a lock, {@link AtomicLong#incrementAndGet} (one contended
 * cache line, a lock-prefixed instruction), and {@link LongAdder#increment} (a cell per contending
 * thread: cheapest for a total, but it returns nothing, so it cannot hand out numbers).
 *
 * <pre>
 *   java -jar jmh/target/benchmarks.jar CounterBench
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class CounterBench {

    private long plain;
    private long locked;
    private final Object lock = new Object();
    private final AtomicLong atomic = new AtomicLong();
    private final LongAdder adder = new LongAdder();

    @Benchmark
    public long plainBroken() {
        return ++plain;
    }

    @Benchmark
    public long synchronizedLong() {
        synchronized (lock) {
            return ++locked;
        }
    }

    @Benchmark
    public long atomicLong() {
        return atomic.incrementAndGet();
    }

    @Benchmark
    public void longAdder() {
        adder.increment();
    }
}
