package io.i2o2.file;

import io.i2o2.uring.CompletionHandler;
import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Probe;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingWaker;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.UringException;
import io.i2o2.uring.UserData;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * This library's own ring, as the {@link IoHandler} of one Netty {@code IoEventLoop}, and the {@link Engine}
 * of that loop's {@link FileIoCore}: the loop runs tasks, scheduled tasks and graceful shutdown, and calls
 * {@link #run} for each turn of IO, in which the core writes the waiting ops into SQEs ({@link SqWriter}), and
 * this handler submits, reaps CQEs and hands them to the core, and sleeps in {@code io_uring_enter} only when
 * Netty says it may ({@link IoHandlerContext#canBlock()}) and no work waits ({@link RingParking}).
 *
 * <p>Everything one loop's ring needs is wired here, once: the ring (and an IOPOLL loop's companion), the
 * core, the SQ writer, the parking protocol, the registered buffers and file slots. Shutdown: {@link #prepareToDestroy} stops taking ops;
 * the ops already accepted still run, and {@link #destroy} waits for them (cancelling what is left once the
 * graceful timeout is over) before it closes the ring: nothing the kernel may still touch is released
 * early.
 */
final class RingIoHandler extends FileIoHandler implements CompletionHandler, Engine {
    private static final System.Logger logger = System.getLogger(RingIoHandler.class.getName());
    private static final long WAKE_USER_DATA = UserData.ofKind(UserData.KIND_WAKE);
    /** How long destroy() waits for the kernel to answer cancellations before pinning what is left forever. */
    private static final long CANCEL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final IoUringConfig config;
    private final boolean passthrough;
    /** The loop's core, which this handler is the engine of: called back only as its {@link EngineHost}. */
    private final EngineHost core;
    private final OpTable table;
    private final int cpu;
    private final Ring ring;
    /**
     * An IOPOLL loop's plain ring, for every op the kernel cannot poll (opens, stats, syncs, timers, admin
     * commands, cancellations) and for the wake-ups: a polled ring cannot be slept on, and an eventfd read
     * on it fails at once and keeps it from polling. Null on other loops.
     */
    private final Ring companion;
    /** The ring the loop sleeps on and other threads wake: the companion when there is one. */
    private final Ring sleepRing;
    /**
     * Whether the IOPOLL loop may wait in the kernel's poll loop ({@link #mayWaitForPolled}): not with SQPOLL,
     * where the kernel's SQ thread polls and such a wait would sleep in the CQ wait instead (not measured here).
     */
    private final boolean polledWaits;
    private final Probe probe;
    private final SqWriter sq;
    private final RingParking parking;
    private final FixedBufferPool fixedBuffers;
    private final FixedFileSlots fixedFiles;
    private final EngineTraits traits;
    private boolean cancelledAtDeadline;

    RingIoHandler(IoEventLoop loop, IoUringConfig config, boolean passthrough, int cpu) throws UringException {
        this.config = config;
        this.passthrough = passthrough;
        this.cpu = cpu;
        // Created on the thread that builds the loop, so a kernel that refuses fails the group's constructor;
        // it starts disabled and the loop thread enables it, becoming its single issuer.
        this.ring = Ring.open(config.ringParams(passthrough));
        Ring plain = null;
        FileIoCore made;
        try {
            plain = ring.flags().contains(SetupFlag.IOPOLL) ? Ring.open(config.companionParams(passthrough)) : null;
            this.companion = plain;
            this.sleepRing = plain != null ? plain : ring;
            this.polledWaits = plain != null && !ring.flags().contains(SetupFlag.SQPOLL);
            this.probe = ring.probe();
            this.fixedBuffers = config.fixedBufferCount() > 0
                    ? new FixedBufferPool(config.fixedBufferCount(), config.fixedBufferSize()) : null;
            this.fixedFiles = new FixedFileSlots(config.fixedFileSlots());
            int sqCapacity = Math.min(ring.sq().capacity(), sleepRing.sq().capacity());
            Map<EngineFeature, String> lacking = new EnumMap<>(EngineFeature.class);
            if (!passthrough) {
                lacking.put(EngineFeature.URING_CMD, "uring_cmd needs 128-byte SQEs: run it on a loop of an "
                        + "IoUringPassthroughEventLoopGroup, not " + this);
            }
            this.traits = new EngineTraits(passthrough ? IoEngine.RING_SQE128 : IoEngine.RING_SQE64, ring.flags(),
                    ring.droppedFlags(), sqCapacity, fixedBuffers, fixedFiles.capacity(), lacking,
                    "raise IoUringConfig.maxInFlight");
            // The loop's own ops wait for its drain, which starts at once when an SQ's worth waits.
            made = new FileIoCore(loop, this, config.maxInFlight(), false, sqCapacity);
            this.core = made;
            this.table = core.table();
            this.sq = new SqWriter(table, ring, plain);
            this.parking = new RingParking(core);
        } catch (UringException | RuntimeException | Error e) {
            // The probe is a system call too: a refusal must not leave the ring's fd and mappings behind.
            if (plain != null) {
                plain.close();
            }
            ring.close();
            throw e;
        }
        if (!CoreRegistry.publish(made)) {
            ring.close();
            throw new IllegalStateException(loop + " already has an io_uring file core");
        }
    }

    // ---- Engine: what this ring is ----

    @Override
    public EngineTraits traits() {
        return traits;
    }

    @Override
    public Probe probe() {
        return probe;
    }

    @Override
    public WakeMechanism wakeMechanism() {
        RingWaker w = parking.waker();
        return w == null ? null : WakeMechanism.of(w);
    }

    /** The loop's rings: the one, or the polled one and its companion. */
    private List<Ring> rings() {
        return companion == null ? List.of(ring) : List.of(ring, companion);
    }

    @Override
    public int workerThreads() {
        return 0;
    }

    @Override
    public long cqOverflows() {
        try {
            return Integer.toUnsignedLong(ring.cq().overflowCount())
                    + (companion == null ? 0 : Integer.toUnsignedLong(companion.cq().overflowCount()));
        } catch (IllegalStateException closed) {
            return 0;    // the ring's mapping is gone (its arena refuses the read): nothing overflows any more
        }
    }

    // ---- IoHandler: the loop ----

    /** What only the loop thread may do: become the ring's submitter and set up what hangs off the ring. */
    @Override
    public void initialize() {
        core.started();
        try {
            if (cpu >= 0) {
                FileDescriptors.pinCurrentThread(cpu);
            }
            for (Ring r : rings()) {
                r.enable();
                r.registerRingFd();
                // Ops go to either ring of an IOPOLL loop: both know the same registered buffers and files.
                if (fixedBuffers != null) {
                    fixedBuffers.register(r);
                }
                if (fixedFiles.capacity() > 0) {
                    r.registerFilesSparse(fixedFiles.capacity());
                }
            }
            RingWaker waker = config.eventFdWakeup() ? RingWaker.eventFd(WAKE_USER_DATA)
                    : RingWaker.open(sleepRing, WAKE_USER_DATA, config.ringParams(passthrough).faults());
            parking.waker(waker);
            if (logger.isLoggable(System.Logger.Level.DEBUG)) {
                logger.log(System.Logger.Level.DEBUG, this + ": SQ " + ring.sq().capacity() + ", CQ "
                        + ring.cq().capacity() + ", flags " + SetupFlag.describe(ring.flags())
                        + (ring.droppedFlags().isEmpty() ? "" : ", without " + SetupFlag.describe(ring.droppedFlags())
                        + " (this kernel lacks them)") + ", wake-ups by " + waker.mechanism() + ", " + table.capacity()
                        + " ops at most" + (cpu >= 0 ? ", pinned to CPU " + cpu : ""));
            }
        } catch (Throwable t) {
            core.die(t);
            throw new IllegalStateException(this + " could not start", t);
        }
    }

    @Override
    public int run(IoHandlerContext context) {
        try {
            parking.newTurn();
            int work = core.drain();
            sq.checkFailure();
            work += submitAndReap(context);
            if (!core.isAccepting()) {
                cancelAtDeadline();
            }
            sq.checkFailure();
            if (work == 0 && context.canBlock()) {
                park(context);
            }
            return work;
        } catch (Throwable t) {
            if (!core.hasFailed()) {
                core.die(t);
            }
            throw t instanceof RuntimeException re ? re : new IllegalStateException(this + " died", t);
        }
    }

    /**
     * Submits what the SQs hold and hands every CQE to its op: one {@code io_uring_enter} for a plain ring
     * (none when there is nothing to do); on an IOPOLL loop, the companion's turn, then, while polled ops are in
     * flight (their completions exist only once someone polls for them), either one poll pass of the polled
     * ring or, when the loop has nothing else to do ({@link #mayWaitForPolled}), a wait in the kernel's poll
     * loop for one polled completion.
     *
     * @param context this turn's context; null outside a turn (shutdown's drain): never waits then
     */
    private int submitAndReap(IoHandlerContext context) throws UringException {
        if (companion == null) {
            ring.submitAndWait(0);
            return ring.reap(this, Integer.MAX_VALUE);
        }
        companion.submitAndWait(0);
        int reaped = companion.reap(this, Integer.MAX_VALUE);
        if (sq.polling() || ring.sq().pending() > 0) {
            if (reaped == 0 && mayWaitForPolled(context)) {
                ring.submitAndWait(1);
            } else {
                ring.submitAndPoll();
            }
        }
        return reaped + ring.reap(this, Integer.MAX_VALUE);
    }

    /**
     * Whether the IOPOLL loop may wait for a polled completion in the kernel instead of making one pass: polled
     * ops in flight, and nothing else to do. The wait ({@code GETEVENTS}, {@code min_complete} 1) spins in
     * {@code io_iopoll_check} on the driver's poll queue until a polled request completes (or the kernel must
     * reschedule), as fio {@code --hipri} does, so the loop sees a completion one cheap driver poll after it
     * lands, in the same system call that submitted. With one non-spinning pass per turn ({@code min_complete}
     * 0, {@code BLK_POLL_ONESHOT}) instead, each miss cost a system call plus a trip round Netty's task queue and
     * the companion ring in user space, and the loop reached 0.70x fio's polled IOPS at queue depth 1 on 6.1
     * (testsuite/guest/README.md).
     *
     * <p>The price: the loop is in the kernel, not parked, so a task or a handed-over op from another thread, a
     * completion on the companion ring (an open, a timer, a wake-up) or a scheduled task that falls due during
     * the wait waits until that polled completion: the kernel's IOPOLL wait takes no timeout and nothing
     * interrupts it. That is one device round trip (microseconds on real hardware), longer only if the device
     * stalls, until the NVMe driver's timeout ends the command. Submitters need not wake the loop: it is not
     * parked, and it takes their work on the next turn.
     *
     * <p>So it never waits when work is ready: a task (Netty's {@link IoHandlerContext#canBlock()}), a timer due,
     * handed-over or carried ops ({@link RingParking#hasWork}), completions, overflowed CQEs, pending task work or
     * unsubmitted entries on the companion ring, CQEs already on the polled ring; nor while shutting down (the
     * shutdown's checks run every turn); nor with nothing polled in flight, where an IOPOLL ring's wait returns
     * at once and would only cost a system call; nor on an SQPOLL loop ({@link #polledWaits}).
     */
    private boolean mayWaitForPolled(IoHandlerContext context) {
        return polledWaits && context != null && sq.polling() && core.isAccepting() && context.canBlock()
                && (context.deadlineNanos() == -1 || context.delayNanos(System.nanoTime()) > 0)
                && !parking.hasWork() && !companionHasWork() && ring.cq().ready() == 0;
    }

    /** Whether the companion ring holds anything the loop must see or submit before it may wait on the polled ring. */
    private boolean companionHasWork() {
        return companion.cq().ready() > 0 || companion.sq().pending() > 0 || companion.sq().cqOverflow()
                || companion.sq().taskrunPending();
    }

    @Override
    public void onCompletion(long userData, int res, int flags, long extra0, long extra1) {
        switch (UserData.kind(userData)) {
            case UserData.KIND_OP -> {
                int index = UserData.index(userData);
                int generation = UserData.generation(userData);
                OpSlot op = table.slot(index);
                if (op.polled && op.generation == generation && op.isInFlight()) {
                    sq.polledCompleted();
                }
                core.completed(index, generation, res, extra0, extra1);
            }
            case UserData.KIND_WAKE -> parking.waker().onWakeCompletion();
            default -> {
                // KIND_CANCEL: the cancel request's own result; the target op's CQE carries the outcome.
            }
        }
    }

    /** Waits in the kernel until a CQE, a wake-up or the next scheduled task, unless work arrived meanwhile. */
    private void park(IoHandlerContext context) throws UringException {
        long timeout = context.deadlineNanos() == -1 ? -1 : context.delayNanos(System.nanoTime());
        if (timeout == 0) {
            return;
        }
        if (!core.isAccepting() && !cancelledAtDeadline && !core.drained()) {
            long untilCancel = shutdownDeadline() - System.nanoTime();
            if (untilCancel <= 0) {
                return;
            }
            timeout = timeout < 0 ? untilCancel : Math.min(timeout, untilCancel);
        }
        if (sq.polling()) {
            // Polled ops complete only while someone polls: an IOPOLL loop with any in flight never sleeps (it
            // waits in the kernel's poll loop instead, in submitAndReap, when it has nothing else to do).
            return;
        }
        if (spinForWork(timeout)) {
            return;
        }
        if (!parking.prepareToPark()) {
            return;
        }
        try {
            if (ring.cq().ready() == 0 && sleepRing.cq().ready() == 0 && parking.waker().arm(sleepRing.sq())) {
                sleepRing.submitAndWait(1, timeout);
            }
        } finally {
            parking.unparked();
        }
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
            if (parking.hasWork()) {
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - start < spin);
        return false;
    }

    @Override
    public void wakeup() {
        parking.taskAdded();
    }

    // ---- IoHandler: shutdown ----

    /** Without the group's graceful timeout, {@link IoUringConfig#shutdownTimeoutNanos()} from now. */
    @Override
    public void prepareToDestroy() {
        shutdownBegins(config.shutdownTimeoutNanos(), core);
    }

    private void cancelAtDeadline() {
        if (!cancelledAtDeadline && !core.drained() && System.nanoTime() - shutdownDeadline() > 0) {
            cancelledAtDeadline = true;
            core.cancelAllInFlight();
            sq.submitAll();
        }
    }

    /**
     * Runs the accepted ops to completion (cancelling them once the deadline is over), then closes the
     * ring. Completions here notify listeners on Netty's global executor: the loop takes no tasks any more.
     */
    @Override
    public void destroy() {
        try {
            core.stopAccepting();
            if (!core.hasFailed()) {
                drainBeforeClose();
            }
        } catch (Throwable t) {
            if (!core.hasFailed()) {
                core.die(t);
            }
        } finally {
            close();
        }
    }

    private void drainBeforeClose() throws UringException {
        long giveUp = Long.MAX_VALUE;
        while (!core.drained()) {
            core.drain();
            sq.checkFailure();
            cancelAtDeadline();
            if (cancelledAtDeadline && giveUp == Long.MAX_VALUE) {
                giveUp = System.nanoTime() + CANCEL_GRACE_NANOS;
            }
            long now = System.nanoTime();
            if (now - giveUp > 0) {
                core.die(new IllegalStateException(this + ": " + table.inFlight()
                        + " operations did not complete after cancellation"));
                return;
            }
            long wait = cancelledAtDeadline ? giveUp - now : Math.max(shutdownDeadline() - now, 1);
            if (sq.polling()) {
                submitAndReap(null);
                Thread.onSpinWait();
                continue;
            }
            sleepRing.submitAndWait(table.inFlight() > 0 ? 1 : 0,
                    Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
            submitAndReap(null);
        }
    }

    private void close() {
        RingWaker w = parking.waker();
        if (w != null) {
            w.close();
        }
        if (companion != null) {
            companion.close();
        }
        ring.close();
        if (!core.hasFailed()) {
            table.closeScratch();
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) {
        throw new UnsupportedOperationException(this + " runs file operations, not channels: register channels "
                + "with a Netty transport's loop, and use FileIo.of(loop) there for files");
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return false;
    }

    // ---- Engine: ops ----

    @Override
    public boolean reserve(OpSlot head, int links) {
        return sq.reserve(head, links);
    }

    @Override
    public void put(OpSlot op) {
        sq.put(op);
    }

    @Override
    public void cancel(OpSlot op) {
        sq.cancel(op);
    }

    @Override
    public void wake() {
        parking.wakeIfParked();
    }

    // ---- Engine: the loop dies ----

    @Override
    public boolean reapAfterFailure() {
        try {
            for (Ring r : rings()) {
                r.reap(this, Integer.MAX_VALUE);
            }
        } catch (Throwable ignored) {
            // Only a best effort to let finished ops release their memory.
        }
        return true;
    }

    @Override
    public void failUnstarted(Throwable cause) {
        for (Ring r : rings()) {
            if (!r.flags().contains(SetupFlag.SQPOLL)) {
                // Nobody enters this ring again and no kernel thread polls it: what the kernel has not consumed
                // from the SQ never reached it, so it is released like a queued op instead of pinned for good.
                r.sq().forEachUnconsumed(userData -> {
                    if (UserData.kind(userData) == UserData.KIND_OP) {
                        core.neverReached(UserData.index(userData), UserData.generation(userData), cause);
                    }
                });
            }
        }
    }

    // ---- Engine: files ----

    @Override
    public int registerFile(int fd) throws UringException {
        int slot = fixedFiles.take();
        if (slot < 0) {
            throw new IllegalStateException("all " + fixedFiles.capacity() + " registered-file slots in use");
        }
        try {
            for (Ring r : rings()) {
                r.updateFile(slot, fd);
            }
        } catch (UringException | RuntimeException e) {
            fixedFiles.give(slot);
            throw e;
        }
        return slot;
    }

    @Override
    public void unregisterFile(int slot) {
        try {
            for (Ring r : rings()) {
                r.updateFile(slot, -1);
            }
        } catch (UringException e) {
            logger.log(System.Logger.Level.WARNING, this + ": could not empty registered-file slot " + slot, e);
        }
        fixedFiles.give(slot);
    }

    @Override
    public String toString() {
        return (passthrough ? "IoUringPassthroughEventLoop" : "IoUringFileEventLoop") + "[ring fd=" + ring.fd()
                + ", flags=" + SetupFlag.describe(ring.flags()) + "]";
    }
}
