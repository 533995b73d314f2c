package io.i2o2.uring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test seam in front of the ring's system calls: makes {@code io_uring_setup}, {@code io_uring_enter}
 * and {@code io_uring_register} fail with chosen error numbers, and hides opcodes and setup flags so a
 * ring behaves as on an older kernel (as i2o2's fail points do).
 *
 * <p>A plan can only make calls fail or features disappear; it never fabricates a result, so no plan can
 * make the ring touch memory it does not own. Production rings use {@link #none()}, which costs one
 * field read per call.
 *
 * <pre>{@code
 * KernelFaults faults = KernelFaults.plan().simulateKernel("5.15").failEnter(Errno.EINTR, 3);
 * Ring ring = Ring.open(RingParams.builder().faults(faults).build());
 * }</pre>
 */
public final class KernelFaults {
    private static final KernelFaults NONE = new KernelFaults(false);
    /** Releases that added each {@code io_uring_register} opcode this library uses. */
    private static final Map<Integer, String> REGISTER_SINCE = Map.of(
            RegisterOp.PROBE, "5.6", RegisterOp.ENABLE_RINGS, "5.10", RegisterOp.FILES2, "5.13",
            RegisterOp.FILES_UPDATE, "5.5", RegisterOp.BUFFERS2, "5.13", RegisterOp.BUFFERS_UPDATE, "5.13",
            RegisterOp.RING_FDS, "5.18", RegisterOp.SEND_MSG_RING, "6.13");

    /** Sysctls this library reads, and the releases that added them. */
    private static final Map<String, String> SYSCTL_SINCE = Map.of(
            "/proc/sys/kernel/io_uring_disabled", "6.6", "/proc/sys/kernel/io_uring_group", "6.6");

    private final boolean active;
    private final Fault setup = new Fault();
    private final Fault enter = new Fault();
    private final Map<Integer, Fault> register = new ConcurrentHashMap<>();
    private final Set<SetupFlag> hiddenFlags = EnumSet.noneOf(SetupFlag.class);
    private final boolean[] hiddenOpcodes = new boolean[256];
    private volatile KernelVersion simulated;

    private KernelFaults(boolean active) {
        this.active = active;
    }

    /** The inert plan every ring uses unless told otherwise. */
    public static KernelFaults none() {
        return NONE;
    }

    /** A new, empty plan to configure. */
    public static KernelFaults plan() {
        return new KernelFaults(true);
    }

    /**
     * Behave like the given kernel release: setup flags, opcodes and register calls newer than it fail
     * as that kernel fails them (EINVAL), the probe does not report the opcodes, and sysctls newer than it
     * are absent (the {@code io_uring_disabled} one is 6.6).
     */
    public KernelFaults simulateKernel(String release) {
        checkMutable();
        KernelVersion v = KernelVersion.parse(release);
        simulated = v;
        for (SetupFlag f : SetupFlag.values()) {
            if (v.isBefore(f.since())) {
                hiddenFlags.add(f);
            }
        }
        for (int op = 0; op < hiddenOpcodes.length; op++) {
            if (v.isBefore(Opcode.since(op))) {
                hiddenOpcodes[op] = true;
            }
        }
        return this;
    }

    /** The next {@code times} calls of {@code io_uring_setup} fail with {@code errno}. */
    public KernelFaults failSetup(int errno, int times) {
        checkMutable();
        setup.arm(errno, times);
        return this;
    }

    /** The next {@code times} calls of {@code io_uring_enter} fail with {@code errno}, submitting nothing. */
    public KernelFaults failEnter(int errno, int times) {
        checkMutable();
        enter.arm(errno, times);
        return this;
    }

    /** The next {@code times} {@code io_uring_register} calls with this opcode ({@link RegisterOp}) fail. */
    public KernelFaults failRegister(int registerOpcode, int errno, int times) {
        checkMutable();
        register.computeIfAbsent(registerOpcode, k -> new Fault()).arm(errno, times);
        return this;
    }

    /** The probe stops reporting the opcode, as on a kernel without it. */
    public KernelFaults hideOpcode(int opcode) {
        checkMutable();
        hiddenOpcodes[opcode & 0xff] = true;
        return this;
    }

    /** Setup with this flag fails with EINVAL, as on a kernel without it. */
    public KernelFaults hideSetupFlag(SetupFlag flag) {
        checkMutable();
        hiddenFlags.add(Objects.requireNonNull(flag, "flag"));
        return this;
    }

    private void checkMutable() {
        if (!active) {
            throw new IllegalStateException("KernelFaults.none() is shared and cannot be changed; use plan()");
        }
    }

    /** The errno setup must fail with for these flag bits, or 0 to make the real call. */
    int onSetup(int flagBits) {
        if (!active) {
            return 0;
        }
        int e = setup.take();
        if (e != 0) {
            return e;
        }
        for (SetupFlag f : hiddenFlags) {
            if ((flagBits & f.bit()) != 0) {
                return Errno.EINVAL;
            }
        }
        return 0;
    }

    /** The errno {@code io_uring_enter} must fail with, or 0. */
    int onEnter() {
        return active ? enter.take() : 0;
    }

    /** The errno this register opcode must fail with, or 0. */
    int onRegister(int opcode) {
        if (!active) {
            return 0;
        }
        KernelVersion v = simulated;
        String since = REGISTER_SINCE.get(opcode);
        if (v != null && since != null && v.isBefore(since)) {
            return Errno.EINVAL;
        }
        Fault f = register.get(opcode);
        return f == null ? 0 : f.take();
    }

    /**
     * The value of a sysctl file as this (possibly simulated) kernel shows it, trimmed, or {@code null} when
     * the kernel has no such sysctl: a simulated kernel older than the release that added it has none.
     */
    String readSysctl(String path) {
        KernelVersion v = active ? simulated : null;
        String since = SYSCTL_SINCE.get(path);
        if (v != null && since != null && v.isBefore(since)) {
            return null;
        }
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the probe must hide this opcode. */
    boolean hidesOpcode(int opcode) {
        return active && hiddenOpcodes[opcode & 0xff];
    }

    /** A countdown of failures with one errno. */
    private static final class Fault {
        private volatile int errno;
        private final AtomicInteger remaining = new AtomicInteger();

        void arm(int errno, int times) {
            if (errno <= 0 || times < 0) {
                throw new IllegalArgumentException("errno must be > 0 and times >= 0: " + errno + ", " + times);
            }
            this.errno = errno;
            remaining.set(times);
        }

        int take() {
            return remaining.get() > 0 && remaining.getAndDecrement() > 0 ? errno : 0;
        }
    }
}
