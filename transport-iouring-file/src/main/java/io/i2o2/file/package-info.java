/**
 * Netty executor groups whose loops each own an io_uring ring:
 * {@link io.i2o2.file.IoUringFileEventLoopGroup} for file IO and
 * {@link io.i2o2.file.IoUringPassthroughEventLoopGroup} for {@code uring_cmd} (NVMe passthrough).
 * Operations on {@link io.i2o2.file.IoUringFile} and {@link io.i2o2.file.IoUringEventLoop} return Netty
 * futures, and the {@code ByteBuf}s they take stay pinned until the kernel is done with them.
 *
 * <p>{@link io.i2o2.file.IoUring#isAvailable()} tells whether this machine can run them at all, and
 * {@link io.i2o2.file.IoUring#unavailabilityCause()} why not.
 */
package io.i2o2.file;
