package io.i2o2.file;

/** How other threads wake a loop that waits for completions ({@link EngineFacts#wake()}). */
public enum WakeMechanism {
    /**
     * A {@code MSG_RING} posted to the loop's ring through {@code IORING_REGISTER_SEND_MSG_RING}: one system
     * call, nothing to re-arm (Linux 6.13+).
     */
    MSG_RING,
    /** An eventfd the loop's ring keeps a read pending on, which a write completes (kernels before 6.13). */
    EVENTFD,
    /** Netty's own wake-up, on a Netty io_uring loop ({@link IoEngine#NETTY_RING}). */
    NETTY
}
