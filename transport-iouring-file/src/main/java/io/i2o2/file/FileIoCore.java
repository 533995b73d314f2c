package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Statx;
import io.i2o2.uring.Probe;
import io.i2o2.uring.UringException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What one event loop's file IO needs whatever ring runs it: the slot table that bounds and carries its
 * operations, the completer that finishes them, the rule for accepting new ones, and the public face
 * ({@link IoUringFileIo}) that the API hands out. Two kinds exist: {@link RingCore}, this library's own
 * ring as a Netty {@code IoHandler}, and {@link NettyRingCore}, the ring of Netty's own io_uring loop.
 *
 * <p>Cores are found by their loop ({@link #of}) for as long as the loop exists: the file API of a loop
 * that shut down refuses every op rather than disappear.
 */
abstract class FileIoCore {
    private static final System.Logger logger = System.getLogger(FileIoCore.class.getName());
    /**
     * The live cores by loop. Both weakly: a loop holds its own core (our ring is its {@code IoHandler};
     * Netty's keeps our registration), so a lookup works for as long as the loop exists, also after it shut
     * down, and an entry goes away with its loop.
     */
    private static final Map<EventExecutor, WeakReference<FileIoCore>> CORES =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final IoEventLoop loop;
    final OpTable table;
    final OpCompleter completer;
    private final IoUringFileIo api;
    /** What this core's promises notify their listeners through (see {@link ListenerExecutor}). */
    final ListenerExecutor listenerExecutor;
    private volatile boolean accepting = true;

    FileIoCore(IoEventLoop loop, int maxInFlight) {
        this.loop = loop;
        this.table = new OpTable(maxInFlight);
        this.completer = new OpCompleter(this, table);
        this.api = new IoUringFileIo(this);
        this.listenerExecutor = new ListenerExecutor(loop);
    }

    /** The core registered for {@code loop}, or null. */
    static FileIoCore of(EventExecutor loop) {
        WeakReference<FileIoCore> ref = CORES.get(loop);
        return ref == null ? null : ref.get();
    }

    /** Makes this core findable by its loop; false if the loop already has one. */
    final boolean publish() {
        synchronized (CORES) {
            if (of(loop) != null) {
                return false;
            }
            CORES.put(loop, new WeakReference<>(this));
            return true;
        }
    }

    /** Removes this core from the registry (it cannot serve its loop, which may get another). */
    final void unpublish() {
        synchronized (CORES) {
            if (of(loop) == this) {
                CORES.remove(loop);
            }
        }
    }

    /** The loop whose thread runs this core: completions, listeners of its own futures. */
    final IoEventLoop executor() {
        return loop;
    }

    final IoUringFileIo api() {
        return api;
    }

    final boolean inEventLoop() {
        return loop.inEventLoop();
    }

    // ---- what the ring can do ----

    /** CQEs the kernel held back because the CQ was full, or 0 where that is not known. */
    long cqOverflows() {
        return 0;
    }

    /** The loop's counters, now. */
    final IoUringLoopMetrics metrics() {
        return table.counters.snapshot(table.inFlight(), table.handedOver(), cqOverflows());
    }

    /** Whether the ring has 128-byte SQEs and 32-byte CQEs. */
    abstract boolean isPassthrough();

    /** The opcodes the kernel behind this ring supports. */
    abstract Probe probe();

    /** Whether the kernel behind this ring supports an opcode. */
    final boolean supports(int opcode) {
        return probe().supports(opcode);
    }

    /** Why {@code kind} cannot run on this ring (naming what to use instead), or null if it can. */
    abstract String unsupported(OpKind kind);

    /** The longest linked chain the ring takes (its links go into the SQ back to back). */
    abstract int maxChainLength();

    /** The loop's registered buffers, or null. */
    FixedBufferPool fixedBuffersOrNull() {
        return null;
    }

    /** Whether files can be opened into registered slots here. */
    abstract boolean hasFixedFileSlots();

    /** How many ops may be queued or in flight at once. */
    final int capacity() {
        return table.capacity();
    }

    // ---- submission, any thread ----

    /**
     * A slot for a new op on {@code file} (null for none), holding one of the file's op references; or null
     * after failing {@code target} with the reason (shutting down, full, file closed, blocking misuse).
     * Only what it returns needs giving back ({@link #abandon}).
     */
    final OpSlot claim(OpenFile file, Target target, boolean blocking) {
        return claim(file, target, blocking, null, null);
    }

    /**
     * {@link #claim(OpenFile, Target, boolean)} for an op that retained its buffers already ({@code buf}
     * and every one of {@code bufs}, each may be null): a refusal gives them back before it reaches the target,
     * so a listener, or the callback's submitter (the refusal is thrown at it), finds them as it passed them.
     */
    final OpSlot claim(OpenFile file, Target target, boolean blocking, ByteBuf buf, ByteBuf[] bufs) {
        RuntimeException refused;
        if (blocking && (loop.inEventLoop() || Thread.currentThread() instanceof FastThreadLocalThread)) {
            // Refused whether or not the loop is full right now: a misuse must fail every time, not under load.
            refused = new IllegalStateException("a blocking submit would block the event loop thread "
                    + Thread.currentThread().getName() + "; use the non-blocking methods");
        } else {
            OpSlot op = tryClaim(file);
            if (op == null && blocking) {
                op = claimBlocking(file);
            }
            if (op != null) {
                op.target = target;
                target.bound(op);
                return op;
            }
            refused = refusal(file);
        }
        ByteBufs.release(buf, bufs);
        target.refuse(refused);
        return null;
    }

    private OpSlot tryClaim(OpenFile file) {
        if (!isAccepting()) {
            return null;
        }
        OpSlot op = table.claim();
        if (op == null) {
            return null;
        }
        // Re-check after claiming: the loop stops accepting, then waits for claimed slots to come home. The
        // loop itself cannot race its own shutdown, so its submissions skip the second look.
        boolean onLoop = loop.inEventLoop();
        if ((!onLoop && !isAccepting()) || (file != null && !file.acquireOp(onLoop))) {
            table.unclaim(op);
            return null;
        }
        op.file = file;
        op.fileShare = file != null && onLoop;
        return op;
    }

    /** Waits for a free slot; null once the loop stops accepting, the file closes or the thread is interrupted. */
    private OpSlot claimBlocking(OpenFile file) {
        for (;;) {
            if (!isAccepting() || (file != null && !file.isOpen())) {
                return null;
            }
            // The bound on the wait only catches a close or shutdown that nobody signals.
            if (!table.awaitRoom(TimeUnit.MILLISECONDS.toNanos(100))) {
                return null;
            }
            OpSlot op = tryClaim(file);
            if (op != null) {
                return op;
            }
        }
    }

    /** Why a claim just failed. */
    private RuntimeException refusal(OpenFile file) {
        if (!isAccepting()) {
            table.counters.refusedShutdown.increment();
            return new RejectedExecutionException(this + " is shutting down or shut down");
        }
        if (file != null && !file.isOpen()) {
            table.counters.refusedShutdown.increment();
            return new ClosedFileException(file + " is closed");
        }
        table.counters.refusedOverload.increment();
        if (Thread.currentThread().isInterrupted()) {
            return new RejectedExecutionException("interrupted while waiting for room in " + this);
        }
        return new IoUringOverloadedException(this + " holds its maximum of " + table.capacity()
                + " operations (queued and in flight); retry later or " + raiseBound());
    }

    /** How to raise this loop's bound, for the overload refusal. */
    String raiseBound() {
        return "raise IoUringConfig.maxInFlight";
    }

    /** Gives back a claimed slot whose op was abandoned before submission, with its file reference. */
    final void abandon(OpSlot op) {
        OpenFile file = op.file;
        boolean share = op.fileShare;
        table.unclaim(op);
        if (file != null) {
            file.releaseOp(share);
        }
    }

    /** Submits a filled op (the head of a chain), starting the JFR events of its file ops. */
    final void submit(OpSlot op) {
        for (OpSlot link = op; ; link = table.slot(link.next)) {
            if (link.file != null) {
                FileEvents.begin(link);
            }
            if (link.next < 0) {
                break;
            }
        }
        enter(op);
    }

    /** Takes a filled op (the head of a chain) towards the ring: queued or written on the loop thread, else handed over. */
    abstract void enter(OpSlot op);

    /**
     * Whether every link of a chain may still enter the ring: each link goes through its slot's gate here
     * (a returned promise can no longer drop it), and a chain with a link cancelled before it got this far completes without the
     * kernel (each link failed with {@code ECANCELED}, as links of a broken chain would be). Loop thread.
     *
     * @return true if the chain is to be written into the ring now
     */
    final boolean admit(OpSlot head) {
        boolean cancelled = false;
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            if (!op.target.enterRing(op)) {
                op.target.dropped();
                cancelled = true;
            }
            if (op.next < 0) {
                break;
            }
        }
        if (cancelled) {
            for (OpSlot op = head; op != null; ) {
                OpSlot next = op.next >= 0 ? table.slot(op.next) : null;
                completer.finish(op, -Errno.ECANCELED, 0, 0);
                op = next;
            }
        }
        return !cancelled;
    }

    /** Fails a claimed chain that never reached the loop, releasing what its links pinned. */
    final void failUnsubmitted(OpSlot head, Throwable cause) {
        completer.fail(head, cause);
    }

    /** Asks the kernel to stop the op in {@code slot} if it is still that op ({@code generation}); any thread. */
    final void cancel(int slot, int generation) {
        if (loop.inEventLoop()) {
            cancelInRing(slot, generation);
        } else {
            try {
                loop.execute(() -> cancelInRing(slot, generation));
            } catch (RejectedExecutionException e) {
                // Shut down: the op completes with everything else as the loop drains.
            }
        }
    }

    /** {@link #cancel} on the loop thread. */
    abstract void cancelInRing(int slot, int generation);

    /** Whether new ops are taken: not once a shutdown has begun, even before the loop noticed it. */
    final boolean isAccepting() {
        return accepting && !loop.isShuttingDown();
    }

    /** Refuses new ops from now on; those already claimed still run. */
    final void stopAccepting() {
        if (accepting) {
            accepting = false;
            table.signalRoom(true);
        }
    }

    // ---- files ----

    /** Turns a descriptor that an open returned into a file of this loop; loop thread. */
    abstract IoUringFile adoptOpened(int fd, int flags, boolean register, FileLife life);

    /** A file of this loop over a descriptor an open returned, not in a registered slot. */
    final IoUringFile newFile(int fd, int flags, int fixedSlot, FileLife life) throws UringException {
        Statx alignment = (flags & Linux.O_DIRECT) != 0 ? Statx.ofFd(fd) : null;
        return new IoUringFile(this, fd, fixedSlot, flags, alignment, life);
    }

    /** Frees a file's registered slot; loop thread. */
    abstract void unregisterFile(int slot);

    /** Runs {@code task} on the loop thread, or returns false if the loop takes no more tasks. */
    final boolean runOnLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return true;
        }
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException gone) {
            return false;
        }
    }

    static void closeQuietly(int fd) {
        try {
            FileDescriptors.close(fd);
        } catch (UringException e) {
            logger.log(System.Logger.Level.WARNING, "close(" + fd + ") failed", e);
        }
    }
}
