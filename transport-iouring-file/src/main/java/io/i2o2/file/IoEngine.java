package io.i2o2.file;

/**
 * Which engine runs a loop's file IO ({@link FileIo#engine()}).
 */
public enum IoEngine {
    /** This library's io_uring ring with 64-byte SQEs: a loop of an {@link IoUringFileEventLoopGroup}. */
    RING_SQE64,
    /**
     * This library's io_uring ring with 128-byte SQEs and 32-byte CQEs, for {@code uring_cmd} (NVMe
     * passthrough): a loop of an {@link IoUringPassthroughEventLoopGroup}.
     */
    RING_SQE128,
    /**
     * Netty's own io_uring loop ({@code IoUringIoHandler}), whose ring its channels share; what Netty's public
     * API cannot do there is refused (see {@link FileIo}).
     */
    NETTY_RING,
    /**
     * No io_uring: the same ops as blocking system calls on worker threads, completed on the loop thread, for
     * machines where io_uring is blocked (a container's seccomp profile, for one): a loop of a
     * {@link PortableFileEventLoopGroup}, of this library's other groups where io_uring is unavailable, or of
     * another Netty transport (NIO, epoll).
     */
    PORTABLE
}
