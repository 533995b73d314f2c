package io.i2o2.file;

import io.i2o2.uring.IoUringProbe;

import java.util.List;

/**
 * Which engine runs a loop: io_uring where this JVM may use it, the portable engine where it may not (or where
 * asked), and a clear refusal where neither can run. Says once per JVM, at INFO, when the portable engine is
 * taken and why, so a log tells which engine serves.
 */
final class EngineSelection {
    private static final System.Logger logger = System.getLogger(EngineSelection.class.getName());
    private static volatile boolean told;

    private EngineSelection() {
    }

    /**
     * Whether a loop of this library's groups runs the portable engine, given the {@code choice}.
     *
     * @throws UnsupportedOperationException where the choice cannot run: io_uring required but unavailable, or
     *                                       no engine at all (not Linux, native access denied)
     */
    static boolean portable(EngineChoice choice) {
        IoUringProbe.Availability a = IoUringProbe.availability();
        switch (choice) {
            case IO_URING -> {
                IoUring.ensureAvailability();
                return false;
            }
            case PORTABLE -> {
                ensurePortable(a);
                return true;
            }
            default -> {
                if (a.available()) {
                    return false;
                }
                ensurePortable(a);
                return true;
            }
        }
    }

    /**
     * Whether a loop of another transport (or Netty's io_uring loop where this library may not use io_uring)
     * can get the portable engine: Linux, native access.
     */
    static boolean portableRuns() {
        IoUringProbe.Cause c = IoUringProbe.availability().cause();
        return c != IoUringProbe.Cause.UNSUPPORTED_PLATFORM && c != IoUringProbe.Cause.NO_NATIVE_ACCESS;
    }

    private static void ensurePortable(IoUringProbe.Availability a) {
        if (!portableRuns()) {
            throw new UnsupportedOperationException("failed to run file IO here: " + a.message()
                    + " (the portable engine needs Linux and native access too)", a.toException());
        }
    }

    /**
     * Checks what a portable loop makes of {@code config}'s ring-only settings: refused under
     * {@code requireAllFlags}, else ignored with one log line.
     */
    static void checkRingSettings(IoUringConfig config) {
        List<String> asked = config.ringOnlySettings();
        if (asked.isEmpty()) {
            return;
        }
        if (config.requireAllFlags()) {
            throw new UnsupportedOperationException("the portable engine has no ring: " + String.join(", ", asked)
                    + " cannot be honoured, and requireAllFlags makes them requirements (io_uring: "
                    + IoUringProbe.availability().message() + ")");
        }
        logger.log(System.Logger.Level.INFO, "i2o2: the portable engine has no ring and ignores "
                + String.join(", ", asked));
    }

    /** Says once per JVM which engine serves where io_uring is not used, and why. */
    static void tellPortable(Object engine) {
        if (!told) {
            told = true;
            IoUringProbe.Availability a = IoUringProbe.availability();
            logger.log(System.Logger.Level.INFO, "i2o2: file IO runs on the portable engine (blocking system calls "
                    + "on worker threads), " + (a.available() ? "as configured" : "because " + a.message())
                    + ": " + engine);
        }
    }
}
