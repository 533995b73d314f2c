package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

/**
 * Constants of the Linux ABI that the ring's operations take, read from the generated bindings so they
 * match the header. Grouped by the call that uses them.
 *
 * <p>The {@code open(2)} flags come from the running architecture's own table (x86-64 and aarch64
 * differ in {@code O_DIRECT}, {@code O_DIRECTORY}, {@code O_NOFOLLOW}, {@code O_LARGEFILE} and
 * {@code O_TMPFILE}), chosen by {@code os.arch} when this class loads; on any other architecture loading
 * it fails with an error naming the architecture.
 */
public final class Linux {
    // ---- open(2) flags ----
    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = Arch.current().oRdonly();
    /** {@code O_WRONLY}. */
    public static final int O_WRONLY = Arch.current().oWronly();
    /** {@code O_RDWR}. */
    public static final int O_RDWR = Arch.current().oRdwr();
    /** {@code O_ACCMODE}. */
    public static final int O_ACCMODE = Arch.current().oAccmode();
    /** {@code O_CREAT}. */
    public static final int O_CREAT = Arch.current().oCreat();
    /** {@code O_EXCL}. */
    public static final int O_EXCL = Arch.current().oExcl();
    /** {@code O_TRUNC}. */
    public static final int O_TRUNC = Arch.current().oTrunc();
    /** {@code O_APPEND}. */
    public static final int O_APPEND = Arch.current().oAppend();
    /** {@code O_NONBLOCK}. */
    public static final int O_NONBLOCK = Arch.current().oNonblock();
    /** {@code O_SYNC}. */
    public static final int O_SYNC = Arch.current().oSync();
    /** {@code O_DSYNC}. */
    public static final int O_DSYNC = Arch.current().oDsync();
    /** {@code O_DIRECT}. */
    public static final int O_DIRECT = Arch.current().oDirect();
    /** {@code O_DIRECTORY}. */
    public static final int O_DIRECTORY = Arch.current().oDirectory();
    /** {@code O_NOFOLLOW}. */
    public static final int O_NOFOLLOW = Arch.current().oNofollow();
    /** {@code O_LARGEFILE} (the kernel sets it on 64-bit anyway). */
    public static final int O_LARGEFILE = Arch.current().oLargefile();
    /** {@code O_CLOEXEC}. */
    public static final int O_CLOEXEC = Arch.current().oCloexec();
    /** {@code O_NOATIME}. */
    public static final int O_NOATIME = Arch.current().oNoatime();
    /** {@code O_PATH}. */
    public static final int O_PATH = Arch.current().oPath();
    /** {@code O_TMPFILE}. */
    public static final int O_TMPFILE = Arch.current().oTmpfile();

    // ---- *at(2) flags ----
    /** {@code AT_FDCWD}. */
    public static final int AT_FDCWD = (int) LinuxUring.AT_FDCWD();
    /** {@code AT_REMOVEDIR}. */
    public static final int AT_REMOVEDIR = (int) LinuxUring.AT_REMOVEDIR();
    /** {@code AT_SYMLINK_NOFOLLOW}. */
    public static final int AT_SYMLINK_NOFOLLOW = (int) LinuxUring.AT_SYMLINK_NOFOLLOW();
    /** {@code AT_EMPTY_PATH}. */
    public static final int AT_EMPTY_PATH = (int) LinuxUring.AT_EMPTY_PATH();
    /** {@code AT_STATX_SYNC_AS_STAT}. */
    public static final int AT_STATX_SYNC_AS_STAT = (int) LinuxUring.AT_STATX_SYNC_AS_STAT();
    /** {@code AT_STATX_FORCE_SYNC}. */
    public static final int AT_STATX_FORCE_SYNC = (int) LinuxUring.AT_STATX_FORCE_SYNC();
    /** {@code AT_STATX_DONT_SYNC}. */
    public static final int AT_STATX_DONT_SYNC = (int) LinuxUring.AT_STATX_DONT_SYNC();

    // ---- statx(2) masks ----
    /** {@code STATX_TYPE}. */
    public static final int STATX_TYPE = (int) LinuxUring.STATX_TYPE();
    /** {@code STATX_MODE}. */
    public static final int STATX_MODE = (int) LinuxUring.STATX_MODE();
    /** {@code STATX_NLINK}. */
    public static final int STATX_NLINK = (int) LinuxUring.STATX_NLINK();
    /** {@code STATX_UID}. */
    public static final int STATX_UID = (int) LinuxUring.STATX_UID();
    /** {@code STATX_GID}. */
    public static final int STATX_GID = (int) LinuxUring.STATX_GID();
    /** {@code STATX_ATIME}. */
    public static final int STATX_ATIME = (int) LinuxUring.STATX_ATIME();
    /** {@code STATX_MTIME}. */
    public static final int STATX_MTIME = (int) LinuxUring.STATX_MTIME();
    /** {@code STATX_CTIME}. */
    public static final int STATX_CTIME = (int) LinuxUring.STATX_CTIME();
    /** {@code STATX_INO}. */
    public static final int STATX_INO = (int) LinuxUring.STATX_INO();
    /** {@code STATX_SIZE}. */
    public static final int STATX_SIZE = (int) LinuxUring.STATX_SIZE();
    /** {@code STATX_BLOCKS}. */
    public static final int STATX_BLOCKS = (int) LinuxUring.STATX_BLOCKS();
    /** {@code STATX_BASIC_STATS}. */
    public static final int STATX_BASIC_STATS = (int) LinuxUring.STATX_BASIC_STATS();
    /** {@code STATX_BTIME}. */
    public static final int STATX_BTIME = (int) LinuxUring.STATX_BTIME();
    /** {@code STATX_DIOALIGN}. */
    public static final int STATX_DIOALIGN = (int) LinuxUring.STATX_DIOALIGN();

    // ---- fallocate(2) modes ----
    /** {@code FALLOC_FL_KEEP_SIZE}. */
    public static final int FALLOC_FL_KEEP_SIZE = (int) LinuxUring.FALLOC_FL_KEEP_SIZE();
    /** {@code FALLOC_FL_PUNCH_HOLE}. */
    public static final int FALLOC_FL_PUNCH_HOLE = (int) LinuxUring.FALLOC_FL_PUNCH_HOLE();
    /** {@code FALLOC_FL_ZERO_RANGE}. */
    public static final int FALLOC_FL_ZERO_RANGE = (int) LinuxUring.FALLOC_FL_ZERO_RANGE();
    /** {@code FALLOC_FL_COLLAPSE_RANGE}. */
    public static final int FALLOC_FL_COLLAPSE_RANGE = (int) LinuxUring.FALLOC_FL_COLLAPSE_RANGE();
    /** {@code FALLOC_FL_INSERT_RANGE}. */
    public static final int FALLOC_FL_INSERT_RANGE = (int) LinuxUring.FALLOC_FL_INSERT_RANGE();
    /** {@code FALLOC_FL_UNSHARE_RANGE}. */
    public static final int FALLOC_FL_UNSHARE_RANGE = (int) LinuxUring.FALLOC_FL_UNSHARE_RANGE();

    // ---- posix_fadvise(2) advice ----
    /** {@code POSIX_FADV_NORMAL}. */
    public static final int POSIX_FADV_NORMAL = (int) LinuxUring.POSIX_FADV_NORMAL();
    /** {@code POSIX_FADV_RANDOM}. */
    public static final int POSIX_FADV_RANDOM = (int) LinuxUring.POSIX_FADV_RANDOM();
    /** {@code POSIX_FADV_SEQUENTIAL}. */
    public static final int POSIX_FADV_SEQUENTIAL = (int) LinuxUring.POSIX_FADV_SEQUENTIAL();
    /** {@code POSIX_FADV_WILLNEED}. */
    public static final int POSIX_FADV_WILLNEED = (int) LinuxUring.POSIX_FADV_WILLNEED();
    /** {@code POSIX_FADV_DONTNEED}. */
    public static final int POSIX_FADV_DONTNEED = (int) LinuxUring.POSIX_FADV_DONTNEED();
    /** {@code POSIX_FADV_NOREUSE}. */
    public static final int POSIX_FADV_NOREUSE = (int) LinuxUring.POSIX_FADV_NOREUSE();

    // ---- madvise(2) advice ----
    /** {@code MADV_NORMAL}. */
    public static final int MADV_NORMAL = (int) LinuxUring.MADV_NORMAL();
    /** {@code MADV_RANDOM}. */
    public static final int MADV_RANDOM = (int) LinuxUring.MADV_RANDOM();
    /** {@code MADV_SEQUENTIAL}. */
    public static final int MADV_SEQUENTIAL = (int) LinuxUring.MADV_SEQUENTIAL();
    /** {@code MADV_WILLNEED}. */
    public static final int MADV_WILLNEED = (int) LinuxUring.MADV_WILLNEED();
    /** {@code MADV_DONTNEED}. */
    public static final int MADV_DONTNEED = (int) LinuxUring.MADV_DONTNEED();
    /** {@code MADV_FREE}. */
    public static final int MADV_FREE = (int) LinuxUring.MADV_FREE();
    /** {@code MADV_COLD}. */
    public static final int MADV_COLD = (int) LinuxUring.MADV_COLD();
    /** {@code MADV_PAGEOUT}. */
    public static final int MADV_PAGEOUT = (int) LinuxUring.MADV_PAGEOUT();
    /** {@code MADV_POPULATE_READ}. */
    public static final int MADV_POPULATE_READ = (int) LinuxUring.MADV_POPULATE_READ();
    /** {@code MADV_POPULATE_WRITE}. */
    public static final int MADV_POPULATE_WRITE = (int) LinuxUring.MADV_POPULATE_WRITE();

    // ---- sync_file_range(2) flags ----
    /** {@code SYNC_FILE_RANGE_WAIT_BEFORE}. */
    public static final int SYNC_FILE_RANGE_WAIT_BEFORE = (int) LinuxUring.SYNC_FILE_RANGE_WAIT_BEFORE();
    /** {@code SYNC_FILE_RANGE_WRITE}. */
    public static final int SYNC_FILE_RANGE_WRITE = (int) LinuxUring.SYNC_FILE_RANGE_WRITE();
    /** {@code SYNC_FILE_RANGE_WAIT_AFTER}. */
    public static final int SYNC_FILE_RANGE_WAIT_AFTER = (int) LinuxUring.SYNC_FILE_RANGE_WAIT_AFTER();
    /** {@code SYNC_FILE_RANGE_WRITE_AND_WAIT}. */
    public static final int SYNC_FILE_RANGE_WRITE_AND_WAIT = (int) LinuxUring.SYNC_FILE_RANGE_WRITE_AND_WAIT();

    // ---- renameat2(2) flags ----
    /** {@code RENAME_NOREPLACE}. */
    public static final int RENAME_NOREPLACE = (int) LinuxUring.RENAME_NOREPLACE();
    /** {@code RENAME_EXCHANGE}. */
    public static final int RENAME_EXCHANGE = (int) LinuxUring.RENAME_EXCHANGE();
    /** {@code RENAME_WHITEOUT}. */
    public static final int RENAME_WHITEOUT = (int) LinuxUring.RENAME_WHITEOUT();

    // ---- io_uring op flags ----
    /** {@code IORING_FSYNC_DATASYNC}. */
    public static final int IORING_FSYNC_DATASYNC = (int) LinuxUring.IORING_FSYNC_DATASYNC();
    /** {@code IORING_TIMEOUT_ABS}. */
    public static final int IORING_TIMEOUT_ABS = (int) LinuxUring.IORING_TIMEOUT_ABS();
    /** {@code IORING_TIMEOUT_BOOTTIME}. */
    public static final int IORING_TIMEOUT_BOOTTIME = (int) LinuxUring.IORING_TIMEOUT_BOOTTIME();
    /** {@code IORING_TIMEOUT_REALTIME}. */
    public static final int IORING_TIMEOUT_REALTIME = (int) LinuxUring.IORING_TIMEOUT_REALTIME();
    /** {@code IORING_TIMEOUT_ETIME_SUCCESS}. */
    public static final int IORING_TIMEOUT_ETIME_SUCCESS = (int) LinuxUring.IORING_TIMEOUT_ETIME_SUCCESS();
    /** {@code IORING_ASYNC_CANCEL_ALL}. */
    public static final int IORING_ASYNC_CANCEL_ALL = (int) LinuxUring.IORING_ASYNC_CANCEL_ALL();
    /** {@code IORING_ASYNC_CANCEL_FD}. */
    public static final int IORING_ASYNC_CANCEL_FD = (int) LinuxUring.IORING_ASYNC_CANCEL_FD();
    /** {@code IORING_ASYNC_CANCEL_ANY}. */
    public static final int IORING_ASYNC_CANCEL_ANY = (int) LinuxUring.IORING_ASYNC_CANCEL_ANY();
    /** {@code IORING_ASYNC_CANCEL_USERDATA}. */
    public static final int IORING_ASYNC_CANCEL_USERDATA = (int) LinuxUring.IORING_ASYNC_CANCEL_USERDATA();
    /** {@code IORING_MSG_DATA}. */
    public static final int IORING_MSG_DATA = (int) LinuxUring.IORING_MSG_DATA();
    /** {@code IORING_MSG_RING_CQE_SKIP}. */
    public static final int IORING_MSG_RING_CQE_SKIP = (int) LinuxUring.IORING_MSG_RING_CQE_SKIP();
    /** {@code IORING_URING_CMD_FIXED}. */
    public static final int IORING_URING_CMD_FIXED = (int) LinuxUring.IORING_URING_CMD_FIXED();

    // ---- socket uring_cmd ops (6.7) ----
    /** {@code SOCKET_URING_OP_SIOCINQ}. */
    public static final int SOCKET_URING_OP_SIOCINQ = (int) LinuxUring.I2O2_SOCKET_URING_OP_SIOCINQ();
    /** {@code SOCKET_URING_OP_SIOCOUTQ}. */
    public static final int SOCKET_URING_OP_SIOCOUTQ = (int) LinuxUring.I2O2_SOCKET_URING_OP_SIOCOUTQ();
    /** {@code SOCKET_URING_OP_GETSOCKOPT}. */
    public static final int SOCKET_URING_OP_GETSOCKOPT = (int) LinuxUring.I2O2_SOCKET_URING_OP_GETSOCKOPT();
    /** {@code SOCKET_URING_OP_SETSOCKOPT}. */
    public static final int SOCKET_URING_OP_SETSOCKOPT = (int) LinuxUring.I2O2_SOCKET_URING_OP_SETSOCKOPT();

    // ---- socket ioctls ----
    /** {@code SIOCINQ}. */
    public static final int SIOCINQ = (int) LinuxUring.SIOCINQ();
    /** {@code SIOCOUTQ}. */
    public static final int SIOCOUTQ = (int) LinuxUring.SIOCOUTQ();

    private Linux() {
    }
}
