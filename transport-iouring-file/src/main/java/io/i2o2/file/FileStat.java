package io.i2o2.file;

import io.i2o2.uring.Statx;

import java.time.Instant;

/**
 * What {@code statx(2)} says about a file, as {@link FileIo#stat(java.nio.file.Path)} and
 * {@link IoUringFile#stat()} report it.
 *
 * @param mode           file type and permission bits ({@code st_mode})
 * @param nlink          number of hard links
 * @param uid            owner
 * @param gid            group
 * @param inode          inode number
 * @param size           size in bytes
 * @param blocks         512-byte blocks allocated
 * @param blockSize      preferred IO block size
 * @param accessTime     last access
 * @param modifyTime     last modification of the data
 * @param changeTime     last status change
 * @param birthTime      creation, or null where the file system does not record it
 * @param dioMemAlign    O_DIRECT memory alignment, or 0 when unknown (before Linux 6.1, or not a regular file)
 * @param dioOffsetAlign O_DIRECT offset and length alignment, or 0 when unknown
 */
public record FileStat(int mode, int nlink, int uid, int gid, long inode, long size, long blocks, int blockSize,
                       Instant accessTime, Instant modifyTime, Instant changeTime, Instant birthTime,
                       int dioMemAlign, int dioOffsetAlign) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    static FileStat of(Statx s) {
        return new FileStat(s.mode(), s.nlink(), s.uid(), s.gid(), s.inode(), s.size(), s.blocks(), s.blockSize(),
                s.accessTime(), s.modifyTime(), s.changeTime(), s.birthTime(), s.dioMemAlign(), s.dioOffsetAlign());
    }

    /**
     * Whether this is a regular file.
     *
     * @return true for a regular file
     */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /**
     * Whether this is a directory.
     *
     * @return true for a directory
     */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /**
     * Whether this is a symbolic link (only when not followed).
     *
     * @return true for a symbolic link
     */
    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /**
     * The permission bits, such as {@code 0644}.
     *
     * @return {@code mode & 07777}
     */
    public int permissions() {
        return mode & 07777;
    }
}
