package io.i2o2.file;

import io.netty.channel.IoHandlerFactory;

/**
 * Loops with 128-byte SQEs and 32-byte CQEs ({@code SQE128|CQE32}): what {@code IORING_OP_URING_CMD} needs
 * for its 80-byte command, such as NVMe passthrough on {@code /dev/ngXnY} ({@link io.i2o2.file.nvme}).
 * Every file operation works here too. Where io_uring is unavailable the loops run the portable engine, whose
 * NVMe passthrough goes through the NVMe driver's ioctls ({@link EngineChoice#IO_URING} fails fast instead).
 */
public final class IoUringPassthroughEventLoopGroup extends IoUringEventLoopGroup {
    /** One loop, default configuration. */
    public IoUringPassthroughEventLoopGroup() {
        this(1);
    }

    /**
     * {@code nThreads} loops, default configuration.
     *
     * @param nThreads the number of loops, each one thread with its own {@code SQE128|CQE32} ring
     */
    public IoUringPassthroughEventLoopGroup(int nThreads) {
        this(nThreads, IoUringConfig.defaults());
    }

    /**
     * {@code nThreads} loops set up by {@code config}.
     *
     * @param nThreads the number of loops, each one thread with its own {@code SQE128|CQE32} ring
     * @param config how each loop sets up its ring ({@code SQE128|CQE32} are always required on top)
     */
    public IoUringPassthroughEventLoopGroup(int nThreads, IoUringConfig config) {
        super(nThreads, config, ringFactory(config), IoUringPassthroughEventLoopGroup.class);
    }

    /**
     * The {@code IoHandler} factory behind this group's loops, for a plain {@code MultiThreadIoEventLoopGroup}
     * (for example with your own thread factory or chooser): each loop gets its own 128-byte-SQE ring.
     *
     * @param config the ring configuration
     * @return a factory making one ring per loop
     */
    public static IoHandlerFactory newIoHandlerFactory(IoUringConfig config) {
        return ringFactory(config);
    }

    private static FileIoHandlerFactory ringFactory(IoUringConfig config) {
        // Where io_uring is unavailable the loops run the portable engine (EngineChoice.AUTO), or fail here with
        // the reason as the message (EngineChoice.IO_URING), not at the first loop.
        return new FileIoHandlerFactory(config, java.util.Objects.requireNonNull(config, "config").engine(), true);
    }
}
