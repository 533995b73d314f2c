/**
 * Netty executor groups whose loops each own an io_uring ring:
 * {@link io.i2o2.file.IoUringFileEventLoopGroup} for file IO and
 * {@link io.i2o2.file.IoUringPassthroughEventLoopGroup} for {@code uring_cmd} (NVMe passthrough).
 * {@link io.i2o2.file.FileIo} is the file API of one loop (also of a loop of Netty's own io_uring
 * transport); operations on it and on the {@link io.i2o2.file.IoUringFile}s it opens return Netty futures,
 * and the {@code ByteBuf}s they take stay pinned until the kernel is done with them.
 *
 * <p>{@link io.i2o2.file.IoUring#isAvailable()} tells whether this machine can run them at all, and
 * {@link io.i2o2.file.IoUring#unavailabilityCause()} why not.
 */
package io.i2o2.file;
