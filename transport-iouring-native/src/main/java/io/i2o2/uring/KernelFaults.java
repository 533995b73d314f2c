package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.io_uring_sqe;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * A test seam in front of the ring's system calls: makes {@code io_uring_setup}, {@code io_uring_enter}
 * and {@code io_uring_register} fail with chosen error numbers, and hides opcodes, setup flags, register
 * calls, {@code uring_cmd} sub-commands and sysctls so a ring behaves as on an older kernel (as i2o2's fail
 * points do).
 *
 * <p>A plan can only make calls fail or features disappear; it never fabricates a result, so no plan can
 * make the ring touch memory it does not own. (A hidden {@code uring_cmd} is failed by the real kernel: the
 * entry goes to a descriptor whose driver has no {@code uring_cmd}.) Production rings use {@link #none()}, which costs one
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

    /**
     * {@code uring_cmd} sub-commands ({@code sqe->cmd_op}) this library sends, and the releases whose drivers
     * took them: socket commands 6.7; NVMe I/O on the generic namespace device 5.19, admin on the controller
     * device 6.0, the vectored forms 6.1.
     */
    private static final Map<Integer, String> URING_CMD_SINCE = Map.of(
            Linux.SOCKET_URING_OP_SIOCINQ, "6.7", Linux.SOCKET_URING_OP_SIOCOUTQ, "6.7",
            Linux.SOCKET_URING_OP_GETSOCKOPT, "6.7", Linux.SOCKET_URING_OP_SETSOCKOPT, "6.7",
            NvmeUringCmd.CMD_IO, "5.19", NvmeUringCmd.CMD_ADMIN, "6.0",
            NvmeUringCmd.CMD_IO_VEC, "6.1", NvmeUringCmd.CMD_ADMIN_VEC, "6.1");
    /** {@code IORING_URING_CMD_FIXED} (registered buffers for {@code uring_cmd}) came in 6.1. */
    private static final String URING_CMD_FIXED_SINCE = "6.1";
    /** A {@code uring_cmd_flags} bit no kernel knows: its prep fails the command with EINVAL. */
    private static final int UNKNOWN_URING_CMD_FLAG = 1 << 30;
    private static final long SQE_OPCODE = io_uring_sqe.opcode$offset();
    private static final long SQE_FLAGS = io_uring_sqe.flags$offset();
    private static final long SQE_FD = io_uring_sqe.fd$offset();
    private static final long SQE_CMD_OP = io_uring_sqe.cmd_op$offset();
    private static final long SQE_CMD_FLAGS = io_uring_sqe.rw_flags$offset();

    private final boolean active;
    private final Set<Integer> hiddenUringCmds = ConcurrentHashMap.newKeySet();
    /** An eventfd: a descriptor whose driver has no {@code uring_cmd}, so the kernel answers EOPNOTSUPP. */
    private volatile int noUringCmdFd = -1;
    private final Fault setup = new Fault();
    private final Fault enter = new Fault();
    private final Map<Integer, Fault> register = new ConcurrentHashMap<>();
    private final Set<SetupFlag> hiddenFlags = EnumSet.noneOf(SetupFlag.class);
    private final boolean[] hiddenOpcodes = new boolean[256];
    private volatile KernelVersion simulated;
    private volatile int simulatedDisabled = -1;

    private KernelFaults(boolean active) {
        this.active = active;
    }

    /**
     * The inert plan every ring uses unless told otherwise.
     *
     * @return this plan
     */
    public static KernelFaults none() {
        return NONE;
    }

    /**
     * A new, empty plan to configure.
     *
     * @return this plan
     */
    public static KernelFaults plan() {
        return new KernelFaults(true);
    }

    /**
     * Behave like the given kernel release: setup flags, opcodes and register calls newer than it fail
     * as that kernel fails them (EINVAL), the probe does not report the opcodes, and sysctls newer than it
     * are absent (the {@code io_uring_disabled} one is 6.6).
     *
     * @param release a kernel release such as {@code "6.1"}
     * @return this plan
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
        URING_CMD_SINCE.forEach((cmdOp, since) -> {
            if (v.isBefore(since)) {
                hiddenUringCmds.add(cmdOp);
            }
        });
        return this;
    }

    /**
     * {@code uring_cmd}s with this {@code cmd_op} fail as on a kernel whose driver lacks it: the entry is sent
     * to a descriptor without {@code uring_cmd} support, so the real kernel completes it with
     * {@code -EOPNOTSUPP} and touches none of its buffers. (A simulated kernel hides the socket commands
     * before 6.7, NVMe admin before 6.0, the vectored NVMe forms before 6.1, NVMe I/O before 5.19; a driver
     * that has {@code uring_cmd} but not the sub-command would say {@code -ENOTTY} or {@code -EOPNOTSUPP}:
     * both mean "not here".) Configure the plan before the ring opens: the ring decides then whether it
     * looks at the entries it publishes.
     *
     * @param cmdOp the {@code cmd_op} to hide, such as {@code NvmeUringCmd.CMD_IO_VEC}
     * @return this plan
     */
    public KernelFaults hideUringCmd(int cmdOp) {
        checkMutable();
        hiddenUringCmds.add(cmdOp);
        return this;
    }

    /**
     * Behave as if {@code /proc/sys/kernel/io_uring_disabled} held {@code value}: with 1 (only members of
     * {@code kernel.io_uring_group} may create rings, and this process is taken to be outside it) or 2
     * (nobody may), every {@code io_uring_setup} fails with EPERM, as the kernel fails it; with 0 it works.
     *
     * @param value 0, 1 or 2
     * @return this plan
     */
    public KernelFaults simulateIoUringDisabled(int value) {
        checkMutable();
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("io_uring_disabled is 0, 1 or 2: " + value);
        }
        simulatedDisabled = value;
        return this;
    }

    /**
     * The next {@code times} calls of {@code io_uring_setup} fail with {@code errno}.
     *
     * @param errno the error number (positive)
     * @param times how many calls fail
     * @return this plan
     */
    public KernelFaults failSetup(int errno, int times) {
        checkMutable();
        setup.arm(errno, times);
        return this;
    }

    /**
     * The next {@code times} calls of {@code io_uring_enter} fail with {@code errno}, submitting nothing.
     *
     * @param errno the error number (positive)
     * @param times how many calls fail
     * @return this plan
     */
    public KernelFaults failEnter(int errno, int times) {
        checkMutable();
        enter.arm(errno, times);
        return this;
    }

    /**
     * The next {@code times} {@code io_uring_register} calls with this opcode ({@link RegisterOp}) fail.
     *
     * @param registerOpcode the {@code io_uring_register} opcode ({@link RegisterOp})
     * @param errno the error number (positive)
     * @param times how many calls fail
     * @return this plan
     */
    public KernelFaults failRegister(int registerOpcode, int errno, int times) {
        checkMutable();
        register.computeIfAbsent(registerOpcode, k -> new Fault()).arm(errno, times);
        return this;
    }

    /**
     * The probe stops reporting the opcode, as on a kernel without it.
     *
     * @param opcode the opcode
     * @return this plan
     */
    public KernelFaults hideOpcode(int opcode) {
        checkMutable();
        hiddenOpcodes[opcode & 0xff] = true;
        return this;
    }

    /**
     * Setup with this flag fails with EINVAL, as on a kernel without it.
     *
     * @param flag the setup flag
     * @return this plan
     */
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
        if (simulatedDisabled > 0) {
            return Errno.EPERM;
        }
        for (SetupFlag f : hiddenFlags) {
            if ((flagBits & f.bit()) != 0) {
                return Errno.EINVAL;
            }
        }
        return 0;
    }

    /** The kernel release this plan simulates, or {@code null} for the running one. */
    KernelVersion simulatedKernel() {
        return active ? simulated : null;
    }

    /** The simulated {@code io_uring_disabled} value, or -1 to read the real one. */
    int simulatedIoUringDisabled() {
        return active ? simulatedDisabled : -1;
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
            // Not Files.readString: it can stop after one byte of some /proc files.
            return String.join("\n", Files.readAllLines(Path.of(path))).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether this plan rewrites entries at submission (hidden uring_cmd sub-commands or flags). */
    boolean rewritesEntries() {
        return active && (!hiddenUringCmds.isEmpty() || simulatedBefore(URING_CMD_FIXED_SINCE));
    }

    private boolean simulatedBefore(String release) {
        KernelVersion v = simulated;
        return v != null && v.isBefore(release);
    }

    /**
     * Called for each entry about to be published to the kernel (only when {@link #rewritesEntries()}): turns a
     * {@code uring_cmd} this kernel would refuse into one the real kernel refuses the same way.
     */
    void onPublish(MemorySegment entry) {
        if ((entry.get(JAVA_BYTE, SQE_OPCODE) & 0xff) != Opcode.URING_CMD) {
            return;
        }
        if (hiddenUringCmds.contains(entry.get(JAVA_INT_UNALIGNED, SQE_CMD_OP))) {
            entry.set(JAVA_BYTE, SQE_FLAGS, (byte) (entry.get(JAVA_BYTE, SQE_FLAGS) & ~SqeFlags.FIXED_FILE));
            entry.set(JAVA_INT_UNALIGNED, SQE_FD, noUringCmdFd());
        } else if (simulatedBefore(URING_CMD_FIXED_SINCE)
                && (entry.get(JAVA_INT_UNALIGNED, SQE_CMD_FLAGS) & Linux.IORING_URING_CMD_FIXED) != 0) {
            // 5.19 and 6.0 refuse any uring_cmd_flags: so does every kernel for an unknown bit.
            entry.set(JAVA_INT_UNALIGNED, SQE_CMD_FLAGS,
                    entry.get(JAVA_INT_UNALIGNED, SQE_CMD_FLAGS) | UNKNOWN_URING_CMD_FLAG);
        }
    }

    private int noUringCmdFd() {
        int fd = noUringCmdFd;
        if (fd < 0) {
            synchronized (this) {
                fd = noUringCmdFd;
                if (fd < 0) {
                    // Never closed: a plan lives as long as its test, and an entry may still name it.
                    fd = Syscalls.eventfd(Syscalls.threadCallState(), LinuxUring.EFD_CLOEXEC());
                    if (fd < 0) {
                        throw new IllegalStateException("eventfd for the fault plan: " + Errno.format(fd));
                    }
                    noUringCmdFd = fd;
                }
            }
        }
        return fd;
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
