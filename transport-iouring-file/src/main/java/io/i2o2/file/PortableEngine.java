package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelTimespec;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Probe;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.SqeFlags;
import io.i2o2.uring.SqeSyscalls;
import io.netty.channel.IoEventLoop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * The portable engine: no io_uring. Each op is encoded into an SQE exactly as for a ring ({@link OpKind#encode}),
 * and a worker thread ({@link PortableWorkers}) runs the blocking system call that SQE stands for
 * ({@link SqeSyscalls}), so results and errnos are what the ring would give; the result comes back to the
 * loop thread, where the op completes as from a CQE. NOPs and timers need no worker: they complete on the loop.
 * Nor do what io_uring itself does inline before its workers, where it cannot wait ({@link #tryOnLoop}): a
 * buffered read of cached data, an open from the dentry cache, a stat of an open file.
 *
 * <p>It runs on any Netty {@link IoEventLoop}: as the engine of this library's own portable loops
 * ({@link PortableIoHandler}), and attached to a loop of another transport (NIO, epoll, or Netty's io_uring when
 * this library may not use io_uring), where completions come back as tasks of that loop, so a channel handler's
 * file reads complete on the channel's own loop.
 *
 * <p>What a worker reads of an op is only its encoded entry and a few per-slot words copied at {@link #put}
 * (published to the worker through the hand-over queue); it never touches the {@link OpSlot}. A chain's links
 * run one after the other on one worker; a link that fails (or a read or write that moves fewer bytes than
 * asked) cancels the rest of an {@code IO_LINK} chain with {@code -ECANCELED}, as the kernel does.
 *
 * <p>Cancellation: the queue to the workers is not yet the kernel, so an op goes through its gate
 * ({@link Target#enterRing}) when a worker takes it ({@link EngineTraits#gatesAtStart}): until then
 * {@code cancel()} is true and the worker that takes it skips it with {@code -ECANCELED} (a shutdown's cancel of
 * what waits for a worker does the same); one a worker runs completes as it will, since nothing interrupts a
 * blocking system call from Java.
 */
final class PortableEngine implements Engine {
    private static final System.Logger logger = System.getLogger(PortableEngine.class.getName());
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle COMPLETIONS_SCHEDULED;
    private static final VarHandle COMPLETING;
    /** Per slot: waits for a worker. */
    private static final int QUEUED = 1;
    /** Per slot: a worker runs its system call. */
    private static final int RUNNING = 2;
    /** Per slot: cancelled before a worker took it; the worker skips it. */
    private static final int CANCELLED = 3;
    /** An SQE as big as a 128-byte ring's, so that a {@code uring_cmd}'s 80-byte command fits. */
    private static final int ENTRY_BYTES = 128;
    private static final AtomicInteger ENGINES = new AtomicInteger();
    private static final Probe PROBE = Probe.of(opcode -> SqeSyscalls.runs(opcode) || opcode == Opcode.TIMEOUT
            || opcode == Opcode.LINK_TIMEOUT || opcode == Opcode.NOP);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COMPLETIONS_SCHEDULED = l.findVarHandle(PortableEngine.class, "completionsScheduled", int.class);
            COMPLETING = l.findVarHandle(PortableEngine.class, "completing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoEventLoop loop;
    private final String name;
    /** The loop's core, which this is the engine of: called back only as its {@link EngineHost}. */
    private final EngineHost core;
    private final FileIoCore fileIo;
    /** The core's slots: read by a worker only to take an op through its gate ({@link #enterGate}). */
    private final OpTable table;
    private final EngineTraits traits;
    private final PortableWorkers workers;

    // Per slot, written by the loop thread at put() and read by the worker after the hand-over.
    /** The op's encoded entry: what its worker runs. */
    private final Sqe[] entries;
    private final OpKind[] kinds;
    /** The next link of a chain, or -1. */
    private final int[] next;
    /** Whether the link is an {@code IO_HARDLINK}: its failure does not cancel the rest. */
    private final boolean[] hardLink;
    /** The bytes a plain read or write asks for (fewer breaks a chain), or -1. */
    private final int[] expected;
    /** A timer's or link timeout's time. */
    private final long[] timeoutNanos;
    /** {@link #QUEUED}, {@link #RUNNING} or {@link #CANCELLED}: the race of a canceller and a worker. */
    private final int[] state;
    /** Whether the loop took the op through its gate already (it tried the read without waiting first). */
    private final boolean[] gatePassed;

    // Per slot, the outcome, written by whoever completes (a worker) before the index goes into done.
    private final int[] generations;
    private final int[] results;
    private final long[] extras;
    /** Slots whose outcome waits for the loop, from workers, timers and cancellations. */
    private final MpmcIntQueue done;
    /** Per slot: a standalone timer's scheduled expiry. Loop thread. */
    private final ScheduledFuture<?>[] timers;

    /** Registered files, emulated: slot to descriptor, -1 when empty. Written by the loop, read by workers. */
    private final int[] fixedFds;
    private final FixedFileSlots fixedSlots;
    private final IntUnaryOperator fixedFileLookup;

    private final Runnable completionTask = this::completionsOnLoop;
    private final LoopDrain drain;
    @SuppressWarnings("unused")
    private volatile int completionsScheduled;
    @SuppressWarnings("unused")
    private volatile int completing;
    /** Set once the loop will run no more tasks: whoever hands a result back from then on completes it. */
    private volatile boolean loopEnded;
    /** The loop thread's own system calls (reads tried without waiting); made on first use. Loop thread. */
    private SqeSyscalls loopCalls;
    /** The chain {@link #reserve} announced. Loop thread. */
    private int reservedHead;
    private int reservedLinks;

    /**
     * An engine for {@code loop} with {@code settings}; the core it makes is {@link #core()}.
     *
     * @param ownLoop whether the loop is this library's own ({@link PortableIoHandler}): its shutdown waits
     *                for the ops; else a loop of another transport, whose shutdown does not
     */
    PortableEngine(IoEventLoop loop, PortableSettings settings, boolean ownLoop) {
        this.loop = loop;
        this.name = "i2o2-portable-" + ENGINES.incrementAndGet();
        int capacity = settings.maxInFlight();
        this.entries = new Sqe[capacity];
        MemorySegment memory = Arena.ofAuto().allocate((long) capacity * ENTRY_BYTES, 64);
        for (int i = 0; i < capacity; i++) {
            entries[i] = Sqe.detached(memory.asSlice((long) i * ENTRY_BYTES, ENTRY_BYTES), ENTRY_BYTES);
        }
        this.kinds = new OpKind[capacity];
        this.next = new int[capacity];
        this.hardLink = new boolean[capacity];
        this.expected = new int[capacity];
        this.timeoutNanos = new long[capacity];
        this.state = new int[capacity];
        this.gatePassed = new boolean[capacity];
        this.generations = new int[capacity];
        this.results = new int[capacity];
        this.extras = new long[capacity];
        this.done = new MpmcIntQueue(capacity);
        this.timers = new ScheduledFuture<?>[capacity];
        this.fixedSlots = new FixedFileSlots(settings.fixedFileSlots());
        this.fixedFds = new int[settings.fixedFileSlots()];
        java.util.Arrays.fill(fixedFds, -1);
        this.fixedFileLookup = slot -> slot >= 0 && slot < fixedFds.length ? fixedFds[slot] : -1;
        this.traits = new EngineTraits(IoEngine.PORTABLE, Set.of(), Set.of(), capacity, settings.fixedBuffers(),
                settings.fixedFileSlots(), Map.of(EngineFeature.RAW_SQES, NO_RAW_SQES,
                EngineFeature.ANY_URING_CMD, ONLY_NVME_URING_CMDS), settings.raiseBound());
        this.workers = new PortableWorkers(this, name, settings.workers(), capacity);
        // The loop's own ops go in at once: the engine has no turn of the loop to drain in.
        this.fileIo = new FileIoCore(loop, this, capacity, true, Integer.MAX_VALUE);
        this.core = fileIo;
        this.table = fileIo.table();
        this.drain = new LoopDrain(loop, core);
        EngineSelection.tellPortable(this);
    }

    /** Why a raw SQE is refused here. */
    static final String NO_RAW_SQES = "raw SQEs need io_uring, and this loop runs the portable engine (blocking "
            + "system calls on worker threads, where io_uring is unavailable or switched off): use the file API's "
            + "own operations, which run on every engine";

    /**
     * Why a {@code uring_cmd} other than NVMe's I/O and admin passthrough is refused here (after the command's
     * {@code cmd_op}, which {@link FileIoCore#uringCmdRefusal} puts first).
     */
    static final String ONLY_NVME_URING_CMDS = "no system call does this command, and this loop runs the portable "
            + "engine (blocking system calls on worker threads, where io_uring is unavailable or switched off), which "
            + "runs a uring_cmd only as the NVMe driver's passthrough ioctl on the same device: NVME_URING_CMD_IO, "
            + "NVME_URING_CMD_IO_VEC and NVME_URING_CMD_ADMIN (NVME_IOCTL_IO64_CMD, NVME_IOCTL_IO64_CMD_VEC, "
            + "NVME_IOCTL_ADMIN64_CMD); NVME_URING_CMD_ADMIN_VEC, socket and other drivers' commands need io_uring: "
            + "run them on a loop of an IoUringPassthroughEventLoopGroup where io_uring is available";

    /** The core this engine runs. */
    FileIoCore core() {
        return fileIo;
    }

    /** The worker threads. */
    PortableWorkers workers() {
        return workers;
    }

    /**
     * The core of {@code loop}, a loop of another transport: made, published and started on first use (its
     * start is a task on the loop; ops handed over meanwhile wait for it).
     */
    static FileIoCore attach(IoEventLoop loop) {
        synchronized (PortableEngine.class) {
            FileIoCore existing = CoreRegistry.of(loop);
            if (existing != null) {
                return existing;
            }
            PortableEngine engine = new PortableEngine(loop, PortableSettings.forForeignLoop(), false);
            CoreRegistry.publish(engine.fileIo);
            try {
                loop.execute(engine::startOnLoop);
            } catch (RejectedExecutionException e) {
                engine.core.couldNotStart(e);
                return engine.fileIo;
            }
            loop.terminationFuture().addListener(f -> engine.foreignLoopGone());
            return engine.fileIo;
        }
    }

    /** Loop thread: the core takes ops from now on; what waits is written. */
    void startOnLoop() {
        core.started();
        core.drain();
    }

    // ---- Engine: what this engine is ----

    @Override
    public EngineTraits traits() {
        return traits;
    }

    @Override
    public Probe probe() {
        return PROBE;
    }

    @Override
    public WakeMechanism wakeMechanism() {
        return WakeMechanism.NETTY;
    }

    @Override
    public int workerThreads() {
        return workers.alive();
    }

    @Override
    public long cqOverflows() {
        return 0;
    }

    // ---- Engine: ops ----

    @Override
    public boolean reserve(OpSlot head, int links) {
        reservedHead = head.index;
        reservedLinks = links;
        return true;
    }

    @Override
    public void put(OpSlot op) {
        int i = op.index;
        generations[i] = op.generation;
        OpKind kind = op.kind;
        if (kind == OpKind.RAW) {
            throw new UnsupportedOperationException(NO_RAW_SQES);
        }
        if (reservedLinks == 1 && (kind == OpKind.NOP || kind == OpKind.TIMEOUT)) {
            // No worker: the op starts now, so it goes through its gate now (a timer cancelled later is stopped
            // by cancel(), as the kernel stops a ring's).
            if (!op.enterRing()) {
                handBack(i, -Errno.ECANCELED, 0);
            } else if (kind == OpKind.NOP) {
                handBack(i, 0, 0);
            } else {
                startTimer(i, op.generation, KernelTimespec.read(op.scratch));
            }
            return;
        }
        Sqe sqe = entries[i];
        sqe.clear();
        kind.encode(sqe, op);
        if (op.fixedFile) {
            sqe.addFlags(SqeFlags.FIXED_FILE);
        }
        gatePassed[i] = false;
        if (reservedLinks == 1) {
            int res = tryOnLoop(op, sqe);
            if (res == WOULD_WAIT) {
                gatePassed[i] = true;
            } else if (res != NOT_TRIED) {
                STATE.set(state, i, RUNNING);
                handBack(i, res, 0);
                return;
            }
        }
        kinds[i] = kind;
        next[i] = op.next;
        hardLink[i] = (op.sqeFlags & SqeFlags.IO_HARDLINK) != 0;
        expected[i] = expectedCount(op);
        if (kind == OpKind.TIMEOUT || kind == OpKind.LINK_TIMEOUT) {
            timeoutNanos[i] = KernelTimespec.read(op.scratch);
        }
        STATE.set(state, i, QUEUED);     // published with the rest by the hand-over's release
        if (op.next < 0) {
            workers.submit(reservedHead);
        }
    }

    /**
     * Worker thread: runs the chain headed by slot {@code head}, link after link, handing each result back.
     * Reads nothing of a link after handing its result back: from then on the loop may reuse its slot.
     */
    void runChain(int head, SqeSyscalls calls) {
        boolean broken = false;
        long lastElapsed = 0;
        for (int i = head; i >= 0; ) {
            int following = next[i];
            OpKind kind = kinds[i];
            int res;
            long extra = 0;
            if (broken || !STATE.compareAndSet(state, i, QUEUED, RUNNING) || (!gatePassed[i] && !enterGate(i))) {
                res = -Errno.ECANCELED;
            } else if (kind == OpKind.LINK_TIMEOUT) {
                // It bounds the link before it, which ran to its end (a blocking call cannot be stopped): the
                // timer "fired" if that link took longer, else the link "finished first".
                res = lastElapsed > timeoutNanos[i] ? -Errno.ETIME : -Errno.ECANCELED;
            } else if (kind == OpKind.TIMEOUT) {
                sleep(timeoutNanos[i]);
                res = -Errno.ETIME;
            } else {
                long start = System.nanoTime();
                res = calls.run(entries[i], fixedFileLookup);
                extra = calls.extra0();
                lastElapsed = System.nanoTime() - start;
            }
            boolean breaks = !hardLink[i] && (!kind.succeeded(res) || (expected[i] >= 0 && res != expected[i]));
            if (kind == OpKind.LINK_TIMEOUT) {
                breaks = false;     // its own outcome says nothing about the chain
            }
            handBack(i, res, extra);
            broken |= breaks;
            i = following;
        }
    }

    /** {@link #tryOnLoop}: not an op the loop tries; nothing done, its gate not passed. */
    private static final int NOT_TRIED = Integer.MIN_VALUE;
    /** {@link #tryOnLoop}: tried, it would have to wait; its gate is passed, a worker runs it. */
    private static final int WOULD_WAIT = Integer.MIN_VALUE + 1;

    /**
     * Loop thread: does a lone op on the loop where it cannot wait, as io_uring tries ops inline before it hands
     * them to its workers: a buffered read of a regular file from the page cache ({@code RWF_NOWAIT}; short or
     * refused, a worker reads it whole again: a regular file's data stays where it is), an {@code openat2} from
     * the dentry cache ({@code RESOLVE_CACHED}, {@code O_NONBLOCK}), a {@code statx} of an open file (no path to
     * look up). Such an op goes through its gate here.
     *
     * @return the op's result, {@link #WOULD_WAIT} or {@link #NOT_TRIED}
     */
    private int tryOnLoop(OpSlot op, Sqe sqe) {
        OpKind kind = op.kind;
        boolean tries = switch (kind) {
            case READ, READ_FIXED -> op.file.triesReadsWithoutWaiting();
            case OPENAT2, OPENAT2_REGISTERED -> true;
            case STATX -> op.file != null;
            default -> false;
        };
        if (!tries) {
            return NOT_TRIED;
        }
        if (!op.enterRing()) {
            return -Errno.ECANCELED;
        }
        return switch (kind) {
            case READ, READ_FIXED -> {
                int res = loopCalls().tryReadWithoutWaiting(sqe, fixedFileLookup);
                if (res == -Errno.EOPNOTSUPP) {
                    op.file.cannotReadWithoutWaiting();     // tmpfs before 6.6, say: no use trying again
                }
                yield res == op.len || res == 0 ? res : WOULD_WAIT;
            }
            case OPENAT2, OPENAT2_REGISTERED -> {
                int res = loopCalls().tryOpenWithoutWaiting(sqe);
                yield res == -Errno.EAGAIN ? WOULD_WAIT : res;
            }
            default -> loopCalls().run(sqe, fixedFileLookup);
        };
    }

    private SqeSyscalls loopCalls() {
        SqeSyscalls c = loopCalls;
        if (c == null) {
            loopCalls = c = new SqeSyscalls();
        }
        return c;
    }

    /**
     * The bytes a read or write asks for, which the kernel compares its count with (fewer breaks an
     * {@code IO_LINK} chain), or -1 for any other op: a vectored op's are its buffers' writable (read) or
     * readable (write) bytes, which it moves.
     */
    private static int expectedCount(OpSlot op) {
        return switch (op.kind) {
            case READ, WRITE, READ_FIXED, WRITE_FIXED -> op.len;
            case READV -> op.bufs == null ? op.buf.writableBytes() : sum(op.bufs, true);
            case WRITEV -> op.bufs == null ? op.buf.readableBytes() : sum(op.bufs, false);
            default -> -1;
        };
    }

    private static int sum(io.netty.buffer.ByteBuf[] bufs, boolean writable) {
        long n = 0;
        for (io.netty.buffer.ByteBuf b : bufs) {
            n += writable ? b.writableBytes() : b.readableBytes();
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** Worker thread: takes the op in slot {@code i} through its gate; false if it was cancelled before. */
    private boolean enterGate(int i) {
        OpSlot op = table.slot(i);
        return op.enterRing();
    }

    private static void sleep(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    /** Loop thread: a standalone timer, on the loop's own scheduler (no worker waits for it). */
    private void startTimer(int i, int generation, long nanos) {
        timers[i] = loop.schedule(() -> timerFired(i, generation), nanos, TimeUnit.NANOSECONDS);
    }

    private void timerFired(int i, int generation) {
        if (generations[i] == generation && timers[i] != null) {
            timers[i] = null;
            handBack(i, -Errno.ETIME, 0);
        }
    }

    @Override
    public void cancel(OpSlot op) {
        int i = op.index;
        ScheduledFuture<?> timer = timers[i];
        if (timer != null) {
            timers[i] = null;
            timer.cancel(false);
            handBack(i, -Errno.ECANCELED, 0);
        } else {
            // Only an op no worker has taken: its worker then hands it back as cancelled.
            STATE.compareAndSet(state, i, QUEUED, CANCELLED);
        }
    }

    /** Schedules the drain of what was handed over, once per batch. */
    @Override
    public void wake() {
        drain.schedule();
    }

    // ---- completions: from workers, timers and cancellations to the loop ----

    /** Any thread: the outcome of the op in slot {@code i}, to be completed on the loop thread. */
    private void handBack(int i, int res, long extra) {
        results[i] = res;
        extras[i] = extra;
        done.offer(i);
        if (loopEnded) {
            completeHandedBack();
        } else if (COMPLETIONS_SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                loop.execute(completionTask);
            } catch (RejectedExecutionException shuttingDown) {
                // The loop takes no more tasks: its end (PortableIoHandler#destroy, or the termination of a
                // foreign loop) completes what is handed back until then, and whoever comes after, itself.
                completionsScheduled = 0;
                loopEndingWake();
                if (loopEnded) {
                    completeHandedBack();
                }
            }
        }
    }

    /** Loop thread: completes what was handed back. */
    private void completionsOnLoop() {
        completionsScheduled = 0;   // first: a result handed back from now on schedules another run
        completeHandedBack();
    }

    /**
     * Completes every outcome handed back, one thread at a time (the loop's, or after the loop ended whoever
     * hands one back); a result handed back while another thread completes is taken by that thread's next round.
     */
    void completeHandedBack() {
        do {
            if (!COMPLETING.compareAndSet(this, 0, 1)) {
                return;
            }
            try {
                for (int i; (i = done.pollSingleConsumer()) >= 0; ) {
                    core.completed(i, generations[i], results[i], extras[i], 0);
                }
            } finally {
                completing = 0;
            }
        } while (!done.isEmpty());
    }

    /** Whether results wait to be completed. */
    boolean hasHandedBack() {
        return !done.isEmpty();
    }

    /** The thread that ends the loop, waiting for results; null for a foreign loop. Set by the handler. */
    private volatile Thread endingThread;

    /** The loop's thread waits in its end for ops ({@link PortableIoHandler#destroy}): results wake it. */
    void endingOn(Thread thread) {
        endingThread = thread;
    }

    private void loopEndingWake() {
        Thread t = endingThread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** The loop runs no more tasks: results handed back from now on are completed by whoever hands them back. */
    void loopEnded() {
        loopEnded = true;
        completeHandedBack();
    }

    /**
     * Loop thread, in its end: fires the standalone timers that are due (the loop's scheduler, which would fire
     * them, runs no more), as the kernel fires a ring's timers while it drains.
     */
    void fireDueTimers() {
        for (int i = 0; i < timers.length; i++) {
            ScheduledFuture<?> t = timers[i];
            if (t != null && t.getDelay(TimeUnit.NANOSECONDS) <= 0) {
                timers[i] = null;
                handBack(i, -Errno.ETIME, 0);
            }
        }
    }

    /**
     * A foreign loop terminated (its shutdown knows nothing of our ops and waited for none): what waits is
     * refused, its timers (which its scheduler cancelled) fail, ops no worker has taken are cancelled, and results
     * that come back from now on are completed by the worker that hands them back. Ops still inside a system
     * call after {@link #ABANDON_AFTER_NANOS} fail then, their memory pinned until the call returns.
     */
    private void foreignLoopGone() {
        core.stopAccepting();
        RejectedExecutionException cause = new RejectedExecutionException(this + ": its loop shut down");
        core.failWaiting(cause);
        for (int i = 0; i < timers.length; i++) {
            if (timers[i] != null) {
                timers[i] = null;
                handBack(i, -Errno.ECANCELED, 0);
            }
        }
        for (int i = 0; i < state.length; i++) {
            STATE.compareAndSet(state, i, QUEUED, CANCELLED);
        }
        loopEnded();
        workers.shutdown();
        io.netty.util.concurrent.GlobalEventExecutor.INSTANCE.schedule(() -> abandonStuck(cause),
                ABANDON_AFTER_NANOS, TimeUnit.NANOSECONDS);
    }

    /** How long after a foreign loop terminated ops still inside system calls are failed and left pinned. */
    private static final long ABANDON_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private void abandonStuck(RejectedExecutionException cause) {
        while (!COMPLETING.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
        int abandoned;
        try {
            abandoned = core.engineGone(new RejectedExecutionException(cause.getMessage() + " while the op was still "
                    + "in a system call (its buffers stay pinned until the call returns)"));
        } finally {
            completing = 0;
        }
        completeHandedBack();
        if (abandoned > 0) {
            logger.log(System.Logger.Level.WARNING, this + ": " + abandoned + " operations were still in system calls "
                    + "after the loop shut down; their buffers stay pinned until the calls return");
        }
    }

    // ---- Engine: the loop dies ----

    @Override
    public boolean reapAfterFailure() {
        completeHandedBack();
        return true;
    }

    @Override
    public void failUnstarted(Throwable cause) {
        OpTable table = core.table();
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight() && STATE.compareAndSet(state, i, QUEUED, CANCELLED)) {
                core.neverReached(i, op.generation, cause);
            } else if (op.isInFlight() && timers[i] != null) {
                timers[i].cancel(false);
                timers[i] = null;
                core.neverReached(i, op.generation, cause);
            }
        }
    }

    // ---- Engine: files (emulated: a table of descriptors the workers look slots up in) ----

    @Override
    public int registerFile(int fd) {
        int slot = fixedSlots.take();
        if (slot < 0) {
            throw new IllegalStateException("all " + fixedSlots.capacity() + " registered-file slots in use");
        }
        fixedFds[slot] = fd;
        return slot;
    }

    @Override
    public void unregisterFile(int slot) {
        fixedFds[slot] = -1;
        fixedSlots.give(slot);
    }

    @Override
    public String toString() {
        return "PortableFileIo[" + name + ", " + workers.max() + " workers, " + loop + "]";
    }
}
