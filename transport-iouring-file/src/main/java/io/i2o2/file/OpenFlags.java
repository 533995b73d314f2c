package io.i2o2.file;

import io.i2o2.uring.Linux;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** Translates Java open options into {@code open(2)} flags. */
final class OpenFlags {
    private OpenFlags() {
    }

    /**
     * The flags for {@code options}; READ when none says how to access the file.
     *
     * @throws UnsupportedOperationException for an option io_uring cannot honour (DELETE_ON_CLOSE, SPARSE)
     */
    static int of(Set<? extends OpenOption> options) {
        boolean read = options.contains(StandardOpenOption.READ);
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        int flags = Linux.O_CLOEXEC | (read && write ? Linux.O_RDWR : write ? Linux.O_WRONLY : Linux.O_RDONLY);
        for (OpenOption o : options) {
            if (o == StandardOpenOption.APPEND) {
                flags |= Linux.O_APPEND;
            } else if (o == StandardOpenOption.CREATE) {
                flags |= Linux.O_CREAT;
            } else if (o == StandardOpenOption.CREATE_NEW) {
                flags |= Linux.O_CREAT | Linux.O_EXCL;
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
                flags |= write ? Linux.O_TRUNC : 0;
            } else if (o == StandardOpenOption.SYNC) {
                flags |= Linux.O_SYNC;
            } else if (o == StandardOpenOption.DSYNC) {
                flags |= Linux.O_DSYNC;
            } else if (o == LinkOption.NOFOLLOW_LINKS) {
                flags |= Linux.O_NOFOLLOW;
            } else if (o == IoUringOpenOption.DIRECT) {
                flags |= Linux.O_DIRECT;
            } else if (o == IoUringOpenOption.NOATIME) {
                flags |= Linux.O_NOATIME;
            } else if (o == IoUringOpenOption.NONBLOCK) {
                flags |= Linux.O_NONBLOCK;
            } else if (o != StandardOpenOption.READ && o != StandardOpenOption.WRITE
                    && o != IoUringOpenOption.REGISTER) {
                throw new UnsupportedOperationException("open option not supported by io_uring files: " + o);
            }
        }
        return flags;
    }
}
