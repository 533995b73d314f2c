package io.i2o2.file;

import io.netty.channel.IoHandlerFactory;

/**
 * Loops with 64-byte SQE rings, for file IO: reads, writes, syncs, opens, stats and the rest.
 *
 * <pre>{@code
 * IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
 * FileIo io = FileIo.of(files.next());
 * io.open(path).addListener(f -> ...);
 * files.shutdownGracefully();
 * }</pre>
 *
 * Use {@link IoUringPassthroughEventLoopGroup} for {@code uring_cmd} (NVMe passthrough).
 *
 * <p>Where io_uring is unavailable (seccomp, sysctl, kernel, memlock) the loops run the portable engine instead
 * ({@link IoEngine#PORTABLE}, logged once at INFO), unless the configuration says
 * {@link EngineChoice#IO_URING}: then the constructor throws with the reason.
 */
public final class IoUringFileEventLoopGroup extends IoUringEventLoopGroup {
    /** One loop per available processor, default configuration. */
    public IoUringFileEventLoopGroup() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code nThreads} loops, default configuration.
     *
     * @param nThreads the number of loops, each one thread with its own ring
     */
    public IoUringFileEventLoopGroup(int nThreads) {
        this(nThreads, IoUringConfig.defaults());
    }

    /**
     * {@code nThreads} loops set up by {@code config}.
     *
     * @param nThreads the number of loops, each one thread with its own ring
     * @param config how each loop sets up its ring
     */
    public IoUringFileEventLoopGroup(int nThreads, IoUringConfig config) {
        super(nThreads, config, ringFactory(config), IoUringFileEventLoopGroup.class);
    }

    /**
     * The {@code IoHandler} factory behind this group's loops, for a plain {@code MultiThreadIoEventLoopGroup}
     * (for example with your own thread factory or chooser): each loop gets its own 64-byte-SQE ring.
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
        return new FileIoHandlerFactory(config, java.util.Objects.requireNonNull(config, "config").engine(), false);
    }
}
