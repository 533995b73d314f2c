package io.i2o2.file;

/**
 * Which engine runs a loop's file operations: a typed fact of {@link EngineFacts}, so that nothing has to ask
 * which class an engine is.
 */
enum EngineKind {
    /** This library's ring with 64-byte SQEs ({@link RingIoHandler} of an {@code IoUringFileEventLoopGroup}). */
    RING,
    /** This library's ring with 128-byte SQEs and 32-byte CQEs, for {@code uring_cmd} passthrough. */
    PASSTHROUGH_RING,
    /** The ring of Netty's own io_uring loop ({@link NettyRingHandle}), shared with its channels. */
    NETTY_RING
}
