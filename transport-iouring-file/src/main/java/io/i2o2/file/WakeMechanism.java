package io.i2o2.file;

import io.i2o2.uring.RingWaker;

/** How other threads wake a loop that sleeps while work arrives for it. */
enum WakeMechanism {
    /** A {@code MSG_RING} posted into the loop's ring (Linux 6.13+). */
    MSG_RING("msg_ring"),
    /** A write to an eventfd whose read the loop keeps in its ring. */
    EVENTFD("eventfd"),
    /** Netty's own wake-up of its io_uring loop: a task added to the loop. */
    NETTY("netty");

    private final String label;

    WakeMechanism(String label) {
        this.label = label;
    }

    /** The lower-case name {@code IoUringFileIo.wakeMechanism()} has always answered with. */
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
