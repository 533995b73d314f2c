package io.i2o2.file;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the loop's counters ({@link IoUringLoopMetrics}) cost one operation: the two updates every op makes on
 * the loop thread (submitted, then completed), beside an empty benchmark. Compare the difference with the
 * time of one NOP through the ring ({@code I2o2NopBenchmark.callbackOnLoop}, ~100-200 ns): the counters must
 * stay under 2% of it. In package {@code io.i2o2.file} (of the library's class path) to reach the
 * package-private counters without making them API.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LoopCountersBenchmark {
    private final LoopCounters counters = new LoopCounters();

    /** The two counter updates of one op. */
    @Benchmark
    public void countersOfOneOp() {
        counters.submitted();
        counters.ended(true, false);
    }

    /** Nothing: JMH's own cost, to subtract. */
    @Benchmark
    public void baseline() {
    }
}
