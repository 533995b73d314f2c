package io.i2o2.testsuite.nvme;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoEngine;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringPassthroughEventLoopGroup;
import io.i2o2.file.PortableFileEventLoopGroup;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines the NVMe API runs on in the guest, the parameter of the {@code @ParameterizedClass} guest tests
 * (in this order: {@link NvmeGuestIT} names a failure's engine by its invocation number): the passthrough ring and
 * the portable engine, which sends the same commands as the NVMe driver's ioctls from worker threads.
 */
enum GuestEngine {
    /** {@link IoUringPassthroughEventLoopGroup}: {@code uring_cmd} on a ring with 128-byte SQEs. */
    RING(IoEngine.RING_SQE128, config -> new IoUringPassthroughEventLoopGroup(1, config)),
    /** {@link PortableFileEventLoopGroup}: {@code NVME_IOCTL_*64_CMD} on worker threads, no io_uring. */
    PORTABLE(IoEngine.PORTABLE, config -> new PortableFileEventLoopGroup(1, config));

    private final IoEngine engine;
    private final Function<IoUringConfig, IoUringEventLoopGroup> factory;

    GuestEngine(IoEngine engine, Function<IoUringConfig, IoUringEventLoopGroup> factory) {
        this.engine = engine;
        this.factory = factory;
    }

    /** A one-loop group of this engine with the default configuration. */
    IoUringEventLoopGroup group() {
        return group(IoUringConfig.defaults());
    }

    /** A one-loop group of this engine, set up by {@code config}. */
    IoUringEventLoopGroup group(IoUringConfig config) {
        return factory.apply(config);
    }

    /** Checks that {@code io} runs on this engine (not a fallback) and takes NVMe passthrough. */
    void check(FileIo io) {
        assertEquals(engine, io.engineFacts().engine(), "the loop under test runs " + this);
        assertTrue(io.isPassthrough());
    }
}
