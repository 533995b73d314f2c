package io.i2o2.testsuite.reliability;

import io.i2o2.file.Groups;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringPassthroughEventLoopGroup;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.i2o2.testsuite.reliability.RegionLoad.Backpressure;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand submitting threads, a thousand operations each, on two loops bounded well below the number of
 * operations the threads want in flight (4 per thread), so backpressure is exercised all the time; once with
 * platform threads waiting through {@code blocking()}, once with virtual threads retrying after
 * {@code FileIoOverloadedException} (and on a passthrough group, so both ring sizes carry the load), and once
 * more so on the portable group (blocking system calls on worker threads instead of a ring).
 *
 * <p>The work is a {@link RegionLoad}: 512-byte records, each written then read back and compared. fsync is
 * kept to about 0.5% of the operations (every 25th round one read becomes an {@code fdatasync}): on this
 * machine's virtio disk one costs milliseconds, and with a third of the operations being fsyncs the class ran
 * for minutes. Measured on 2 cores shared with other work: 30-45 s for the platform case, 18-40 s for the
 * virtual one (PARANOID leak detection records a stack trace on every buffer access, which is part of that).
 * Sizes can be lowered with {@code -Di2o2.stress.threads/ops/maxInFlight} (the soak does).
 *
 * <p>Not on Netty's own io_uring loop: what this proves is backpressure under a per-loop bound set well below
 * the ops wanted, and that bound cannot be set per group there (it is the process-wide
 * {@code -Dio.i2o2.maxInFlight}, 4096, above what these threads want); the same ops from many threads on Netty's
 * loop, the bound filled, are in {@code LimitsTest}.
 */
class StressTest {
    static final int THREADS = Integer.getInteger("i2o2.stress.threads", 1000);
    static final int OPS_PER_THREAD = Integer.getInteger("i2o2.stress.ops", 1000);
    static final int SLOTS = 4;
    /** A round is SLOTS writes and SLOTS reads (or SLOTS - 1 reads and an fdatasync). */
    static final int ROUNDS = OPS_PER_THREAD / (2 * SLOTS);
    static final int FSYNC_EVERY = 25;
    /** Per loop; 1000 threads want up to 4000 ops in flight on each. */
    static final int MAX_IN_FLIGHT = Integer.getInteger("i2o2.stress.maxInFlight", 1024);

    @TempDir
    Path dir;

    /**
     * Platform threads waiting on a 64-byte ring, virtual threads retrying on a 128-byte ring, and virtual threads
     * retrying on the portable engine, whose loops hand the same load to their worker threads (each loop up to
     * its default 256: blocking calls side by side, as io-wq runs them) under the same bound.
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("platform", Backpressure.BLOCKING, Groups.FILE),
                Arguments.of("virtual", Backpressure.RETRY, Groups.PASSTHROUGH),
                Arguments.of("virtual", Backpressure.RETRY, Groups.PORTABLE));
    }

    @ParameterizedTest(name = "{0} threads, {1}, {2}")
    @MethodSource("cases")
    void thousandThreadsThousandOpsEachAllDataVerified(String threads, Backpressure style, Groups type)
            throws Exception {
        IoUringConfig config = IoUringConfig.builder().maxInFlight(MAX_IN_FLIGHT).build();
        IoUringEventLoopGroup group = switch (type) {
            case PASSTHROUGH -> new IoUringPassthroughEventLoopGroup(2, config);
            case PORTABLE -> new PortableFileEventLoopGroup(2, config);
            default -> new IoUringFileEventLoopGroup(2, config);
        };
        long started = System.nanoTime();
        RegionLoad[] load = new RegionLoad[1];
        Kit.shutdownAfter(group, () -> {
            load[0] = new RegionLoad(group, dir, THREADS, SLOTS, 512, 8);
            try (var _ = Kit.progress("stress " + threads, () -> load[0].status())) {
                load[0].run(threads.equals("virtual"), style, ROUNDS, FSYNC_EVERY);
            }
            load[0].closeAndVerify(ROUNDS - 1);
        });
        assertEquals((long) THREADS * ROUNDS * 2 * SLOTS, load[0].ops.sum(), "every op completed");
        if (style == Backpressure.RETRY) {
            assertTrue(load[0].retries.sum() > 0, "the bound of " + MAX_IN_FLIGHT + " was never reached");
        }
        System.out.printf("stress %s/%s/%s: %s in %d ms%n", threads, style, type, load[0].status(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
