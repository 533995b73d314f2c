package io.i2o2.bench.jmh;

import io.i2o2.bench.peer.Producers;
import io.i2o2.bench.peer.SlotSignals;
import io.i2o2.file.FileIo;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFileEventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One library op (a subclass says which: a NOP, a 4 KiB read) on one i2o2 loop, in the three ways a caller
 * can run it, with {@code window} ops kept in flight:
 *
 * <ul>
 *   <li>{@link #future}: the Future API from the benchmark thread: wait for the oldest op's {@link IntFuture}
 *       (spin, then park, as the CLI's producers do), submit the next. Target: one allocated object per op,
 *       the promise;</li>
 *   <li>{@link #callback}: the callback API from the benchmark thread ({@link IoCallback}, tag = slot): the
 *       callback runs on the loop and counts the slot in {@link SlotSignals}; the benchmark thread waits on
 *       the oldest slot. Target: 0 bytes per op;</li>
 *   <li>{@link #callbackOnLoop}: the callback API on the loop's own thread: a task on the loop runs
 *       {@value #BATCH} ops, each completion submitting the next, while the benchmark thread waits. Target:
 *       0 bytes per op beyond one reused task hand-over per batch.</li>
 * </ul>
 *
 * <p>Allocation per op ({@code -prof gc}: {@code gc.alloc.rate.norm}) is the figure to watch; JMH 1.37
 * counts every thread's allocation, the loop thread's included. Throughput on a busy host is not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// JMH itself still calls sun.misc.Unsafe: allow it quietly, so the fork's output is the benchmark's.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public abstract class LoopOpBenchmark {
    /** Ops per {@link #callbackOnLoop} invocation. */
    public static final int BATCH = 1024;

    /** Ops kept in flight. */
    @Param({"1", "32"})
    public int window;

    /** The loop the ops run on. */
    protected FileIo loop;
    private IoUringFileEventLoopGroup group;
    private IntFuture[] futures;
    private SlotSignals signals;
    private long[] submitted;
    private int next;
    private final Batch batch = new Batch();
    private volatile String failure;
    private final IoCallback counted = this::counted;

    /** For JMH. */
    protected LoopOpBenchmark() {
    }

    /**
     * Starts the loop and lets the subclass prepare its slots.
     *
     * @throws Exception if the ring or the subclass's resources cannot be set up
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        group = new IoUringFileEventLoopGroup(1, configure(IoUringConfig.builder()
                .maxInFlight(Math.max(64, 2 * window))).build());
        loop = group.nextFileIo();
        futures = new IntFuture[window];
        signals = new SlotSignals(window);
        submitted = new long[window];
        prepare(window);
    }

    /**
     * Waits for the ops still in flight, lets the subclass release its resources, stops the loop.
     *
     * @throws Exception if releasing failed
     */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        for (int s = 0; s < window; s++) {
            if (futures[s] != null) {
                futures[s].awaitUninterruptibly();
            }
            signals.await(s, submitted[s]);
        }
        release();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * The loop's configuration beyond the in-flight bound (registered buffers, file slots).
     *
     * @param b the builder
     * @return the builder
     */
    protected IoUringConfig.Builder configure(IoUringConfig.Builder b) {
        return b;
    }

    /**
     * Prepares per-slot resources once the loop runs.
     *
     * @param slots the window
     * @throws Exception if they cannot be made
     */
    protected abstract void prepare(int slots) throws Exception;

    /**
     * Releases what {@link #prepare} made; nothing is in flight any more.
     *
     * @throws Exception if releasing failed
     */
    protected abstract void release() throws Exception;

    /**
     * Submits the op of {@code slot} through the Future API.
     *
     * @param slot the slot, free
     * @return the op's future
     */
    protected abstract IntFuture submit(int slot);

    /**
     * Submits the op of {@code slot} through the callback API, {@code slot} as the tag.
     *
     * @param slot     the slot, free
     * @param callback where the result goes
     */
    protected abstract void submit(int slot, IoCallback callback);

    /** The result every op must have (0 for a NOP, the byte count for a read). */
    protected abstract int expected();

    /**
     * Future API: waits for the oldest op, checks it, submits the next in its slot.
     *
     * @return the oldest op's result
     */
    @Benchmark
    public int future() {
        if (futures[0] == null) {
            for (int s = 0; s < window; s++) {
                futures[s] = submit(s);
            }
        }
        int s = next;
        next = s + 1 == window ? 0 : s + 1;
        IntFuture f = futures[s];
        Producers.await(f);
        if (!f.isSuccess() || f.resultAsInt() != expected()) {
            throw new IllegalStateException("op failed: " + (f.isSuccess() ? f.resultAsInt() : f.cause()));
        }
        futures[s] = submit(s);
        return f.resultAsInt();
    }

    /**
     * Callback API from the benchmark thread: waits for the oldest slot, submits the next op in it.
     *
     * @return the slot's completion count
     */
    @Benchmark
    public long callback() {
        int s = next;
        next = s + 1 == window ? 0 : s + 1;
        signals.await(s, submitted[s]);
        checkFailure();
        submitted[s]++;
        submit(s, counted);
        return submitted[s];
    }

    /**
     * Callback API on the loop thread: one batch of {@value #BATCH} ops.
     *
     * @return the batch's completion count
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long callbackOnLoop() {
        // Slot 0 of the signals counts whole batches here; JMH gives each benchmark run a state of its own.
        long round = submitted[0] + 1;
        submitted[0] = round;
        loop.executor().execute(batch);
        signals.await(0, round);
        checkFailure();
        return round;
    }

    private void counted(int result, long tag) {
        check(result);
        signals.complete((int) tag);
    }

    private void check(int result) {
        if (result != expected() && failure == null) {
            failure = "op returned " + result + ", expected " + expected();
        }
    }

    private void checkFailure() {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * {@value #BATCH} ops on the loop thread, {@code window} in flight, each completion submitting the next;
     * counts slot 0 of the signals when the last one completes. One instance, reused by every invocation.
     */
    private final class Batch implements Runnable, IoCallback {
        private int issued;
        private int done;

        @Override
        public void run() {
            issued = 0;
            done = 0;
            for (int s = 0; s < window && issued < BATCH; s++) {
                issued++;
                submit(s, this);
            }
        }

        @Override
        public void onComplete(int result, long tag) {
            check(result);
            if (issued < BATCH) {
                issued++;
                submit((int) tag, this);
            }
            if (++done == BATCH) {
                signals.complete(0);
            }
        }
    }
}
