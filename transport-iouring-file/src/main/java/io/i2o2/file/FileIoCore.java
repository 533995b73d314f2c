package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Linux;
import io.i2o2.uring.NvmeUringCmd;
import io.i2o2.uring.Probe;
import io.i2o2.uring.SqeSyscalls;
import io.i2o2.uring.Statx;
import io.i2o2.uring.UringException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one core of a loop's file IO, whatever engine runs it: the slot table that bounds and carries its
 * operations, the rule for accepting new ones, the queues and the drain that write them into the
 * {@link Engine}, admission, the completer that finishes them, and how the loop fails and abandons them when
 * its engine dies or goes. Written once; what differs per engine is behind {@link Engine}, and the engine
 * calls back only through {@link EngineHost}.
 *
 * <p>How an op enters: any thread claims a slot ({@link #claim}) and fills it; {@link #submit} then takes
 * it towards the engine. On the loop thread it is queued for the loop's next {@link #drain} (this library's
 * ring: see below), or written at once where the engine {@linkplain #writesAtOnce writes at once} (Netty's
 * ring, which has no turn of ours to drain in); from another thread it is handed over through the table's
 * queue and the engine {@linkplain Engine#wake wakes} the loop.
 *
 * <p>Why the ring's own ops wait for the drain rather than go into an SQE inside the call that submits them:
 * such a call usually runs inside a completion (a callback or listener that submits the next op), and the
 * SQE stores then sit 11 to 14 calls below the JIT's compilation root, where the FFM accesses that write
 * the entry (7 or 8 calls deep of their own) no longer fit C2's inlining depth (15): they stayed calls, with
 * their bounds and alignment checks, in the JVMs that compiled the completion path as the root
 * (LogCompilation, 2026-12-02: "inlining too deep" on {@code Unsafe.putIntUnaligned} and
 * {@code NativeMemorySegmentImpl.maxAlignMask}), and NOPs on the loop thread ran at 5.4-6.9 M/s there
 * against 7.9-8.9 M/s in the others. The drain is a few calls below the loop's turn whatever the JIT picks.
 * The ops reach the kernel in the same {@code io_uring_enter} as before: the drain comes before it.
 *
 * <p>Cores are found by their loop ({@link CoreRegistry}).
 */
final class FileIoCore implements EngineHost {
    private static final System.Logger logger = System.getLogger(FileIoCore.class.getName());

    private final IoEventLoop loop;
    private final Engine engine;
    final OpTable table;
    final OpCompleter completer;
    @SuppressWarnings("deprecation")    // the API object is always an IoUringFileIo: see the constructor
    private final IoUringFileIo api;
    /** What this core's promises notify their listeners through (see {@link ListenerExecutor}). */
    final ListenerExecutor listenerExecutor;
    private volatile boolean accepting = true;

    /**
     * Whether the loop thread writes its own ops into the engine inside the call that submits them (nothing
     * queued ahead of them): for an engine whose loop has no turn of ours that drains (Netty's). Otherwise they
     * wait in {@link #local} for the loop's drain.
     */
    private final boolean writesAtOnce;
    /** Whether the engine, not admission, takes each op through its gate ({@link EngineTraits#gatesAtStart}). */
    private final boolean gatesAtStart;
    /**
     * Queued ops of its own at which the loop drains at once: an SQ's worth. A task that submits more than
     * that and then keeps the loop (or a callback submitting a burst) gets all but the last SQ's worth into
     * the kernel right away, as when every op went straight into the SQ (submitted whenever full).
     */
    private final int drainAt;
    /** Ops (chain heads) the loop thread submitted itself, in order, for the next {@link #drain}. Loop thread. */
    private final LoopLocalIntQueue local;
    /** An op that found no room in the engine; first in line next time. Loop thread. */
    private OpSlot carried;
    /** Whether the engine takes ops: set once it {@link #started}. Loop thread. */
    private boolean started;
    /**
     * Whether ops are being written into the engine: a raw op's filler (user code, called while its entry is
     * written) or a listener of an op failed meanwhile may submit on the loop thread, and a write nested in it
     * would move the one writer under its feet; such an op is queued instead. Loop thread.
     */
    private boolean writing;

    private volatile Throwable failure;
    /** Set once {@link #die} is done: from then on, whoever hands an op over fails it (nobody else will). */
    private volatile boolean dead;

    /**
     * A core for {@code loop} run by {@code engine}, which it calls nothing of until ops come.
     *
     * @param maxInFlight how many ops may be queued or in flight at once
     * @param writesAtOnce see {@link #writesAtOnce}
     * @param drainAt see {@link #drainAt}
     */
    @SuppressWarnings("deprecation")
    FileIoCore(IoEventLoop loop, Engine engine, int maxInFlight, boolean writesAtOnce, int drainAt) {
        this.loop = loop;
        this.engine = engine;
        this.table = new OpTable(maxInFlight);
        this.completer = new OpCompleter(this, table);
        this.api = new IoUringFileIo(this);    // the old name's subclass: IoUringFileIo.of and casts to it keep working
        this.listenerExecutor = new ListenerExecutor(loop);
        this.writesAtOnce = writesAtOnce;
        this.gatesAtStart = engine.traits().gatesAtStart();
        this.drainAt = drainAt;
        // Every slot is in this queue at most once: it never holds more than the table.
        this.local = new LoopLocalIntQueue(maxInFlight);
    }

    /** The loop whose thread runs this core: completions, listeners of its own futures. */
    IoEventLoop executor() {
        return loop;
    }

    @SuppressWarnings("deprecation")
    IoUringFileIo api() {
        return api;
    }

    boolean inEventLoop() {
        return loop.inEventLoop();
    }

    @Override
    public OpTable table() {
        return table;
    }

    // ---- what the engine is ----

    /** What the engine is. */
    EngineTraits traits() {
        return engine.traits();
    }

    /** How other threads wake this loop; null before it started. */
    WakeMechanism wakeMechanism() {
        return engine.wakeMechanism();
    }

    /** The loop's counters, now. */
    IoUringLoopMetrics metrics() {
        return table.counters.snapshot(table.inFlight(), table.handedOver(), engine.cqOverflows(),
                engine.traits().engine(), engine.workerThreads());
    }

    /** Whether the ring has 128-byte SQEs and 32-byte CQEs. */
    boolean isPassthrough() {
        return engine.traits().isPassthrough();
    }

    /** The opcodes the kernel behind this engine supports. */
    Probe probe() {
        return engine.probe();
    }

    /** Whether the kernel behind this engine supports an opcode. */
    boolean supports(int opcode) {
        return engine.probe().supports(opcode);
    }

    /** Whether the engine lacks {@code feature}. */
    boolean lacks(EngineFeature feature) {
        return engine.traits().lacks(feature);
    }

    /** The refusal of an op that needs {@code feature}, which this engine lacks: its message names what to use instead. */
    UnsupportedOperationException refusal(EngineFeature feature) {
        return new UnsupportedOperationException(engine.traits().lacking().get(feature));
    }

    /**
     * The refusal of a {@code uring_cmd} with {@code cmdOp} on this engine, or null when the engine runs it: an
     * engine without {@link EngineFeature#URING_CMD} refuses every one; one without
     * {@link EngineFeature#ANY_URING_CMD} (the portable engine) those with no ioctl
     * ({@link SqeSyscalls#runsUringCmd}), naming the command.
     */
    UnsupportedOperationException uringCmdRefusal(int cmdOp) {
        if (lacks(EngineFeature.URING_CMD)) {
            return refusal(EngineFeature.URING_CMD);
        }
        if (lacks(EngineFeature.ANY_URING_CMD) && !SqeSyscalls.runsUringCmd(cmdOp)) {
            return new UnsupportedOperationException("uring_cmd " + cmdOpName(cmdOp) + ": "
                    + engine.traits().lacking().get(EngineFeature.ANY_URING_CMD));
        }
        return null;
    }

    /** {@code cmd_op} in hex, with its name where it is one of NVMe's. */
    private static String cmdOpName(int cmdOp) {
        String hex = "cmd_op 0x" + Integer.toHexString(cmdOp);
        if (cmdOp == NvmeUringCmd.CMD_ADMIN_VEC) {
            return hex + " (NVME_URING_CMD_ADMIN_VEC)";
        }
        return hex;
    }

    /** The longest linked chain the engine takes. */
    int maxChainLength() {
        return engine.traits().maxChainLength();
    }

    /** The loop's registered buffers, or null. */
    FixedBufferPool fixedBuffersOrNull() {
        return engine.traits().fixedBuffers();
    }

    /** Whether files can be opened into registered slots here. */
    boolean hasFixedFileSlots() {
        return engine.traits().fixedFileSlots() > 0;
    }

    /** How many ops may be queued or in flight at once. */
    int capacity() {
        return table.capacity();
    }

    // ---- claiming, any thread ----

    /**
     * A slot for a new op on {@code file} (null for none), holding one of the file's op references; or null
     * after failing {@code target} with the reason (shutting down, full, file closed, blocking misuse).
     * Only what it returns needs giving back ({@link #abandon}).
     */
    OpSlot claim(OpenFile file, Target target, boolean blocking) {
        return claim(file, target, blocking, null, null);
    }

    /**
     * {@link #claim(OpenFile, Target, boolean)} for an op that retained its buffers already ({@code buf}
     * and every one of {@code bufs}, each may be null): a refusal gives them back before it reaches the target,
     * so a listener, or the callback's submitter (the refusal is thrown at it), finds them as it passed them.
     */
    OpSlot claim(OpenFile file, Target target, boolean blocking, ByteBuf buf, ByteBuf[] bufs) {
        // The common case alone here, everything else out of line (claimSlowly): this method is inlined into
        // every submission, also into a completion that submits the next op, and its compiled size decides
        // whether that whole chain still fits what C2 inlines (InlineSmallCode).
        OpSlot op = blocking ? null : tryClaim(file);
        if (op == null && (op = claimSlowly(file, target, blocking, buf, bufs)) == null) {
            return null;
        }
        op.target = target;
        target.bound(op);
        return op;
    }

    /** {@link #claim} of a blocking submission, or after a non-blocking one found no slot: waits or refuses. */
    private OpSlot claimSlowly(OpenFile file, Target target, boolean blocking, ByteBuf buf, ByteBuf[] bufs) {
        RuntimeException refused;
        if (blocking && (loop.inEventLoop() || Thread.currentThread() instanceof FastThreadLocalThread)) {
            // Refused whether or not the loop is full right now: a misuse must fail every time, not under load.
            refused = new IllegalStateException("a blocking submit would block the event loop thread "
                    + Thread.currentThread().getName() + "; use the non-blocking methods");
        } else {
            OpSlot op = blocking ? tryClaim(file) : null;
            if (op == null && blocking) {
                op = claimBlocking(file);
            }
            if (op != null) {
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
            return closed(file);
        }
        table.counters.refusedOverload.increment();
        if (Thread.currentThread().isInterrupted()) {
            return new RejectedExecutionException("interrupted while waiting for room in " + this);
        }
        return new FileIoOverloadedException(this + " holds its maximum of " + table.capacity()
                + " operations (queued and in flight); retry later or " + engine.traits().raiseBound());
    }

    /** The refusal of an op on {@code file}, which is closed: counted with the submissions refused by a shutdown. */
    ClosedFileException closed(OpenFile file) {
        table.counters.refusedShutdown.increment();
        return new ClosedFileException(file + " is closed");
    }

    /** Gives back a claimed slot whose op was abandoned before submission, with its file reference. */
    void abandon(OpSlot op) {
        OpenFile file = op.file;
        boolean share = op.fileShare;
        table.unclaim(op);
        if (file != null) {
            file.releaseOp(share);
        }
    }

    /** Fails a claimed chain that never reached the loop, releasing what its links pinned. */
    void failUnsubmitted(OpSlot head, Throwable cause) {
        completer.fail(head, cause);
    }

    // ---- submission ----

    /**
     * Submits a batch: its first op, every other one {@link OpSlot#following} it (single ops, no chains). They
     * travel as one: one hand-over (or one entry of the loop's own queue) and one wake-up. Any thread.
     */
    void submitBatch(OpSlot first) {
        for (int i = first.following; i >= 0; i = table.slot(i).following) {
            OpSlot member = table.slot(i);
            if (member.file != null) {
                FileEvents.begin(member);
            }
        }
        submit(first);
    }

    /** Submits a filled op (the head of a chain), starting the JFR events of its file ops. Any thread. */
    void submit(OpSlot op) {
        for (OpSlot link = op; ; link = table.slot(link.next)) {
            if (link.file != null) {
                FileEvents.begin(link);
            }
            if (link.next < 0) {
                break;
            }
        }
        // Then towards the engine: written or queued on the loop thread, else handed over. In this method, not a
        // helper of its own: a submission from a completion callback runs some 10 calls below the loop's
        // compilation root, and every level on this path (op builder, claim, submit, write, the engine's put,
        // the encoding) counts against C2's inlining depth of 15; past it the FFM stores stay calls (measured at
        // the one-core merge: loop NOPs 0.48x C against 0.59x before, reads on Netty's loop 0.82x against 0.95x
        // Netty raw, with "inlining too deep" on the claim path).
        // A dying loop queues nothing of its own: handed over, the op is failed by die() or whoever comes after it.
        if (loop.inEventLoop() && failure == null) {
            if (writesAtOnce && started && !writing && carried == null && local.isEmpty()
                    && !table.hasHandedOver()) {
                writing = true;
                try {
                    writeInTurn(op);
                } finally {
                    writing = false;
                }
                return;
            }
            table.markQueued(op);
            local.offer(op.index);
            if (writesAtOnce) {
                wakeEngine();
            } else if (local.size() >= drainAt && !writing) {
                drain();
            }
            return;
        }
        table.handOver(op);
        if (dead) {
            failHandedOverAfterDeath(failure);
        } else {
            wakeEngine();
        }
    }

    private void wakeEngine() {
        try {
            engine.wake();
        } catch (RejectedExecutionException gone) {
            // The loop takes no more work: nobody will drain what was handed over but us.
            failHandedOverAfterDeath(gone);
        }
    }

    /**
     * Writes queued ops into the engine until none is left or it has no room, in order: the one that last
     * found no room, the loop's own, then those handed over; returns how many.
     */
    @Override
    public int drain() {
        if (!started || writing) {
            return 0;
        }
        writing = true;
        try {
            int n = 0;
            for (;;) {
                OpSlot op = takeUnwritten();
                if (op == null && (op = table.pollHandedOver()) == null) {
                    return n;
                }
                if (!writeInTurn(op)) {
                    return n;
                }
                n++;
            }
        } finally {
            writing = false;
        }
    }

    /**
     * Writes {@code op} and every op of its batch that follows it, in order, each on its own; false when the
     * engine ran out of room, the first op not written then {@link #carried} with those after it. An op leaves
     * its batch as it is written: whatever happens to it then (a failure inside {@link #write}) is its own.
     */
    private boolean writeInTurn(OpSlot op) {
        for (;;) {
            int following = op.following;
            if (following >= 0) {
                op.following = -1;      // a lone op (nearly every one) has nothing to detach: no store
            }
            if (!write(op)) {
                op.following = following;
                carried = op;
                return false;
            }
            if (following < 0) {
                return true;
            }
            op = table.slot(following);
        }
    }

    /** The next op taken in but not written into the engine, taken away: the carried one, then the loop's own. */
    private OpSlot takeUnwritten() {
        OpSlot op = carried;
        carried = null;
        if (op != null) {
            return op;
        }
        int index = local.poll();
        return index < 0 ? null : table.slot(index);
    }

    /**
     * Writes a chain into the engine, link after link; false (nothing written, nothing decided) when the engine
     * has no room for it. True when the chain is dealt with: in the engine, or completed without the kernel.
     */
    private boolean write(OpSlot head) {
        int links = 1;
        for (OpSlot op = head; op.next >= 0; op = table.slot(op.next)) {
            links++;
        }
        if (!engine.reserve(head, links)) {
            return false;
        }
        if (!admit(head)) {
            return true;
        }
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            try {
                engine.put(op);
            } catch (RuntimeException | Error e) {
                // A raw op's SqeFiller (user code, never part of a chain) threw, or the engine refused the op: it
                // never reached the kernel; it fails, and the loop goes on.
                completer.fail(op, e);
                return true;
            }
            table.markInFlight(op);
            if (op.next < 0) {
                return true;
            }
        }
    }

    /**
     * Whether every link of a chain may still enter the engine: each link goes through its slot's gate here
     * (a returned promise can no longer drop it), and a chain with a link cancelled before it got this far
     * completes without the kernel (each link failed with {@code ECANCELED}, as links of a broken chain would
     * be). Loop thread.
     *
     * @return true if the chain is to be written into the engine now
     */
    private boolean admit(OpSlot head) {
        if (gatesAtStart) {
            return true;        // the engine takes each link through its gate when it starts it
        }
        boolean cancelled = false;
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            if (!op.enterRing()) {
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

    @Override
    public void started() {
        if (loop.inEventLoop()) {
            table.ownedBy(Thread.currentThread());
        }
        started = true;
    }

    @Override
    public boolean hasQueuedWork() {
        return carried != null || !local.isEmpty() || table.hasHandedOver();
    }

    @Override
    public boolean drained() {
        return carried == null && table.inUse() == 0;
    }

    // ---- cancellation ----

    /** Asks the engine to stop the op in {@code slot} if it is still that op ({@code generation}); any thread. */
    void cancel(int slot, int generation) {
        if (loop.inEventLoop()) {
            cancelOnLoop(slot, generation);
        } else {
            try {
                loop.execute(() -> cancelOnLoop(slot, generation));
            } catch (RejectedExecutionException e) {
                // Shut down: the op completes with everything else as the loop drains.
            }
        }
    }

    /** {@link #cancel} on the loop thread: only an op in flight reaches the engine; queued ones are dropped at admission. */
    private void cancelOnLoop(int slot, int generation) {
        OpSlot op = table.slot(slot);
        if (op.generation == generation && op.isInFlight()) {
            engine.cancel(op);
        }
    }

    @Override
    public void cancelAllInFlight() {
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight() && op.target != null) {
                engine.cancel(op);
            }
        }
    }

    // ---- completions ----

    @Override
    public void completed(int index, int generation, int res, long extra0, long extra1) {
        OpSlot op = inFlight(index, generation);
        if (op != null) {
            completer.finish(op, res, extra0, extra1, null);    // straight to it: one inlining level less (see submit)
        } else {
            completer.stray(index, generation, res);
        }
    }

    @Override
    public void completedShutDown(int index, int generation, int res, String why) {
        OpSlot op = inFlight(index, generation);
        if (op != null) {
            completer.finish(op, res, 0, 0, why);
        } else {
            completer.stray(index, generation, res);
        }
    }

    /** The op in flight in slot {@code index} with {@code generation}, or null: a CQE never hits a reused slot. */
    private OpSlot inFlight(int index, int generation) {
        OpSlot op = table.slot(index);
        return op.generation == generation && op.isInFlight() ? op : null;
    }

    // ---- accepting, failure, abandonment ----

    /** Whether new ops are taken: not once a shutdown has begun, even before the loop noticed it. */
    @Override
    public boolean isAccepting() {
        return accepting && !loop.isShuttingDown();
    }

    @Override
    public void stopAccepting() {
        if (accepting) {
            accepting = false;
            table.signalRoom(true);
        }
    }

    @Override
    public void failWaiting(Throwable cause) {
        for (OpSlot op; (op = takeUnwritten()) != null; ) {
            completer.fail(op, cause);
        }
        for (OpSlot op; (op = table.pollHandedOverConcurrently()) != null; ) {
            completer.fail(op, cause);
        }
    }

    @Override
    public void couldNotStart(Throwable cause) {
        stopAccepting();
        CoreRegistry.unpublish(this);
        failWaiting(cause);
    }

    @Override
    public int engineGone(Throwable cause) {
        failWaiting(cause);
        return abandonInFlight(cause);
    }

    /**
     * Fails every op the kernel may still be working on, without releasing anything: its memory stays pinned
     * and its slot taken for good, rather than let the kernel write into memory the JVM has reused.
     */
    private int abandonInFlight(Throwable cause) {
        int abandoned = 0;
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight() && op.target != null) {
                completer.abandon(op, cause);
                abandoned++;
            }
        }
        return abandoned;
    }

    @Override
    public void die(Throwable cause) {
        failure = cause;
        stopAccepting();
        logger.log(System.Logger.Level.ERROR, this + " failed; failing every pending operation", cause);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (OpSlot op; (op = takeUnwritten()) != null; ) {
            completer.fail(op, cause);
        }
        // Waits (a while) for ops claimed before the death to be handed over, and lets finished ops release
        // their memory.
        do {
            for (OpSlot op; (op = table.pollHandedOver()) != null; ) {
                completer.fail(op, cause);
            }
        } while (engine.reapAfterFailure() && table.inUse() > table.inFlight() && System.nanoTime() < deadline);
        engine.failUnstarted(cause);
        int abandoned = abandonInFlight(cause);
        if (abandoned > 0) {
            logger.log(System.Logger.Level.ERROR, this + ": " + abandoned
                    + " operations were in the kernel when it failed; their buffers stay pinned");
        }
        dead = true;
        failHandedOverAfterDeath(cause);
    }

    @Override
    public void neverReached(int index, int generation, Throwable cause) {
        OpSlot op = table.slot(index);
        if (op.isInFlight() && op.generation == generation) {
            // Each link of a chain has its own entry in the engine: fail them one by one.
            op.next = -1;
            completer.fail(op, cause);
        }
    }

    @Override
    public boolean hasFailed() {
        return failure != null;
    }

    /**
     * Fails what was handed over after the loop died or its engine refused more work: a thread that claimed a
     * slot just before the death and handed it over after {@link #die} finished would otherwise wait for ever.
     * Both sides call this after their volatile write ({@code dead}, or the hand-over), so one of them sees the
     * op; a hand-over still being published is waited for. Any thread.
     */
    private void failHandedOverAfterDeath(Throwable cause) {
        for (;;) {
            OpSlot op = table.pollHandedOverConcurrently();
            if (op != null) {
                completer.fail(op, cause);
            } else if (table.hasHandedOver()) {
                Thread.onSpinWait();
            } else {
                return;
            }
        }
    }

    // ---- files ----

    /**
     * Turns a descriptor that an open returned into a public file of this loop (into a registered slot if
     * {@code register}): the one designed call from a completion up to the public API. Loop thread.
     */
    IoUringFile adoptOpened(int fd, int flags, boolean register, FileLife life) {
        int slot = -1;
        try {
            if (register) {
                slot = engine.registerFile(fd);
            }
            return newFile(fd, flags, slot, life);
        } catch (Exception e) {
            if (slot >= 0) {
                engine.unregisterFile(slot);
            }
            closeQuietly(fd);
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    /** A file of this loop over a descriptor an open returned. */
    IoUringFile newFile(int fd, int flags, int fixedSlot, FileLife life) throws UringException {
        Statx alignment = (flags & Linux.O_DIRECT) != 0 ? Statx.ofFd(fd) : null;
        return new IoUringFile(this, fd, fixedSlot, flags, alignment, life);
    }

    /** Frees a file's registered slot; loop thread. */
    void unregisterFile(int slot) {
        engine.unregisterFile(slot);
    }

    /** Runs {@code task} on the loop thread, or returns false if the loop takes no more tasks. */
    boolean runOnLoop(Runnable task) {
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

    @Override
    public String toString() {
        return engine.toString();
    }
}
