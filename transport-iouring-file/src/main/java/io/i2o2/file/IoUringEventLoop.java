package io.i2o2.file;

import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.KernelTimespec;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Probe;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingWaker;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.Statx;
import io.i2o2.uring.UringException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event executor that owns one io_uring ring and completes the IO submitted to it from any thread.
 *
 * <p>It is an ordinary {@link io.netty.util.concurrent.EventExecutor}: handlers can run on it
 * ({@code pipeline.addLast(group, handler)}), tasks and scheduled tasks work, and
 * {@link #shutdownGracefully()} drains it. Its thread spends its time in one loop: write the operations
 * handed over by other threads into SQEs, submit, reap CQEs and complete their promises, run tasks, and
 * wait in {@code io_uring_enter} only when nothing is left to do. Operations submitted on this thread
 * (from a listener, a handler, a task) go straight into the SQ.
 *
 * <p>File operations live on {@link IoUringFile}; this class offers the ones that need no open file.
 * Loops come from an {@link IoUringFileEventLoopGroup} (64-byte SQEs) or an
 * {@link IoUringPassthroughEventLoopGroup} (128-byte SQEs for {@code uring_cmd}).
 */
public final class IoUringEventLoop extends SingleThreadEventExecutor {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(IoUringEventLoop.class);
    /** Page-sized ranges only, and only advice that cannot destroy data the JVM still uses. */
    private static final Set<Integer> SAFE_MADVICE = Set.of(Linux.MADV_NORMAL, Linux.MADV_RANDOM,
            Linux.MADV_SEQUENTIAL, Linux.MADV_WILLNEED, Linux.MADV_COLD, Linux.MADV_POPULATE_READ);
    private static final long PAGE = 4096;

    private final IoUringConfig config;
    private final boolean passthrough;
    private final int cpu;
    private final Ring ring;
    private final int sqCapacity;
    private final Probe probe;
    private final OpTable table;
    private final OpCompleter completer;
    private final Submitter submitter;
    private final FixedBufferPool fixedBuffers;
    private final FixedFileSlots fixedFiles;
    private final LoopFailure failures;
    private volatile RingWaker waker;
    /** When a graceful shutdown stops waiting for in-flight ops and cancels them ({@link System#nanoTime}). */
    private volatile long shutdownDeadline = Long.MAX_VALUE;
    private boolean cancelledAtDeadline;

    IoUringEventLoop(IoUringEventLoopGroup parent, Executor executor, IoUringConfig config, boolean passthrough,
                     int cpu) throws UringException {
        super(parent, executor, false, PlatformDependent.newMpscQueue(), RejectedExecutionHandlers.reject());
        this.config = config;
        this.passthrough = passthrough;
        this.cpu = cpu;
        // Created here, on the caller's thread, so a kernel that refuses fails the group's constructor; it
        // starts disabled and the loop thread enables it, becoming its single issuer.
        this.ring = Ring.open(config.ringParams(passthrough));
        try {
            this.sqCapacity = ring.sq().capacity();
            this.probe = ring.probe();
            this.table = new OpTable(config.maxInFlight());
            this.completer = new OpCompleter(this, table);
            this.submitter = new Submitter(this, table, ring, completer);
            completer.init(submitter);
            this.failures = new LoopFailure(this, ring, table, submitter, completer);
            this.fixedBuffers = config.fixedBufferCount() > 0
                    ? new FixedBufferPool(this, config.fixedBufferCount(), config.fixedBufferSize()) : null;
            this.fixedFiles = new FixedFileSlots(config.fixedFileSlots());
        } catch (UringException | RuntimeException | Error e) {
            // The probe is a system call too: a refusal must not leave the ring's fd and mappings behind.
            ring.close();
            throw e;
        }
    }

    // ---- what this loop is ----

    /** Whether this loop's ring has 128-byte SQEs and 32-byte CQEs ({@code uring_cmd} passthrough). */
    public boolean isPassthrough() {
        return passthrough;
    }

    /** The setup flags the ring runs with. */
    public Set<SetupFlag> ringFlags() {
        return ring.flags();
    }

    /** Preferred flags this kernel lacks, which the ring runs without. */
    public Set<SetupFlag> droppedRingFlags() {
        return ring.droppedFlags();
    }

    /** The opcodes this kernel supports. */
    public Probe probe() {
        return probe;
    }

    /** How other threads wake this loop: {@code "msg_ring"} or {@code "eventfd"} (null before it started). */
    public String wakeMechanism() {
        RingWaker w = waker;
        return w == null ? null : w.mechanism();
    }

    /** The most operations this loop holds at once, queued or in flight. */
    public int maxInFlight() {
        return table.capacity();
    }

    /** Operations accepted and not yet completed, right now. */
    public int pendingOps() {
        return table.inUse();
    }

    /**
     * This loop's registered buffers.
     *
     * @throws IllegalStateException if the group was configured without {@link IoUringConfig.Builder#fixedBuffers}
     */
    public FixedBufferPool fixedBuffers() {
        if (fixedBuffers == null) {
            throw new IllegalStateException("no registered buffers: configure IoUringConfig.builder().fixedBuffers()");
        }
        return fixedBuffers;
    }

    FixedBufferPool fixedBuffersOrNull() {
        return fixedBuffers;
    }

    // ---- the loop ----

    @Override
    protected void run() {
        try {
            start();
            for (;;) {
                int work = submitter.drain();
                failures.check();
                ring.submitAndWait(0);
                work += ring.reap(completer, Integer.MAX_VALUE);
                if (runAllTasks()) {
                    work++;
                }
                if (isShuttingDown()) {
                    submitter.stopAccepting();
                    if (!submitter.drained() && !cancelledAtDeadline && System.nanoTime() - shutdownDeadline > 0) {
                        // The graceful timeout is over: ask the kernel to cancel what is still running.
                        cancelledAtDeadline = true;
                        submitter.cancelAllInFlight();
                    }
                    if (submitter.drained() && confirmShutdown()) {
                        return;
                    }
                }
                failures.check();
                if (work == 0) {
                    park();
                }
            }
        } catch (Throwable t) {
            failures.die(t);
            throw t instanceof RuntimeException re ? re : new IllegalStateException(this + " died", t);
        }
    }

    /** What only the loop thread may do: become the ring's submitter and set up what hangs off the ring. */
    private void start() throws UringException {
        if (cpu >= 0) {
            FileDescriptors.pinCurrentThread(cpu);
        }
        ring.enable();
        ring.registerRingFd();
        long wakeUserData = OpTable.KIND_WAKE << 60;
        RingWaker w = config.eventFdWakeup() ? RingWaker.eventFd(wakeUserData)
                : RingWaker.open(ring, wakeUserData, config.ringParams(passthrough).faults());
        completer.setWaker(w);
        submitter.setWaker(w);
        waker = w;
        if (fixedBuffers != null) {
            fixedBuffers.register(ring);
        }
        if (fixedFiles.capacity() > 0) {
            ring.registerFilesSparse(fixedFiles.capacity());
        }
    }

    /** Waits in the kernel until a CQE, a wake-up or the next scheduled task, unless work arrived meanwhile. */
    private void park() throws UringException {
        long timeout = -1;
        long deadline = nextScheduledTaskDeadlineNanos();
        if (deadline != -1) {
            timeout = deadline - getCurrentTimeNanos();
            if (timeout <= 0) {
                return;
            }
        }
        if (isShuttingDown() && !cancelledAtDeadline) {
            long untilCancel = shutdownDeadline - System.nanoTime();
            if (untilCancel <= 0) {
                return;
            }
            timeout = timeout < 0 ? untilCancel : Math.min(timeout, untilCancel);
        }
        if (spinForWork(timeout)) {
            return;
        }
        if (!submitter.prepareToPark()) {
            return;
        }
        try {
            if (!hasTasks() && ring.cq().ready() == 0 && waker.arm(ring.sq())) {
                ring.submitAndWait(1, timeout);
            }
        } finally {
            submitter.unparked();
        }
    }

    /**
     * Stops taking operations, lets those in flight finish for up to {@code timeout}, then asks the kernel to
     * cancel the rest; every buffer is released as its CQE arrives, then the ring closes.
     */
    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(Math.max(timeout, 0));
        if (shutdownDeadline == Long.MAX_VALUE) {
            shutdownDeadline = deadline;
        }
        return super.shutdownGracefully(quietPeriod, timeout, unit);
    }

    /** Shuts down without waiting: in-flight operations are cancelled at once. */
    @Override
    @Deprecated
    public void shutdown() {
        shutdownDeadline = System.nanoTime();
        super.shutdown();
    }

    /**
     * Watches for handed-over ops and tasks for up to {@link IoUringConfig#spinNanos()} (never past
     * {@code timeout}, the next timer): when submitters are busy, the next op usually arrives within
     * microseconds, and catching it here spares them the wake-up call and the loop a sleep.
     *
     * @return whether work arrived
     */
    private boolean spinForWork(long timeout) {
        long spin = timeout < 0 ? config.spinNanos() : Math.min(config.spinNanos(), timeout);
        if (spin <= 0) {
            return false;
        }
        long start = System.nanoTime();
        do {
            if (table.hasHandedOver() || hasTasks()) {
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - start < spin);
        return false;
    }

    @Override
    protected void wakeup(boolean inEventLoop) {
        if (!inEventLoop) {
            submitter.wakeIfParked();
        }
    }

    @Override
    protected void cleanup() {
        RingWaker w = waker;
        if (w != null) {
            w.close();
        }
        ring.close();
        if (!failures.hasFailed()) {
            table.closeScratch();
        }
    }

    /** A ring call failed in a way the loop cannot recover from: see {@link LoopFailure#record}. */
    void ringFailed(UringException e) {
        failures.record(e);
    }

    /** Whether the loop has started dying (its ring failed). */
    boolean hasFailed() {
        return failures.hasFailed();
    }

    /** Whether the loop died and no longer takes ops off the hand-over queue. */
    boolean isDead() {
        return failures.isDead();
    }

    /** See {@link LoopFailure#failHandedOverAfterDeath()}. */
    void failHandedOverAfterDeath() {
        failures.failHandedOverAfterDeath();
    }

    // ---- submission (for IoUringFile and the ops below) ----

    OpSlot claim(IoUringFile file, Object target, boolean blocking) {
        if (blocking && ThreadExecutorMap.currentExecutor() != null) {
            // Refused whether or not the loop is full right now: a misuse must fail every time, not under load.
            fail(target, new IllegalStateException("a blocking submit would block the event loop "
                    + ThreadExecutorMap.currentExecutor() + "; use the non-blocking methods"));
            return null;
        }
        OpSlot op = submitter.claim(file);
        if (op == null && blocking) {
            op = claimBlocking(file);
        }
        if (op == null) {
            fail(target, submitter.refusal(file));
            return null;
        }
        if (target instanceof IoPromise<?> p) {
            p.bind(op);
        }
        return op;
    }

    /** Waits for a free slot; null once the loop stops accepting, the file closes or the thread is interrupted. */
    private OpSlot claimBlocking(IoUringFile file) {
        for (;;) {
            if (!submitter.isAccepting() || (file != null && !file.isOpen())) {
                return null;
            }
            // The bound on the wait only catches a close or shutdown that nobody signals.
            if (!table.awaitRoom(TimeUnit.MILLISECONDS.toNanos(100))) {
                return null;
            }
            OpSlot op = submitter.claim(file);
            if (op != null) {
                return op;
            }
        }
    }

    /** Fails a promise, or throws at a callback's submitter: there is no promise to carry the error. */
    static void fail(Object target, Throwable cause) {
        if (target instanceof Promise<?> p) {
            p.tryFailure(cause);
        } else if (cause instanceof RuntimeException re) {
            throw re;
        } else {
            throw new IllegalStateException(cause);
        }
    }

    void submit(OpSlot op) {
        submitter.submit(op);
    }

    void abandon(OpSlot op) {
        submitter.abandon(op);
    }

    /** Fails a claimed chain that never reached the loop, releasing what its links pinned. */
    void failUnsubmitted(OpSlot head, Throwable cause) {
        completer.fail(head, cause);
    }

    int sqCapacity() {
        return sqCapacity;
    }

    void cancelOp(int slot, int generation) {
        if (inEventLoop()) {
            submitter.cancel(slot, generation);
        } else {
            try {
                execute(() -> submitter.cancel(slot, generation));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Shut down: the op completes with everything else as the loop drains.
            }
        }
    }

    /** A promise whose listeners run on this loop, or on Netty's global executor once it has shut down. */
    @Override
    public <V> Promise<V> newPromise() {
        return new IoPromise<>(this);
    }

    /** A failed future whose listeners run on this loop, or on Netty's global executor once it has shut down. */
    @Override
    public <V> Future<V> newFailedFuture(Throwable cause) {
        return new IoPromise<V>(this).setFailure(cause);
    }

    /** A succeeded future whose listeners run on this loop, or on Netty's global executor once it has shut down. */
    @Override
    public <V> Future<V> newSucceededFuture(V result) {
        return new IoPromise<V>(this).setSuccess(result);
    }

    IntPromise newIntPromise() {
        return new IntPromise(this);
    }

    <V> IoPromise<V> newIoPromise() {
        return new IoPromise<>(this);
    }

    /** Turns a descriptor that OPENAT returned into a file of this loop; runs on the loop thread. */
    IoUringFile adoptOpened(int fd, int flags, boolean register) {
        int slot = -1;
        try {
            if (register) {
                slot = fixedFiles.take();
                if (slot < 0) {
                    throw new IllegalStateException("all " + fixedFiles.capacity() + " registered-file slots in use");
                }
                ring.updateFile(slot, fd);
            }
            Statx alignment = (flags & Linux.O_DIRECT) != 0 ? Statx.ofFd(fd) : null;
            return new IoUringFile(this, fd, slot, flags, alignment, true);
        } catch (Exception e) {
            if (slot >= 0) {
                fixedFiles.give(slot);
            }
            closeQuietly(fd);
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    /** Frees a file's registered slot; loop thread. */
    void unregisterFile(int slot) {
        try {
            ring.updateFile(slot, -1);
        } catch (UringException e) {
            logger.warn("{}: could not empty registered-file slot {}", this, slot, e);
        }
        fixedFiles.give(slot);
    }

    static void closeQuietly(int fd) {
        try {
            FileDescriptors.close(fd);
        } catch (UringException e) {
            logger.warn("close({}) failed", fd, e);
        }
    }

    // ---- operations that need no open file ----

    /** A no-op through the ring: completes with 0. */
    public IntFuture nop() {
        IntPromise p = newIntPromise();
        OpSlot op = claim(null, p, false);
        if (op != null) {
            op.kind = OpKind.NOP;
            op.target = p;
            submit(op);
        }
        return p;
    }

    /** A no-op that reports to {@code callback} (result 0) and allocates nothing. */
    public void nop(IoCallback callback, long tag) {
        OpSlot op = claim(null, Objects.requireNonNull(callback, "callback"), false);
        op.kind = OpKind.NOP;
        op.target = callback;
        op.tag = tag;
        submit(op);
    }

    /**
     * Opens a file ({@code openat(2)} through the ring). With no options, opens for reading. Supports the
     * {@link java.nio.file.StandardOpenOption}s READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING,
     * SYNC, DSYNC, {@link java.nio.file.LinkOption#NOFOLLOW_LINKS}, and {@link IoUringOpenOption}s.
     * New files get mode 0644.
     */
    public Future<IoUringFile> open(Path path, OpenOption... options) {
        return open(path, Set.of(options), 0644);
    }

    /** Opens a file with the given options and creation mode (e.g. {@code 0600}). */
    public Future<IoUringFile> open(Path path, Set<? extends OpenOption> options, int mode) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        IoPromise<IoUringFile> p = newIoPromise();
        int flags;
        boolean register;
        try {
            flags = OpenFlags.of(options);
            register = options.contains(IoUringOpenOption.REGISTER);
            if (register && fixedFiles.capacity() == 0) {
                throw new IllegalArgumentException("REGISTER needs registered-file slots: configure "
                        + "IoUringConfig.builder().fixedFileSlots(n)");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            p.setFailure(e);
            return p;
        }
        OpSlot op = claim(null, p, false);
        if (op != null) {
            op.kind = OpKind.OPENAT;
            op.fd = Linux.AT_FDCWD;
            op.memory = PathMemory.of(path);
            op.addr = op.memory.address();
            op.arg = flags;
            op.arg2 = mode;
            op.len = register ? 1 : 0;
            op.target = p;
            submit(op);
        }
        return p;
    }

    /** {@code statx(2)} of a path, following symbolic links. */
    public Future<Statx> stat(Path path) {
        return pathOp(OpKind.STATX, path, null, 0, 0);
    }

    /** Deletes a file ({@code unlinkat(2)}). */
    public IntFuture delete(Path path) {
        return pathOp(OpKind.UNLINKAT, path, null, 0, 0);
    }

    /** Deletes an empty directory ({@code unlinkat(2)} with {@code AT_REMOVEDIR}). */
    public IntFuture deleteDirectory(Path path) {
        return pathOp(OpKind.UNLINKAT, path, null, Linux.AT_REMOVEDIR, 0);
    }

    /** Creates a directory ({@code mkdirat(2)}) with the given mode, e.g. {@code 0755}. */
    public IntFuture createDirectory(Path path, int mode) {
        return pathOp(OpKind.MKDIRAT, path, null, mode, 0);
    }

    /** Renames {@code from} to {@code to} ({@code renameat2(2)}); {@code flags}: {@link Linux#RENAME_NOREPLACE}... */
    public IntFuture rename(Path from, Path to, int flags) {
        return pathOp(OpKind.RENAMEAT, from, Objects.requireNonNull(to, "to"), flags, 0);
    }

    @SuppressWarnings("unchecked")
    private <F extends Future<?>> F pathOp(OpKind kind, Path path, Path second, int arg, int arg2) {
        Objects.requireNonNull(path, "path");
        IoPromise<?> p = kind.result() == OpKind.Result.INT ? newIntPromise() : newIoPromise();
        OpSlot op = claim(null, p, false);
        if (op != null) {
            MemorySegment paths = second == null ? PathMemory.of(path) : PathMemory.of(path, second);
            op.kind = kind;
            op.memory = paths;
            op.fd = Linux.AT_FDCWD;
            op.addr = paths.address();
            op.addr2 = second == null ? 0 : paths.address() + PathMemory.secondOffset(paths);
            op.arg = arg;
            op.arg2 = arg2;
            op.target = p;
            submit(op);
        }
        return (F) p;
    }

    /** Completes after {@code delay} ({@code IORING_OP_TIMEOUT}): a timer without a scheduled task. */
    public Future<Void> timeout(long delay, TimeUnit unit) {
        IoPromise<Void> p = newIoPromise();
        long nanos = unit.toNanos(delay);
        if (nanos < 0) {
            p.setFailure(new IllegalArgumentException("delay must be >= 0: " + delay));
            return p;
        }
        OpSlot op = claim(null, p, false);
        if (op != null) {
            op.kind = OpKind.TIMEOUT;
            KernelTimespec.write(op.scratch, nanos);
            op.target = p;
            submit(op);
        }
        return p;
    }

    /**
     * {@code madvise(2)} on page-aligned memory, for advice that cannot lose data ({@code NORMAL, RANDOM,
     * SEQUENTIAL, WILLNEED, COLD, POPULATE_READ}); others fail with {@link IllegalArgumentException}. The
     * segment must stay alive until the future completes.
     */
    public IntFuture madvise(MemorySegment memory, int advice) {
        Objects.requireNonNull(memory, "memory");
        IntPromise p = newIntPromise();
        if (!SAFE_MADVICE.contains(advice)) {
            p.setFailure(new IllegalArgumentException("madvise advice " + advice + " is not one of the safe ones "
                    + "(NORMAL, RANDOM, SEQUENTIAL, WILLNEED, COLD, POPULATE_READ)"));
        } else if (memory.address() % PAGE != 0 || memory.byteSize() % PAGE != 0 || memory.byteSize() == 0
                || memory.byteSize() > Integer.MAX_VALUE) {
            p.setFailure(new IllegalArgumentException("madvise needs whole pages: " + memory));
        } else if (!memory.scope().isAlive()) {
            p.setFailure(new IllegalStateException("madvise on memory that is already freed"));
        } else {
            OpSlot op = claim(null, p, false);
            if (op != null) {
                op.kind = OpKind.MADVISE;
                op.addr = memory.address();
                op.len = (int) memory.byteSize();
                op.arg = advice;
                op.target = p;
                submit(op);
            }
        }
        return p;
    }

    /**
     * Submits an SQE for an opcode this library does not wrap. {@code filler} writes it on the loop thread;
     * {@code guard} (may be null) is kept until the CQE arrives, then released if it is reference counted or
     * closed if it is {@link AutoCloseable}. The future completes with the CQE's {@code res} (negative: the
     * kernel's -errno, as a failed future). Unchecked: addresses written by the filler are yours to keep valid.
     */
    public IntFuture submitRaw(SqeFiller filler, Object guard) {
        Objects.requireNonNull(filler, "filler");
        IntPromise p = newIntPromise();
        OpSlot op = claim(null, p, false);
        if (op != null) {
            op.kind = OpKind.RAW;
            op.filler = filler;
            op.pin = guard;
            op.target = p;
            submit(op);
        } else if (guard instanceof io.netty.util.ReferenceCounted rc) {
            // Not accepted: the guard was handed to us, so it is ours to release.
            rc.release();
        }
        return p;
    }

    /** Starts a chain of linked operations: each starts when the one before succeeded ({@code IOSQE_IO_LINK}). */
    public LinkedOps link() {
        return new LinkedOps(this);
    }

    /** Whether the kernel supports an opcode; fails the promise naming the kernel release if not. */
    boolean requireOpcode(int opcode, Promise<?> p) {
        if (probe.supports(opcode)) {
            return true;
        }
        fail(p, new UnsupportedOperationException("this kernel lacks IORING_OP_" + Opcode.name(opcode)
                + " (added in Linux " + Opcode.since(opcode) + ")"));
        return false;
    }

    @Override
    public String toString() {
        return (passthrough ? "IoUringPassthroughEventLoop" : "IoUringFileEventLoop") + "[ring fd=" + ring.fd()
                + ", flags=" + SetupFlag.describe(ring.flags()) + "]";
    }
}
