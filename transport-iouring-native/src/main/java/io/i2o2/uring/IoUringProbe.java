package io.i2o2.uring;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether this JVM can use io_uring at all, and if not, why, in words a user can act on. Knows nothing of
 * Netty: {@code io.i2o2.file.IoUring} builds Netty's {@code isAvailable / unavailabilityCause /
 * ensureAvailability} on it, and launchers call {@link #exitIfUnavailable(String)}.
 *
 * <p>The probe checks, in order: Linux on a supported architecture (x86-64, aarch64), a kernel at least
 * {@link #MIN_KERNEL}, and then creates (and closes) a two-entry ring, so that every refusal the kernel
 * can give is seen: ENOSYS (no io_uring, or a seccomp filter), EPERM ({@code kernel.io_uring_disabled} or a
 * security policy), ENOMEM (locked-memory limit), and native access denied to the JVM.
 *
 * <p>It goes through the {@link KernelFaults} seam, so tests can simulate each cause. The system property
 * {@value #SIMULATE_PROPERTY} does the same for the whole JVM (the default {@link #availability()}):
 * {@code enosys}, {@code eperm}, {@code enomem}, {@code disabled=1}, {@code disabled=2},
 * {@code kernel=5.10} or {@code arch=riscv64}. It exists to test what a machine without io_uring does.
 */
public final class IoUringProbe {
    /**
     * The oldest kernel the library runs on: 6.1, the oldest it is tested on (a 6.1 guest in every full test
     * run). Everything it uses existed by then ({@code DEFER_TASKRUN}, vectored and registered-buffer NVMe
     * passthrough came in 6.1 itself); 5.19 and 6.0 had most of it, but nothing proves them, so they are refused
     * rather than half-supported. The event loop groups refuse to start below it (through
     * {@link #availability()}); a {@link Ring} opened directly does not ask.
     */
    public static final String MIN_KERNEL = "6.1";
    /** A test seam: makes {@link #availability()} report io_uring as unavailable for the named cause. */
    public static final String SIMULATE_PROPERTY = "io.i2o2.uring.simulateUnavailable";
    /**
     * The operator's kill switch: {@code -Dio.i2o2.disable=true} makes {@link #availability()} report io_uring
     * as unavailable ({@link Cause#SWITCHED_OFF}), so groups refuse to start and callers that check
     * {@code IoUring.isAvailable()} take their fallback, without a code change.
     */
    public static final String DISABLE_PROPERTY = "io.i2o2.disable";

    /** Why io_uring cannot be used. */
    public enum Cause {
        /** It can: nothing is missing. */
        NONE,
        /** Not Linux, or a CPU architecture without a constant table. */
        UNSUPPORTED_PLATFORM,
        /** The kernel is older than {@link #MIN_KERNEL}. */
        KERNEL_TOO_OLD,
        /** {@code io_uring_setup} does not exist (ENOSYS): built without it, or a seccomp filter. */
        NOT_IN_KERNEL,
        /** {@code kernel.io_uring_disabled = 2}: nobody may create rings. */
        DISABLED,
        /** {@code kernel.io_uring_disabled = 1}: only members of {@code kernel.io_uring_group} may. */
        GROUP_ONLY,
        /** EPERM with io_uring enabled: a seccomp, LSM or container policy forbids it. */
        FORBIDDEN,
        /** ENOMEM: the ring cannot be allocated, usually a locked-memory limit that is too low. */
        MEMLOCK,
        /** The JVM refuses native access ({@code --enable-native-access} is missing and denied). */
        NO_NATIVE_ACCESS,
        /** Switched off by the operator ({@value #DISABLE_PROPERTY}). */
        SWITCHED_OFF,
        /** Any other failure; the message has the details. */
        OTHER
    }

    /**
     * The probe's answer.
     *
     * @param cause   {@link Cause#NONE} when io_uring can be used
     * @param errno   the error number behind the cause, or 0
     * @param message one line saying what is missing and what to change; "io_uring is available" otherwise
     */
    public record Availability(Cause cause, int errno, String message) {
        /**
         * A probe result.
         *
         * @param cause   the cause
         * @param errno   the error number, or 0
         * @param message the message
         */
        public Availability {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(message, "message");
        }

        /**
         * Whether io_uring can be used.
         *
         * @return {@code true} when the cause is {@link Cause#NONE}
         */
        public boolean available() {
            return cause == Cause.NONE;
        }

        /**
         * The reason as an exception to throw or to chain: {@code null} when available.
         *
         * @return an {@link UnsupportedOperationException} carrying the message, or {@code null}
         */
        public UnsupportedOperationException toException() {
            return available() ? null : new UnsupportedOperationException(message);
        }
    }

    private static volatile Availability cached;

    private IoUringProbe() {
    }

    /**
     * The answer for this JVM, probed once and then cached (honours {@value #DISABLE_PROPERTY} and
     * {@value #SIMULATE_PROPERTY}).
     *
     * @return whether io_uring can be used here, and if not why
     */
    public static Availability availability() {
        Availability a = cached;
        if (a == null) {
            synchronized (IoUringProbe.class) {
                a = cached;
                if (a == null) {
                    a = choose(Boolean.getBoolean(DISABLE_PROPERTY), System.getProperty(SIMULATE_PROPERTY, ""));
                    cached = a;
                }
            }
        }
        return a;
    }

    /** What {@link #availability()} answers for these two properties' values (the kill switch wins). */
    static Availability choose(boolean switchedOff, String simulateProperty) {
        String simulate = simulateProperty.trim();
        if (switchedOff) {
            return new Availability(Cause.SWITCHED_OFF, 0, "io_uring is switched off by -D" + DISABLE_PROPERTY + "=true");
        }
        return simulate.isEmpty() ? probe(KernelFaults.none(), System.getProperty("os.name"),
                System.getProperty("os.arch")) : simulate(simulate);
    }

    /**
     * Probes now, through a fault plan (not cached).
     *
     * @param faults the plan the probe's ring goes through; {@link KernelFaults#none()} for the real kernel
     * @return whether io_uring can be used, and if not why
     */
    public static Availability probe(KernelFaults faults) {
        return probe(faults, System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /**
     * Prints one line to standard error and exits the JVM with status 1 when io_uring is unavailable; does
     * nothing when it is. For command-line programs such as {@code ./i2o2 serve} and {@code ./i2o2 demo}.
     *
     * @param program the program's name, for the line, e.g. {@code "i2o2 serve"}
     */
    public static void exitIfUnavailable(String program) {
        Availability a = availability();
        if (!a.available()) {
            System.err.println(program + ": cannot run: " + a.message());
            System.err.flush();
            System.exit(1);
        }
    }

    static Availability probe(KernelFaults faults, String osName, String osArch) {
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new Availability(Cause.UNSUPPORTED_PLATFORM, 0,
                    "io_uring needs Linux; this JVM runs on " + osName);
        }
        String arch = Arch.unsupported(osArch);
        if (arch != null) {
            return new Availability(Cause.UNSUPPORTED_PLATFORM, 0, arch);
        }
        KernelVersion kernel = faults.simulatedKernel() != null ? faults.simulatedKernel() : runningKernel();
        if (kernel != null && kernel.isBefore(MIN_KERNEL)) {
            return new Availability(Cause.KERNEL_TOO_OLD, 0, "i2o2 needs Linux " + MIN_KERNEL + " or later (the"
                    + " oldest kernel it is tested on); this kernel is " + kernel);
        }
        int disabled = faults.simulatedIoUringDisabled() >= 0 ? faults.simulatedIoUringDisabled() : readDisabled();
        if (disabled == 2) {
            return new Availability(Cause.DISABLED, Errno.EPERM, "io_uring is disabled on this machine"
                    + " (/proc/sys/kernel/io_uring_disabled = 2): set it to 0 (sysctl kernel.io_uring_disabled=0)");
        }
        try (Ring ring = Ring.open(RingParams.builder().entries(2).faults(faults).build())) {
            return new Availability(Cause.NONE, 0, "io_uring is available (Linux " + kernel + ", " + ring.sqeSize()
                    + "-byte SQEs)");
        } catch (UringException e) {
            return fromErrno(e.errno(), disabled, e.getMessage());
        } catch (IllegalCallerException e) {
            return new Availability(Cause.NO_NATIVE_ACCESS, 0, "the JVM denies native access to i2o2: start it with"
                    + " --enable-native-access=ALL-UNNAMED (class path) or =io.i2o2.uring (module path)");
        } catch (RuntimeException | LinkageError e) {
            return new Availability(Cause.OTHER, 0, "io_uring could not be set up: " + e);
        }
    }

    private static Availability fromErrno(int errno, int disabled, String detail) {
        if (errno == Errno.ENOSYS) {
            return new Availability(Cause.NOT_IN_KERNEL, errno, "io_uring is not available: io_uring_setup fails"
                    + " with ENOSYS (the kernel lacks CONFIG_IO_URING, or a seccomp filter such as a container's"
                    + " default profile blocks it)");
        }
        if (errno == Errno.EPERM && disabled == 1) {
            String group = SetupFailure.readSysctl("/proc/sys/kernel/io_uring_group");
            String who = group.equals("-1") ? "kernel.io_uring_group is -1, so only privileged (CAP_SYS_ADMIN) processes"
                    + " may use it; set kernel.io_uring_group to a group of this user, or io_uring_disabled to 0"
                    : "only members of kernel.io_uring_group (gid " + group + ") may use it; add this user to that"
                    + " group, or set io_uring_disabled to 0";
            return new Availability(Cause.GROUP_ONLY, errno, "io_uring is limited to one group"
                    + " (/proc/sys/kernel/io_uring_disabled = 1): " + who);
        }
        if (errno == Errno.EPERM) {
            return new Availability(Cause.FORBIDDEN, errno, "io_uring is forbidden for this process: io_uring_setup"
                    + " fails with EPERM (a seccomp, LSM or container policy denies it)");
        }
        if (errno == Errno.ENOMEM) {
            return new Availability(Cause.MEMLOCK, errno, "io_uring cannot allocate a ring: io_uring_setup fails"
                    + " with ENOMEM; the locked-memory limit is too low (" + SetupFailure.lockedMemoryLimit()
                    + "): raise it (ulimit -l, or LimitMEMLOCK= / --ulimit memlock=)");
        }
        return new Availability(Cause.OTHER, errno, "io_uring could not be set up: " + detail);
    }

    /** Parses the {@value #SIMULATE_PROPERTY} value into the probe's answer through the fault seam. */
    static Availability simulate(String spec) {
        String s = spec.toLowerCase(Locale.ROOT);
        String osArch = System.getProperty("os.arch");
        KernelFaults faults = KernelFaults.plan();
        if (s.equals("enosys")) {
            faults.failSetup(Errno.ENOSYS, Integer.MAX_VALUE);
        } else if (s.equals("eperm")) {
            faults.simulateIoUringDisabled(0).failSetup(Errno.EPERM, Integer.MAX_VALUE);
        } else if (s.equals("enomem")) {
            faults.failSetup(Errno.ENOMEM, Integer.MAX_VALUE);
        } else if (s.startsWith("disabled=")) {
            faults.simulateIoUringDisabled(Integer.parseInt(s.substring("disabled=".length())));
        } else if (s.startsWith("kernel=")) {
            faults.simulateKernel(s.substring("kernel=".length()));
        } else if (s.startsWith("arch=")) {
            osArch = spec.substring("arch=".length());
        } else {
            throw new IllegalArgumentException(SIMULATE_PROPERTY + ": expected enosys, eperm, enomem, disabled=1|2,"
                    + " kernel=X.Y or arch=NAME, not '" + spec + "'");
        }
        Availability a = probe(faults, System.getProperty("os.name"), osArch);
        return a.available() ? a : new Availability(a.cause(), a.errno(), a.message() + " [simulated: " + SIMULATE_PROPERTY
                + "=" + spec + "]");
    }

    private static int readDisabled() {
        try {
            return Integer.parseInt(SetupFailure.readSysctl("/proc/sys/kernel/io_uring_disabled"));
        } catch (NumberFormatException e) {
            return 0;   // before 6.6 the file does not exist: io_uring is enabled
        }
    }

    private static KernelVersion runningKernel() {
        try {
            return KernelVersion.running();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
