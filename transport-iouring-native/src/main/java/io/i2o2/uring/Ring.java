package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.__kernel_timespec;
import io.i2o2.uring.gen.io_cqring_offsets;
import io.i2o2.uring.gen.io_sqring_offsets;
import io.i2o2.uring.gen.io_uring_cqe;
import io.i2o2.uring.gen.io_uring_files_update;
import io.i2o2.uring.gen.io_uring_getevents_arg;
import io.i2o2.uring.gen.io_uring_params;
import io.i2o2.uring.gen.io_uring_probe;
import io.i2o2.uring.gen.io_uring_probe_op;
import io.i2o2.uring.gen.io_uring_rsrc_register;
import io.i2o2.uring.gen.io_uring_rsrc_update;
import io.i2o2.uring.gen.io_uring_rsrc_update2;
import io.i2o2.uring.gen.io_uring_sqe;
import io.i2o2.uring.gen.iovec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One io_uring instance: the ring fd, its mapped submission and completion queues, and the calls that
 * drive it ({@code io_uring_enter}) and configure it ({@code io_uring_register}).
 *
 * <p>A ring belongs to one thread, which submits, reaps and closes it; only {@link #fd()} may be read
 * elsewhere (to wake it, see {@link RingWaker}). The mapped memory lives in a shared {@link Arena}
 * closed by {@link #close()}: a use after close throws {@link IllegalStateException} instead of touching
 * unmapped memory, and a close while another thread is inside a call on the ring is refused the same way.
 *
 * <pre>{@code
 * try (Ring ring = Ring.open(RingParams.builder().entries(64).build())) {
 *     ring.sq().next().prepNop().userData(42);
 *     ring.submitAndWait(1);
 *     ring.reap((userData, res, flags, x0, x1) -> System.out.println(userData + " -> " + res), 64);
 * }
 * }</pre>
 */
public final class Ring implements AutoCloseable {
    private static final int ENTER_GETEVENTS = LinuxUring.IORING_ENTER_GETEVENTS();
    private static final int ENTER_SQ_WAKEUP = LinuxUring.IORING_ENTER_SQ_WAKEUP();
    private static final int ENTER_EXT_ARG = LinuxUring.IORING_ENTER_EXT_ARG();
    private static final int ENTER_REGISTERED_RING = LinuxUring.IORING_ENTER_REGISTERED_RING();
    private static final int SETUP_CQSIZE = LinuxUring.IORING_SETUP_CQSIZE();
    private static final int SETUP_SQ_AFF = LinuxUring.IORING_SETUP_SQ_AFF();
    private static final int SETUP_R_DISABLED = LinuxUring.IORING_SETUP_R_DISABLED();
    private static final int FEAT_SINGLE_MMAP = LinuxUring.IORING_FEAT_SINGLE_MMAP();
    private static final int FEAT_NODROP = LinuxUring.IORING_FEAT_NODROP();
    private static final int FEAT_EXT_ARG = LinuxUring.IORING_FEAT_EXT_ARG();
    private static final int OP_SUPPORTED = LinuxUring.IO_URING_OP_SUPPORTED();
    private static final int PROBE_OPS = 256;
    private static final int UNREGISTER_RING_FDS = LinuxUring.IORING_UNREGISTER_RING_FDS();

    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment waitArg;
    private final MemorySegment waitTimespec;
    private final KernelFaults faults;
    private final int fd;
    private final Set<SetupFlag> flags;
    private final Set<SetupFlag> dropped;
    private final int features;
    private final int sqeSize;
    private final int cqeSize;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final boolean sqPoll;
    /** DEFER_TASKRUN without TASKRUN_FLAG: completion work may be pending with no sign of it in the ring. */
    private final boolean hiddenTaskrun;
    private int enterFd;
    private int enterFlags;
    /** The thread whose io_uring context holds {@link #enterFd} after {@link #registerRingFd()}, or null. */
    private Thread ringFdOwner;
    private Probe probe;
    private boolean closed;

    private Ring(Arena arena, MemorySegment callState, KernelFaults faults, int fd, int setupBits,
                 Set<SetupFlag> dropped, MemorySegment params) throws UringException {
        this.arena = arena;
        this.callState = callState;
        this.faults = faults;
        this.fd = fd;
        this.enterFd = fd;
        this.flags = Collections.unmodifiableSet(SetupFlag.fromBits(setupBits));
        this.dropped = Collections.unmodifiableSet(dropped);
        this.features = io_uring_params.features(params);
        this.sqPoll = flags.contains(SetupFlag.SQPOLL);
        this.hiddenTaskrun = flags.contains(SetupFlag.DEFER_TASKRUN) && !flags.contains(SetupFlag.TASKRUN_FLAG);
        this.sqeSize = (int) io_uring_sqe.sizeof() << (flags.contains(SetupFlag.SQE128) ? 1 : 0);
        this.cqeSize = (int) io_uring_cqe.sizeof() << (flags.contains(SetupFlag.CQE32) ? 1 : 0);
        this.waitArg = arena.allocate(io_uring_getevents_arg.layout());
        this.waitTimespec = arena.allocate(__kernel_timespec.layout());
        io_uring_getevents_arg.ts(waitArg, waitTimespec.address());

        int sqEntries = io_uring_params.sq_entries(params);
        int cqEntries = io_uring_params.cq_entries(params);
        MemorySegment sqOff = io_uring_params.sq_off(params);
        MemorySegment cqOff = io_uring_params.cq_off(params);
        long sqRingSize = io_sqring_offsets.array(sqOff) + (long) sqEntries * Integer.BYTES;
        long cqRingSize = io_cqring_offsets.cqes(cqOff) + (long) cqEntries * cqeSize;
        boolean singleMmap = (features & FEAT_SINGLE_MMAP) != 0;
        if (singleMmap) {
            sqRingSize = cqRingSize = Math.max(sqRingSize, cqRingSize);
        }
        MemorySegment sqRing = map(sqRingSize, LinuxUring.IORING_OFF_SQ_RING());
        MemorySegment cqRing = singleMmap ? sqRing : map(cqRingSize, LinuxUring.IORING_OFF_CQ_RING());
        MemorySegment sqes = map((long) sqEntries * sqeSize, LinuxUring.IORING_OFF_SQES());

        if (!flags.contains(SetupFlag.NO_SQARRAY)) {
            // Identity map: SQ slot i is SQE i, so entries are written straight into the SQE array.
            long array = io_sqring_offsets.array(sqOff);
            for (int i = 0; i < sqEntries; i++) {
                sqRing.set(JAVA_INT, array + (long) i * Integer.BYTES, i);
            }
        }
        this.sq = new SubmissionQueue(sqRing, io_sqring_offsets.head(sqOff), io_sqring_offsets.tail(sqOff),
                io_sqring_offsets.flags(sqOff), io_sqring_offsets.dropped(sqOff),
                sqRing.get(JAVA_INT, io_sqring_offsets.ring_mask(sqOff)),
                sqRing.get(JAVA_INT, io_sqring_offsets.ring_entries(sqOff)), sqes, sqeSize, faults);
        this.cq = new CompletionQueue(cqRing, io_cqring_offsets.head(cqOff), io_cqring_offsets.tail(cqOff),
                io_cqring_offsets.overflow(cqOff), io_cqring_offsets.cqes(cqOff),
                cqRing.get(JAVA_INT, io_cqring_offsets.ring_mask(cqOff)),
                cqRing.get(JAVA_INT, io_cqring_offsets.ring_entries(cqOff)), cqeSize);
    }

    /**
     * Creates a ring.
     *
     * @param params what ring to make
     * @return the new ring, which the caller closes
     * @throws UringException when the kernel refuses: the message names the cause (io_uring unavailable or
     *                        disabled, memlock too low, a required flag this kernel lacks)
     */
    public static Ring open(RingParams params) throws UringException {
        Arena arena = Arena.ofShared();
        int fd = -1;
        try {
            MemorySegment callState = Syscalls.newCallState(arena);
            MemorySegment p = arena.allocate(io_uring_params.layout());
            int base = SetupFlag.toBits(params.required())
                    | (params.cqEntries() > 0 ? SETUP_CQSIZE : 0)
                    | (params.sqThreadCpu() >= 0 ? SETUP_SQ_AFF : 0)
                    | (params.startDisabled() ? SETUP_R_DISABLED : 0);
            EnumSet<SetupFlag> optional = EnumSet.noneOf(SetupFlag.class);
            optional.addAll(params.optional());
            EnumSet<SetupFlag> dropped = EnumSet.noneOf(SetupFlag.class);
            int bits;
            while (true) {
                bits = base | SetupFlag.toBits(optional);
                fd = SetupFailure.setup(callState, params, p, bits);
                if (fd >= 0) {
                    break;
                }
                if (-fd != Errno.EINVAL || optional.isEmpty()) {
                    throw SetupFailure.explain(callState, params, bits, -fd);
                }
                // Flags are declared oldest first: the newest optional one is the likeliest to be missing.
                SetupFlag newest = null;
                for (SetupFlag f : optional) {
                    newest = f;
                }
                optional.remove(newest);
                dropped.add(newest);
                if (newest == SetupFlag.SINGLE_ISSUER && optional.remove(SetupFlag.DEFER_TASKRUN)) {
                    dropped.add(SetupFlag.DEFER_TASKRUN);
                }
            }
            return new Ring(arena, callState, params.faults(), fd, bits, dropped, p);
        } catch (UringException | RuntimeException | Error e) {
            if (fd >= 0) {
                Syscalls.close(Syscalls.threadCallState(), fd);
            }
            arena.close();
            throw e;
        }
    }

    private MemorySegment map(long size, long offset) throws UringException {
        long addr = Syscalls.mmapShared(callState, size, fd, offset);
        if (addr < 0) {
            throw new UringException("mmap(io_uring fd=" + fd + ", offset=0x" + Long.toHexString(offset) + ", size="
                    + size + ")", (int) -addr, null);
        }
        // The mapping belongs to the arena: closing it unmaps, and any later access throws instead of crashing.
        return MemorySegment.ofAddress(addr).reinterpret(size, arena,
                s -> Syscalls.munmap(Syscalls.threadCallState(), s.address(), size));
    }

    // ---- what the ring is ----

    /**
     * The ring's file descriptor (for {@link RingWaker} and {@code MSG_RING}).
     *
     * @return the ring's file descriptor (for {@link RingWaker} and {@code MSG_RING})
     */
    public int fd() {
        return fd;
    }

    /**
     * The setup flags the ring has.
     *
     * @return the setup flags the ring has
     */
    public Set<SetupFlag> flags() {
        return flags;
    }

    /**
     * Optional flags the kernel refused and the ring was created without.
     *
     * @return the optional flags the kernel refused and the ring was created without
     */
    public Set<SetupFlag> droppedFlags() {
        return dropped;
    }

    /**
     * {@code io_uring_params.features}: the {@code IORING_FEAT_*} bits of this kernel.
     *
     * @return the {@code IORING_FEAT_*} bits of this kernel
     */
    public int features() {
        return features;
    }

    /**
     * Whether the kernel holds back CQEs that overflow the CQ instead of dropping them (5.5+).
     *
     * @return whether the kernel holds back CQEs that overflow the CQ instead of dropping them (5.5+)
     */
    public boolean keepsOverflow() {
        return (features & FEAT_NODROP) != 0;
    }

    /**
     * SQE size: 64, or 128 with {@link SetupFlag#SQE128}.
     *
     * @return the SQE size in bytes: 64, or 128 with {@link SetupFlag#SQE128}
     */
    public int sqeSize() {
        return sqeSize;
    }

    /**
     * CQE size: 16, or 32 with {@link SetupFlag#CQE32}.
     *
     * @return the CQE size in bytes: 16, or 32 with {@link SetupFlag#CQE32}
     */
    public int cqeSize() {
        return cqeSize;
    }

    /**
     * The submission queue.
     *
     * @return the submission queue
     */
    public SubmissionQueue sq() {
        checkOpen();
        return sq;
    }

    /**
     * The completion queue.
     *
     * @return the completion queue
     */
    public CompletionQueue cq() {
        checkOpen();
        return cq;
    }

    // ---- enter ----

    /**
     * Publishes the written SQEs and submits them.
     *
     * @return how many the kernel took; 0 on a transient refusal ({@code EINTR}, {@code EAGAIN},
     *         {@code EBUSY}), leaving them queued for the next call: reap completions, then retry
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public int submit() throws UringException {
        return submitAndWait(0);
    }

    /**
     * Submits, then waits until at least {@code minComplete} CQEs are ready (0: only runs pending
     * completion work, as {@link SetupFlag#DEFER_TASKRUN} rings need). Returns early with 0 on a signal.
     *
     * @param minComplete how many completions to wait for
     * @return how many entries were submitted; 0 on a signal or when the time ran out
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public int submitAndWait(int minComplete) throws UringException {
        checkOpen();
        int toSubmit = sq.flush();
        if (sqPoll) {
            int wake = sq.needsWakeup() ? ENTER_SQ_WAKEUP : 0;
            if (wake == 0 && minComplete == 0 && !sq.cqOverflow()) {
                return toSubmit;
            }
            enter(toSubmit, minComplete, wake | (minComplete > 0 ? ENTER_GETEVENTS : 0), 0, 0);
            return toSubmit;
        }
        // A DEFER_TASKRUN ring runs its completion work only inside io_uring_enter(GETEVENTS), and without
        // TASKRUN_FLAG nothing in the ring says work is pending: always enter, as liburing's get_events does.
        if (toSubmit == 0 && minComplete == 0 && !hiddenTaskrun && !needsGetEvents()) {
            return 0;
        }
        return enter(toSubmit, minComplete, ENTER_GETEVENTS, 0, 0);
    }

    /**
     * Submits and makes one pass over the polled requests of an {@link SetupFlag#IOPOLL} ring: always enters
     * the kernel with {@code GETEVENTS} and {@code min_complete} 0, because on such a ring completions exist
     * only once someone polls for them. Never waits.
     *
     * @return how many entries the kernel took
     * @throws UringException if the kernel refuses the call for good
     */
    public int submitAndPoll() throws UringException {
        checkOpen();
        return enter(sq.flush(), 0, ENTER_GETEVENTS, 0, 0);
    }

    /**
     * Like {@link #submitAndWait(int)}, but gives up after {@code timeoutNanos} (5.11+ kernels; older ones
     * wait without a limit). Returns 0 when the time ran out.
     *
     * @param minComplete how many completions to wait for
     * @param timeoutNanos the longest wait in nanoseconds
     * @return how many entries were submitted; 0 on a signal or when the time ran out
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public int submitAndWait(int minComplete, long timeoutNanos) throws UringException {
        checkOpen();
        if (timeoutNanos < 0 || (features & FEAT_EXT_ARG) == 0) {
            return submitAndWait(minComplete);
        }
        int toSubmit = sq.flush();
        __kernel_timespec.tv_sec(waitTimespec, timeoutNanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(waitTimespec, timeoutNanos % 1_000_000_000L);
        int flags = ENTER_GETEVENTS | ENTER_EXT_ARG | (sqPoll && sq.needsWakeup() ? ENTER_SQ_WAKEUP : 0);
        return enter(toSubmit, minComplete, flags, waitArg.address(), waitArg.byteSize());
    }

    /**
     * Hands up to {@code max} completions to {@code handler}. When the CQ is empty but the kernel holds
     * overflowed CQEs or pending completion work, enters the kernel to flush them first, so none is lost.
     *
     * @param handler called for each completion
     * @param max the most to take
     * @return how many completions were handed over
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public int reap(CompletionHandler handler, int max) throws UringException {
        checkOpen();
        int n = cq.reap(handler, max);
        if (n < max && cq.ready() == 0 && needsGetEvents()) {
            enter(0, 0, ENTER_GETEVENTS, 0, 0);
            n += cq.reap(handler, max - n);
        }
        return n;
    }

    private boolean needsGetEvents() {
        return sq.cqOverflow() || sq.taskrunPending();
    }

    private int enter(int toSubmit, int minComplete, int flags, long arg, long argSize) throws UringException {
        int fault = faults.onEnter();
        int ret = fault != 0 ? -fault
                : Syscalls.ioUringEnter(callState, enterFd, toSubmit, minComplete, flags | enterFlags, arg, argSize);
        if (ret >= 0) {
            return ret;
        }
        int errno = -ret;
        if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.EBUSY || errno == Errno.ETIME) {
            return 0;
        }
        throw new UringException("io_uring_enter(fd=" + fd + ", toSubmit=" + toSubmit + ", minComplete="
                + minComplete + ", flags=0x" + Integer.toHexString(flags) + ")", errno,
                errno == Errno.EBADR ? "the kernel lost completions after a CQ overflow" : null);
    }

    // ---- register ----

    private int register(int opcode, long arg, int nrArgs, String what) throws UringException {
        checkOpen();
        int fault = faults.onRegister(opcode);
        int ret = fault != 0 ? -fault : Syscalls.ioUringRegister(callState, fd, opcode, arg, nrArgs);
        if (ret < 0) {
            throw new UringException("io_uring_register(fd=" + fd + ", " + what + ")", -ret, null);
        }
        return ret;
    }

    /**
     * Enables a ring created with {@link RingParams#startDisabled()}. With {@link SetupFlag#SINGLE_ISSUER},
     * the calling thread becomes the ring's only submitter.
     *
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void enable() throws UringException {
        register(RegisterOp.ENABLE_RINGS, 0, 0, "ENABLE_RINGS");
    }

    /**
     * Registers the ring fd with itself for the calling thread (5.18+), so {@code io_uring_enter} skips the
     * fd lookup. Only the calling thread may enter the ring afterwards.
     *
     * @return whether the fd is registered for the calling thread; false when the kernel lacks it, or another
     *         thread registered it already
     */
    public boolean registerRingFd() {
        checkOpen();
        if (ringFdOwner != null) {
            // A second registration would take a second slot, and the first would keep the ring alive.
            return ringFdOwner == Thread.currentThread();
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment upd = scratch.allocate(io_uring_rsrc_update.layout());
            io_uring_rsrc_update.offset(upd, -1);
            io_uring_rsrc_update.data(upd, fd);
            register(RegisterOp.RING_FDS, upd.address(), 1, "RING_FDS");
            enterFd = io_uring_rsrc_update.offset(upd);
            enterFlags = ENTER_REGISTERED_RING;
            ringFdOwner = Thread.currentThread();
            return true;
        } catch (UringException e) {
            return false;
        }
    }

    /**
     * Which opcodes this kernel supports (asked once, then cached).
     *
     * @return which opcodes this kernel supports (asked once, then cached)
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public Probe probe() throws UringException {
        if (probe == null) {
            try (Arena scratch = Arena.ofConfined()) {
                long opSize = io_uring_probe_op.sizeof();
                MemorySegment p = scratch.allocate(io_uring_probe.sizeof() + PROBE_OPS * opSize, 8);
                register(RegisterOp.PROBE, p.address(), PROBE_OPS, "PROBE");
                int count = Byte.toUnsignedInt(io_uring_probe.ops_len(p));
                boolean[] supported = new boolean[PROBE_OPS];
                for (int i = 0; i < count; i++) {
                    MemorySegment op = p.asSlice(io_uring_probe.sizeof() + i * opSize, opSize);
                    int code = Byte.toUnsignedInt(io_uring_probe_op.op(op));
                    boolean ok = (io_uring_probe_op.flags(op) & OP_SUPPORTED) != 0;
                    supported[code] = ok && !faults.hidesOpcode(code);
                }
                probe = new Probe(supported, Byte.toUnsignedInt(io_uring_probe.last_op(p)) + 1);
            }
        }
        return probe;
    }

    /**
     * Registers buffers in slots 0..n-1 for {@code READ_FIXED}/{@code WRITE_FIXED}. The kernel pins their pages
     * until {@link #unregisterBuffers()} or close.
     *
     * @param buffers the buffers to register, native memory
     * @throws UringException when the kernel refuses the call (it carries the errno)
     * @throws IllegalArgumentException when one is a heap segment (nothing is registered)
     */
    public void registerBuffers(List<MemorySegment> buffers) throws UringException {
        for (int i = 0; i < buffers.size(); i++) {
            requireNative(buffers.get(i), "buffers[" + i + "]");
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment iovecs = scratch.allocate(iovec.layout(), buffers.size());
            for (int i = 0; i < buffers.size(); i++) {
                MemorySegment v = iovecs.asSlice(i * iovec.sizeof(), iovec.sizeof());
                iovec.iov_base(v, MemorySegment.ofAddress(buffers.get(i).address()));
                iovec.iov_len(v, buffers.get(i).byteSize());
            }
            register(RegisterOp.BUFFERS, iovecs.address(), buffers.size(), "BUFFERS, nr=" + buffers.size());
        }
    }

    /**
     * Reserves {@code slots} empty buffer slots (5.19+), filled later with {@link #updateBuffer}.
     *
     * @param slots the number of slots
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void registerBuffersSparse(int slots) throws UringException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reg = scratch.allocate(io_uring_rsrc_register.layout());
            io_uring_rsrc_register.nr(reg, slots);
            io_uring_rsrc_register.flags(reg, LinuxUring.IORING_RSRC_REGISTER_SPARSE());
            register(RegisterOp.BUFFERS2, reg.address(), (int) io_uring_rsrc_register.sizeof(),
                    "BUFFERS2 sparse, nr=" + slots);
        }
    }

    /**
     * Puts {@code buffer} into registered buffer slot {@code slot} (the slot must be empty).
     *
     * @param slot the slot index
     * @param buffer the buffer, native memory
     * @throws UringException when the kernel refuses the call (it carries the errno)
     * @throws IllegalArgumentException when it is a heap segment (the slot stays as it was)
     */
    public void updateBuffer(int slot, MemorySegment buffer) throws UringException {
        requireNative(buffer, "buffer");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment v = scratch.allocate(iovec.layout());
            iovec.iov_base(v, MemorySegment.ofAddress(buffer.address()));
            iovec.iov_len(v, buffer.byteSize());
            MemorySegment upd = scratch.allocate(io_uring_rsrc_update2.layout());
            io_uring_rsrc_update2.offset(upd, slot);
            io_uring_rsrc_update2.data(upd, v.address());
            io_uring_rsrc_update2.nr(upd, 1);
            register(RegisterOp.BUFFERS_UPDATE, upd.address(), (int) io_uring_rsrc_update2.sizeof(),
                    "BUFFERS_UPDATE, slot=" + slot);
        }
    }

    /**
     * Refuses a heap segment where the kernel is to use the memory: its {@code address()} is an offset into a
     * Java array (0 for a whole one), not an address the kernel could pin.
     */
    private static void requireNative(MemorySegment segment, String name) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException(name + " must be native memory, not a heap segment: " + segment);
        }
    }

    /**
     * Unregisters all buffers.
     *
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void unregisterBuffers() throws UringException {
        register(RegisterOp.UNREGISTER_BUFFERS, 0, 0, "UNREGISTER_BUFFERS");
    }

    /**
     * Reserves {@code slots} empty registered-file slots: sparse registration on 5.19+, a table of -1 on
     * older kernels.
     *
     * @param slots the number of slots
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void registerFilesSparse(int slots) throws UringException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reg = scratch.allocate(io_uring_rsrc_register.layout());
            io_uring_rsrc_register.nr(reg, slots);
            io_uring_rsrc_register.flags(reg, LinuxUring.IORING_RSRC_REGISTER_SPARSE());
            try {
                register(RegisterOp.FILES2, reg.address(), (int) io_uring_rsrc_register.sizeof(),
                        "FILES2 sparse, nr=" + slots);
            } catch (UringException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                MemorySegment fds = scratch.allocate(JAVA_INT, slots);
                fds.fill((byte) 0xff);
                register(RegisterOp.FILES, fds.address(), slots, "FILES, nr=" + slots);
            }
        }
    }

    /**
     * Puts file descriptor {@code fdToRegister} into slot {@code slot}; -1 empties the slot.
     *
     * @param slot the slot index
     * @param fdToRegister the descriptor to register
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void updateFile(int slot, int fdToRegister) throws UringException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment fds = scratch.allocate(JAVA_INT);
            fds.set(JAVA_INT, 0, fdToRegister);
            MemorySegment upd = scratch.allocate(io_uring_files_update.layout());
            io_uring_files_update.offset(upd, slot);
            io_uring_files_update.fds(upd, fds.address());
            int ret = register(RegisterOp.FILES_UPDATE, upd.address(), 1,
                    "FILES_UPDATE, slot=" + slot + ", fd=" + fdToRegister);
            if (ret != 1) {
                throw new UringException("io_uring_register(fd=" + fd + ", FILES_UPDATE, slot=" + slot + ")",
                        Errno.EINVAL, "updated " + ret + " slots instead of 1");
            }
        }
    }

    /**
     * Unregisters all files.
     *
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void unregisterFiles() throws UringException {
        register(RegisterOp.UNREGISTER_FILES, 0, 0, "UNREGISTER_FILES");
    }

    // ---- lifetime ----

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ring fd=" + fd + " is closed");
        }
    }

    /**
     * Unmaps the queues and closes the ring fd; the kernel cancels what is still in flight. Idempotent.
     * After {@link #registerRingFd()}, call it on the thread that registered: that registration holds the ring
     * open until it is dropped here, or until that thread exits.
     *
     * @throws IllegalStateException if another thread is inside a call on this ring right now
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        arena.close();
        closed = true;
        if (ringFdOwner == Thread.currentThread()) {
            unregisterRingFd();
        }
        Syscalls.close(Syscalls.threadCallState(), fd);
    }

    /**
     * Drops the calling thread's registration of the ring fd, without which closing the fd would not free the
     * ring (its memory, pinned buffers and registered files). Best effort: a failure leaves the ring to be
     * freed when the thread exits, which is all close could do about it anyway.
     */
    private void unregisterRingFd() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment upd = scratch.allocate(io_uring_rsrc_update.layout());
            io_uring_rsrc_update.offset(upd, enterFd);
            Syscalls.ioUringRegister(Syscalls.threadCallState(), fd, UNREGISTER_RING_FDS, upd.address(), 1);
        }
    }

    @Override
    public String toString() {
        return "Ring[fd=" + fd + ", sqEntries=" + sq.capacity() + ", cqEntries=" + cq.capacity() + ", sqe=" + sqeSize
                + "B, cqe=" + cqeSize + "B, flags=" + SetupFlag.describe(flags) + (closed ? ", closed" : "") + "]";
    }
}
