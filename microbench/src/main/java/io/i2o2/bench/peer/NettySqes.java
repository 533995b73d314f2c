package io.i2o2.bench.peer;

import io.netty.channel.uring.IoUringIoOps;

/**
 * Raw SQEs for Netty 4.2's io_uring loop. Netty's public API for a file op is the 13-argument
 * {@link IoUringIoOps} constructor (its typed factories are package-private and socket-only); these
 * helpers name the arguments. Opcodes and flags are from {@code <linux/io_uring.h>}.
 *
 * <p>{@code data} is the caller's part of the user_data and comes back in {@code IoUringIoEvent.userData()};
 * a value that fits a short keeps Netty on its fast path (packed into the SQE's user_data, no pending-op map).
 */
final class NettySqes {
    static final byte IORING_OP_NOP = 0;
    static final byte IORING_OP_FSYNC = 3;
    static final byte IORING_OP_READ = 22;
    static final byte IORING_OP_WRITE = 23;
    static final int IORING_FSYNC_DATASYNC = 1;

    private NettySqes() {
    }

    static IoUringIoOps nop(long data) {
        return new IoUringIoOps(IORING_OP_NOP, (byte) 0, (short) 0, -1, 0L, 0L, 0, 0, data,
                (short) 0, (short) 0, 0, 0L);
    }

    /** {@code pread(fd, addr, len, offset)} as IORING_OP_READ; addr is a native address that must stay live. */
    static IoUringIoOps read(int fd, long addr, int len, long offset, long data) {
        return new IoUringIoOps(IORING_OP_READ, (byte) 0, (short) 0, fd, offset, addr, len, 0, data,
                (short) 0, (short) 0, 0, 0L);
    }

    static IoUringIoOps write(int fd, long addr, int len, long offset, long data) {
        return new IoUringIoOps(IORING_OP_WRITE, (byte) 0, (short) 0, fd, offset, addr, len, 0, data,
                (short) 0, (short) 0, 0, 0L);
    }

    static IoUringIoOps fdatasync(int fd, long data) {
        return new IoUringIoOps(IORING_OP_FSYNC, (byte) 0, (short) 0, fd, 0L, 0L, 0, IORING_FSYNC_DATASYNC,
                data, (short) 0, (short) 0, 0, 0L);
    }
}
