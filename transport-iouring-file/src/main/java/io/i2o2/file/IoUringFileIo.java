package io.i2o2.file;

import io.netty.util.concurrent.EventExecutor;

/**
 * Deprecated: the old name of {@link FileIo}; same object. Every file API the library hands out is an
 * instance of this class, so {@code IoUringFileIo.of(loop)}, variables of this type and casts to it keep
 * working, and {@code FileIo.of(loop) == IoUringFileIo.of(loop)}. Write {@link FileIo} in new code: the name
 * no longer says io_uring because a portable engine, without io_uring, will serve the same API.
 *
 * @deprecated use {@link FileIo}; this old name stays, as its subclass, until it is removed
 */
@Deprecated(since = "0.1.0")
public final class IoUringFileIo extends FileIo {
    IoUringFileIo(FileIoCore core) {
        super(core);
    }

    /**
     * The file API of {@code loop}: {@link FileIo#of(EventExecutor)}, typed with the old name.
     *
     * @param executor a loop, as for {@link FileIo#of(EventExecutor)}
     * @return the loop's file API, the same object {@link FileIo#of(EventExecutor)} returns
     * @throws UnsupportedOperationException as {@link FileIo#of(EventExecutor)}
     * @throws IllegalArgumentException as {@link FileIo#of(EventExecutor)}
     * @deprecated use {@link FileIo#of(EventExecutor)}
     */
    @Deprecated(since = "0.1.0")
    public static IoUringFileIo of(EventExecutor executor) {
        return (IoUringFileIo) FileIo.of(executor);    // FileIo is sealed: every instance is one of these
    }

    /**
     * Whether {@link #of} works for {@code executor}: {@link FileIo#isSupported(EventExecutor)}.
     *
     * @param executor any executor
     * @return as {@link FileIo#isSupported(EventExecutor)}
     * @deprecated use {@link FileIo#isSupported(EventExecutor)}
     */
    @Deprecated(since = "0.1.0")
    public static boolean isSupported(EventExecutor executor) {
        return FileIo.isSupported(executor);
    }
}
