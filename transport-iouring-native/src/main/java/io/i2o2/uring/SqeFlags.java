package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

/** The {@code IOSQE_*} flags of one submission entry ({@link Sqe#flags(int)}). */
public final class SqeFlags {
    /** {@code fd} is an index into the registered file table. */
    public static final int FIXED_FILE = LinuxUring.IOSQE_FIXED_FILE();
    /** Start only after everything submitted before has completed. */
    public static final int IO_DRAIN = LinuxUring.IOSQE_IO_DRAIN();
    /** The next entry starts only after this one succeeds. */
    public static final int IO_LINK = LinuxUring.IOSQE_IO_LINK();
    /** Like {@link #IO_LINK}, but the chain goes on when this entry fails. */
    public static final int IO_HARDLINK = LinuxUring.IOSQE_IO_HARDLINK();
    /** Always run in the kernel's worker pool instead of trying inline first. */
    public static final int ASYNC = LinuxUring.IOSQE_ASYNC();
    /** Post no CQE when the request succeeds. */
    public static final int CQE_SKIP_SUCCESS = LinuxUring.IOSQE_CQE_SKIP_SUCCESS();

    private SqeFlags() {
    }
}
