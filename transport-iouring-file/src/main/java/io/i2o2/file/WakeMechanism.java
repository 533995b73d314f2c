package io.i2o2.file;

import io.i2o2.uring.RingWaker;

/** How other threads wake a loop that waits for completions ({@link EngineFacts#wake()}). */
public enum WakeMechanism {
    /**
     * A {@code MSG_RING} posted to the loop's ring through {@code IORING_REGISTER_SEND_MSG_RING}: one system
     * call, nothing to re-arm (Linux 6.13+).
     */
    MSG_RING("msg_ring"),
    /** An eventfd the loop's ring keeps a read pending on, which a write completes (kernels before 6.13). */
    EVENTFD("eventfd"),
    /** Netty's own wake-up, on a Netty io_uring loop ({@link IoEngine#NETTY_RING}): a task added to the loop. */
    NETTY("netty");

    private final String label;

    WakeMechanism(String label) {
        this.label = label;
    }

    /** The lower-case name the deprecated {@code FileIo.wakeMechanism()} has always answered with. */
    String label() {
        return label;
    }

    /** The mechanism of {@code waker}. */
    static WakeMechanism of(RingWaker waker) {
        for (WakeMechanism m : values()) {
            if (m.label.equals(waker.mechanism())) {
                return m;
            }
        }
        throw new IllegalStateException("unknown wake-up mechanism " + waker.mechanism());
    }
}
