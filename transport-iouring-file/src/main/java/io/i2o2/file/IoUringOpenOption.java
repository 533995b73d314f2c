package io.i2o2.file;

import java.nio.file.OpenOption;

/**
 * Open options beyond {@link java.nio.file.StandardOpenOption}, for {@link FileIo#open(java.nio.file.Path,
 * java.nio.file.OpenOption...)} and the open beneath a directory.
 */
public enum IoUringOpenOption implements OpenOption {
    /**
     * {@code O_DIRECT}: bypass the page cache. Buffers, offsets and lengths must then be aligned as the file
     * system asks ({@link IoUringFile#directIoAlignment()}); misaligned requests fail before submission.
     */
    DIRECT,
    /** {@code O_NOATIME}: do not update the access time on reads (owner or CAP_FOWNER only). */
    NOATIME,
    /**
     * {@code O_NONBLOCK}: opening a FIFO does not wait for a writer; a read or write that would wait (on a
     * FIFO, say) fails with EAGAIN instead.
     */
    NONBLOCK,
    /**
     * Register the file in one of the loop's fixed-file slots ({@link IoUringConfig.Builder#fixedFileSlots}),
     * so its operations skip the kernel's file lookup.
     */
    REGISTER
}
