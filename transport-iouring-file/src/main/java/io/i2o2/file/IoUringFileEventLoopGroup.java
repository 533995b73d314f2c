package io.i2o2.file;

/**
 * Loops with 64-byte SQE rings, for file IO: reads, writes, syncs, opens, stats and the rest.
 *
 * <pre>{@code
 * IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
 * IoUringEventLoop loop = files.next();
 * loop.open(path).addListener(f -> ...);
 * files.shutdownGracefully();
 * }</pre>
 *
 * Use {@link IoUringPassthroughEventLoopGroup} for {@code uring_cmd} (NVMe passthrough).
 */
public final class IoUringFileEventLoopGroup extends IoUringEventLoopGroup {
    /** One loop per available processor, default configuration. */
    public IoUringFileEventLoopGroup() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** {@code nThreads} loops, default configuration. */
    public IoUringFileEventLoopGroup(int nThreads) {
        this(nThreads, IoUringConfig.defaults());
    }

    /** {@code nThreads} loops set up by {@code config}. */
    public IoUringFileEventLoopGroup(int nThreads, IoUringConfig config) {
        super(nThreads, config, false);
    }
}
