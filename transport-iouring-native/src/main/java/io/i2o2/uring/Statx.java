package io.i2o2.uring;

import io.i2o2.uring.gen.statx_timestamp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;


/**
 * What {@code statx(2)} reports about a file, read from a {@code struct statx} the kernel filled (by
 * {@code IORING_OP_STATX} into {@link #BYTES} of memory, or by {@link #ofFd}).
 *
 * @param mask          which fields the kernel filled ({@code STATX_*})
 * @param mode          file type and permission bits ({@code st_mode})
 * @param nlink         number of hard links
 * @param uid           owner
 * @param gid           group
 * @param inode         inode number
 * @param size          size in bytes
 * @param blocks        512-byte blocks allocated
 * @param blockSize     preferred IO block size
 * @param accessTime    last access
 * @param modifyTime    last modification of the data
 * @param changeTime    last status change
 * @param birthTime     creation, or null where the file system does not record it
 * @param dioMemAlign   O_DIRECT memory alignment, or 0 when unknown (before 6.1, or not a regular file)
 * @param dioOffsetAlign O_DIRECT offset and length alignment, or 0 when unknown
 */
public record Statx(int mask, int mode, int nlink, int uid, int gid, long inode, long size, long blocks,
                    int blockSize, Instant accessTime, Instant modifyTime, Instant changeTime, Instant birthTime,
                    int dioMemAlign, int dioOffsetAlign) {
    /** Size of {@code struct statx}: how much memory {@code IORING_OP_STATX} writes. */
    public static final int BYTES = (int) io.i2o2.uring.gen.statx.sizeof();
    /** Basic fields, birth time and O_DIRECT alignment: what {@link #ofFd} and the file ops ask for. */
    public static final int MASK_ALL = Linux.STATX_BASIC_STATS | Linux.STATX_BTIME | Linux.STATX_DIOALIGN;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    /**
     * Reads a {@code struct statx} the kernel wrote at the start of {@code buf}.
     *
     * @param buf the buffer
     * @return the attributes, copied out of {@code buf}
     */
    public static Statx read(MemorySegment buf) {
        int mask = io.i2o2.uring.gen.statx.stx_mask(buf);
        boolean hasBirth = (mask & Linux.STATX_BTIME) != 0;
        boolean hasDio = (mask & Linux.STATX_DIOALIGN) != 0;
        return new Statx(mask,
                Short.toUnsignedInt(io.i2o2.uring.gen.statx.stx_mode(buf)),
                io.i2o2.uring.gen.statx.stx_nlink(buf),
                io.i2o2.uring.gen.statx.stx_uid(buf),
                io.i2o2.uring.gen.statx.stx_gid(buf),
                io.i2o2.uring.gen.statx.stx_ino(buf),
                io.i2o2.uring.gen.statx.stx_size(buf),
                io.i2o2.uring.gen.statx.stx_blocks(buf),
                io.i2o2.uring.gen.statx.stx_blksize(buf),
                instant(io.i2o2.uring.gen.statx.stx_atime(buf)),
                instant(io.i2o2.uring.gen.statx.stx_mtime(buf)),
                instant(io.i2o2.uring.gen.statx.stx_ctime(buf)),
                hasBirth ? instant(io.i2o2.uring.gen.statx.stx_btime(buf)) : null,
                hasDio ? io.i2o2.uring.gen.statx.stx_dio_mem_align(buf) : 0,
                hasDio ? io.i2o2.uring.gen.statx.stx_dio_offset_align(buf) : 0);
    }

    /**
     * {@code statx(fd, "", AT_EMPTY_PATH, MASK_ALL)} right now, on the calling thread (no IO, no ring).
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @return the file's attributes
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static Statx ofFd(int fd) throws UringException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BYTES, 8);
            int ret = Syscalls.statx(Syscalls.threadCallState(), fd, arena.allocateFrom(""), Linux.AT_EMPTY_PATH,
                    MASK_ALL, buf);
            if (ret != 0) {
                throw new UringException("statx(fd=" + fd + ", AT_EMPTY_PATH)", -ret, null);
            }
            return read(buf);
        }
    }

    private static Instant instant(MemorySegment ts) {
        return Instant.ofEpochSecond(statx_timestamp.tv_sec(ts), Integer.toUnsignedLong(statx_timestamp.tv_nsec(ts)));
    }

    /**
     * Whether this is a regular file.
     *
     * @return whether this is a regular file
     */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /**
     * Whether this is a directory.
     *
     * @return whether this is a directory
     */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }
}
