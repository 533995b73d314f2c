package io.i2o2.uring;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the running kernel has, found by trying it (never by assuming the developer's kernel): tests that
 * exercise a feature some supported kernels lack check here first and skip with the reason.
 */
public final class KernelFeatures {
    /** Where the io_uring_disabled sysctl lives (Linux 6.6+). */
    static final Path IO_URING_DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");
    private static volatile Boolean sendMsgRing;

    private KernelFeatures() {
    }

    /**
     * Whether {@code IORING_REGISTER_SEND_MSG_RING} works here (6.13+): a waker opened on a probe ring says.
     * (Also used by the file module's loop tests, through this module's test jar.)
     *
     * @return whether MSG_RING wake-ups work on this kernel
     */
    public static boolean sendMsgRing() {
        Boolean known = sendMsgRing;
        if (known == null) {
            try (Ring ring = Ring.open(RingParams.builder().entries(2).build());
                 RingWaker waker = RingWaker.open(ring, 1, KernelFaults.none())) {
                known = waker.mechanism().equals("msg_ring");
            } catch (UringException e) {
                known = false;
            }
            sendMsgRing = known;
        }
        return known;
    }

    /**
     * The reason a test that needs {@link #sendMsgRing()} is skipped.
     *
     * @return the reason, naming the running kernel
     */
    public static String noSendMsgRing() {
        return "IORING_REGISTER_SEND_MSG_RING (Linux 6.13+) is refused by this kernel (" + KernelVersion.running()
                + "): wake-ups use the eventfd";
    }

    /** Whether {@code /proc/sys/kernel/io_uring_disabled} exists (Linux 6.6+). */
    static boolean ioUringDisabledSysctl() {
        return Files.exists(IO_URING_DISABLED);
    }
}
