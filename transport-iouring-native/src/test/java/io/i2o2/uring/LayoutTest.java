package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.__kernel_timespec;
import io.i2o2.uring.gen.io_uring_cqe;
import io.i2o2.uring.gen.io_uring_params;
import io.i2o2.uring.gen.io_uring_sqe;
import io.i2o2.uring.gen.iovec;
import io.i2o2.uring.gen.nvme_uring_cmd;
import io.i2o2.uring.gen.open_how;
import io.i2o2.uring.gen.statx;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The generated layouts and constants against the Linux x86-64 ABI, written out by hand from the kernel
 * headers ({@code include/uapi/linux/io_uring.h}, {@code nvme_ioctl.h}, {@code stat.h}, asm-generic
 * {@code fcntl.h}). The ring trusts jextract for every offset it writes; this is the second opinion.
 */
@WithoutIoUring
class LayoutTest {

    @Test
    void submissionQueueEntry() {
        assertAll("struct io_uring_sqe",
                () -> assertEquals(64, io_uring_sqe.sizeof(), "sizeof"),
                () -> assertEquals(0, io_uring_sqe.opcode$offset(), "opcode"),
                () -> assertEquals(1, io_uring_sqe.flags$offset(), "flags"),
                () -> assertEquals(2, io_uring_sqe.ioprio$offset(), "ioprio"),
                () -> assertEquals(4, io_uring_sqe.fd$offset(), "fd"),
                () -> assertEquals(8, io_uring_sqe.off$offset(), "off"),
                () -> assertEquals(8, io_uring_sqe.cmd_op$offset(), "cmd_op"),
                () -> assertEquals(16, io_uring_sqe.addr$offset(), "addr"),
                () -> assertEquals(24, io_uring_sqe.len$offset(), "len"),
                () -> assertEquals(28, io_uring_sqe.rw_flags$offset(), "rw_flags"),
                () -> assertEquals(32, io_uring_sqe.user_data$offset(), "user_data"),
                () -> assertEquals(40, io_uring_sqe.buf_index$offset(), "buf_index"),
                () -> assertEquals(42, io_uring_sqe.personality$offset(), "personality"),
                () -> assertEquals(44, io_uring_sqe.file_index$offset(), "file_index"),
                () -> assertEquals(48, io_uring_sqe.addr3$offset(), "addr3"),
                () -> assertEquals(48, io_uring_sqe.cmd$offset(), "cmd"),
                () -> assertEquals(48, Sqe.COMMAND_OFFSET, "Sqe.COMMAND_OFFSET"));
    }

    @Test
    void completionQueueEntry() {
        assertAll("struct io_uring_cqe",
                () -> assertEquals(16, io_uring_cqe.sizeof(), "sizeof"),
                () -> assertEquals(0, io_uring_cqe.user_data$offset(), "user_data"),
                () -> assertEquals(8, io_uring_cqe.res$offset(), "res"),
                () -> assertEquals(12, io_uring_cqe.flags$offset(), "flags"),
                () -> assertEquals(16, io_uring_cqe.big_cqe$offset(), "big_cqe"));
    }

    @Test
    void setupParametersAndArgumentStructs() {
        assertAll("structs passed to the kernel",
                () -> assertEquals(120, io_uring_params.sizeof(), "io_uring_params"),
                () -> assertEquals(8, io_uring_params.flags$offset(), "io_uring_params.flags"),
                () -> assertEquals(20, io_uring_params.features$offset(), "io_uring_params.features"),
                () -> assertEquals(40, io_uring_params.sq_off$offset(), "io_uring_params.sq_off"),
                () -> assertEquals(80, io_uring_params.cq_off$offset(), "io_uring_params.cq_off"),
                () -> assertEquals(16, iovec.sizeof(), "iovec"),
                () -> assertEquals(8, iovec.iov_len$offset(), "iovec.iov_len"),
                () -> assertEquals(16, __kernel_timespec.sizeof(), "__kernel_timespec"),
                () -> assertEquals(256, statx.sizeof(), "statx"),
                () -> assertEquals(40, statx.stx_size$offset(), "statx.stx_size"),
                () -> assertEquals(24, OpenHow.BYTES, "open_how"),
                () -> assertEquals(Sqe.OPEN_HOW_BYTES, OpenHow.BYTES, "Sqe.OPEN_HOW_BYTES"),
                () -> assertEquals(8, open_how.mode$offset(), "open_how.mode"),
                () -> assertEquals(16, open_how.resolve$offset(), "open_how.resolve"));
    }

    @Test
    void nvmePassthroughCommand() {
        assertAll("struct nvme_uring_cmd",
                () -> assertEquals(72, nvme_uring_cmd.sizeof(), "sizeof: fits the 80-byte SQE128 command area"),
                () -> assertEquals(4, nvme_uring_cmd.nsid$offset(), "nsid"),
                () -> assertEquals(24, nvme_uring_cmd.addr$offset(), "addr"),
                () -> assertEquals(36, nvme_uring_cmd.data_len$offset(), "data_len"),
                () -> assertEquals(40, nvme_uring_cmd.cdw10$offset(), "cdw10"),
                () -> assertEquals(64, nvme_uring_cmd.timeout_ms$offset(), "timeout_ms"),
                // A 32-bit pattern with the top bit set: as an int it must keep every bit.
                () -> assertEquals(0xC0484E80, (int) LinuxUring.NVME_URING_CMD_IO(), "NVME_URING_CMD_IO"),
                () -> assertEquals(0xC0484E82, (int) LinuxUring.NVME_URING_CMD_ADMIN(), "NVME_URING_CMD_ADMIN"));
    }

    @Test
    void openAndAtFlags() {
        assertAll("fcntl.h on x86-64",
                () -> assertEquals(0, Linux.O_RDONLY),
                () -> assertEquals(1, Linux.O_WRONLY),
                () -> assertEquals(2, Linux.O_RDWR),
                () -> assertEquals(0100, Linux.O_CREAT),
                () -> assertEquals(0200, Linux.O_EXCL),
                () -> assertEquals(01000, Linux.O_TRUNC),
                () -> assertEquals(04000, Linux.O_NONBLOCK),
                () -> assertEquals(040000, Linux.O_DIRECT),
                () -> assertEquals(0200000, Linux.O_DIRECTORY),
                () -> assertEquals(02000000, Linux.O_CLOEXEC),
                () -> assertEquals(04010000, Linux.O_SYNC),
                () -> assertEquals(-100, Linux.AT_FDCWD),
                () -> assertEquals(0x200, Linux.AT_REMOVEDIR),
                () -> assertEquals(0x200, Linux.STATX_SIZE),
                () -> assertEquals(1, Linux.FALLOC_FL_KEEP_SIZE),
                () -> assertEquals(1, Linux.RENAME_NOREPLACE),
                () -> assertEquals(0, Linux.IORING_MSG_DATA));
    }

    @Test
    void ioUringNumbers() {
        assertAll("io_uring.h",
                () -> assertEquals(425, Arch.current().nrIoUringSetup()),
                () -> assertEquals(426, Arch.current().nrIoUringEnter()),
                () -> assertEquals(427, Arch.current().nrIoUringRegister()),
                () -> assertEquals(0, Opcode.NOP),
                () -> assertEquals(22, Opcode.READ),
                () -> assertEquals(23, Opcode.WRITE),
                () -> assertEquals(40, Opcode.MSG_RING),
                () -> assertEquals(46, Opcode.URING_CMD),
                () -> assertEquals(55, Opcode.FTRUNCATE),
                () -> assertEquals(28, Opcode.OPENAT2),
                () -> assertEquals(Sqe.OPENAT2, Opcode.OPENAT2),
                () -> assertEquals(1, SqeFlags.FIXED_FILE),
                () -> assertEquals(4, SqeFlags.IO_LINK),
                () -> assertEquals(64, SqeFlags.CQE_SKIP_SUCCESS),
                () -> assertEquals(1 << 10, SetupFlag.SQE128.bit()),
                () -> assertEquals(1 << 13, SetupFlag.DEFER_TASKRUN.bit()),
                () -> assertEquals(1 << 16, SetupFlag.NO_SQARRAY.bit()),
                () -> assertEquals(31, RegisterOp.SEND_MSG_RING),
                () -> assertEquals(15, RegisterOp.BUFFERS2));
    }
}
