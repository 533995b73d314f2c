package io.i2o2.file;

import io.netty.channel.IoHandlerFactory;

/**
 * Loops of the portable engine ({@link IoEngine#PORTABLE}), whatever the machine: the file API of
 * {@link FileIo} runs as blocking system calls on each loop's worker threads and completes on the loop's
 * thread, with the same results, errnos and contracts as on a ring. {@link IoUringFileEventLoopGroup} and
 * {@link IoUringPassthroughEventLoopGroup} become such loops by themselves where io_uring is unavailable; this
 * group is for choosing it outright (a test of the fallback on a machine with io_uring, a deployment that
 * wants no io_uring).
 *
 * <pre>{@code
 * PortableFileEventLoopGroup files = new PortableFileEventLoopGroup(1);
 * FileIo io = FileIo.of(files.next());      // io.engine() == IoEngine.PORTABLE
 * }</pre>
 */
public final class PortableFileEventLoopGroup extends IoUringEventLoopGroup {
    /**
     * {@code nThreads} loops, default configuration.
     *
     * @param nThreads the number of loops, each one thread with its own workers
     */
    public PortableFileEventLoopGroup(int nThreads) {
        this(nThreads, IoUringConfig.defaults());
    }

    /**
     * {@code nThreads} loops set up by {@code config}: its bound on ops, registered buffers and file slots
     * (emulated), worker threads ({@link IoUringConfig#portableWorkers()}) and shutdown timeout apply; its ring
     * settings are ignored (or refused under {@code requireAllFlags}), and its engine choice is overridden.
     *
     * @param nThreads the number of loops
     * @param config how each loop is set up
     */
    public PortableFileEventLoopGroup(int nThreads, IoUringConfig config) {
        super(nThreads, config, factory(config), PortableFileEventLoopGroup.class);
    }

    /**
     * The {@code IoHandler} factory behind this group's loops, for a plain {@code MultiThreadIoEventLoopGroup}.
     *
     * @param config the loop configuration
     * @return a factory making one portable loop per call
     */
    public static IoHandlerFactory newIoHandlerFactory(IoUringConfig config) {
        return factory(config);
    }

    private static FileIoHandlerFactory factory(IoUringConfig config) {
        return new FileIoHandlerFactory(java.util.Objects.requireNonNull(config, "config"), EngineChoice.PORTABLE,
                false);
    }
}
