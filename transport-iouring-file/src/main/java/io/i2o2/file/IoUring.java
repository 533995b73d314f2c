package io.i2o2.file;

import io.i2o2.uring.IoUringProbe;

/**
 * Whether the io_uring event loops of this module can run here, in the shape of Netty's own
 * {@code io.netty.channel.uring.IoUring}: {@link #isAvailable()}, {@link #unavailabilityCause()},
 * {@link #ensureAvailability()}. The probe ({@link IoUringProbe}) runs once per JVM: Linux on x86-64 or
 * aarch64, a kernel at least {@value IoUringProbe#MIN_KERNEL}, and a ring the kernel lets this process
 * create (not ENOSYS, not disabled by {@code kernel.io_uring_disabled}, not forbidden by seccomp, enough
 * locked memory, native access granted).
 *
 * <pre>{@code
 * if (!IoUring.isAvailable()) {
 *     log.warn("no io_uring, reading files with FileChannel", IoUring.unavailabilityCause());
 * }
 * }</pre>
 */
public final class IoUring {
    private IoUring() {
    }

    /**
     * Whether io_uring can be used in this JVM.
     *
     * @return {@code true} when {@link IoUringFileEventLoopGroup} and {@link IoUringPassthroughEventLoopGroup}
     *         run io_uring rings (else they run the portable engine)
     */
    public static boolean isAvailable() {
        return IoUringProbe.availability().available();
    }

    /**
     * Why io_uring cannot be used, or {@code null} when it can.
     *
     * @return an {@link UnsupportedOperationException} whose message names the cause and what to change
     */
    public static Throwable unavailabilityCause() {
        return IoUringProbe.availability().toException();
    }

    /**
     * Throws when io_uring cannot be used; returns quietly when it can. A group configured with
     * {@link EngineChoice#IO_URING} calls it first, so a machine without io_uring fails with the reason rather
     * than with an errno (other groups run the portable engine there).
     *
     * @throws UnsupportedOperationException naming the cause (its own cause is {@link #unavailabilityCause()})
     */
    public static void ensureAvailability() {
        IoUringProbe.Availability a = IoUringProbe.availability();
        if (!a.available()) {
            throw new UnsupportedOperationException("failed to use io_uring: " + a.message(), a.toException());
        }
    }
}
