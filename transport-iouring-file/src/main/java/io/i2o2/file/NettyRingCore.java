package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Probe;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.UringException;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.Future;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

/**
 * File IO on the ring of Netty's own io_uring loop ({@code IoUringIoHandler}), through Netty's public API
 * only: this core registers itself as an {@link IoUringIoHandle}, submits each op as an
 * {@link IoUringIoOps} through that registration, and completes it from the {@link IoUringIoEvent} Netty
 * hands back on the loop's thread, so a channel handler's file reads never leave its loop.
 *
 * <p>Ops come in as everywhere else (claim a slot of the table, fill it) and are encoded by the same
 * {@link OpKind#encode} into a detached 64-byte SQE, whose fields become the {@code IoUringIoOps}; the
 * {@code data} Netty carries to the completion is the op's slot index. Ops from other threads are handed
 * over through the table's queue and drained by one task per batch (not one per op).
 *
 * <p>What Netty's public API cannot do is refused at once, naming the group to use instead: registered
 * buffers and files (its ring's descriptor is not public), 128-byte SQEs ({@code uring_cmd}), linked chains
 * (Netty may submit between two links of a chain and break it).
 *
 * <p>Shutdown follows Netty's: when its loop starts shutting down it closes every registration (as it closes
 * its channels), so ops still handed over (not yet in its ring) are refused with
 * {@code RejectedExecutionException}, nothing kept, and ops in its ring are cancelled
 * ({@code IORING_OP_ASYNC_CANCEL}): those the kernel stops fail with a {@code RejectedExecutionException}
 * naming the shutdown (the kernel's {@code ECANCELED} as its cause) while Netty drains its ring, those it had
 * finished complete as usual. Netty closes its ring without waiting for the rest, which never get a CQE:
 * once the loop terminated they fail with a {@code RejectedExecutionException} too, and keep their buffers
 * pinned forever rather than let the kernel write into reused memory. So every future of this core is done
 * once the loop terminated, most of them before.
 */
final class NettyRingCore extends FileIoCore implements IoUringIoHandle, Sqe.Fields<IoUringIoOps> {
    private static final System.Logger logger = System.getLogger(NettyRingCore.class.getName());
    /** The top value of Netty's 16-bit {@code data} marks cancellation requests; slot indexes are below it. */
    private static final short CANCEL_DATA = (short) 0xffff;
    /**
     * Ops one core holds: an {@code IoUringConfig} does not reach Netty's loops, so the process-wide default
     * {@code -Dio.i2o2.maxInFlight} (4096) applies, capped so that every slot index fits below {@link #CANCEL_DATA}.
     */
    static final int MAX_IN_FLIGHT = Math.min(ConfigProperties.MAX_IN_FLIGHT, 0xffff);
    private static final VarHandle DRAIN_SCHEDULED;
    private static volatile Probe probe;

    static {
        try {
            DRAIN_SCHEDULED = MethodHandles.lookup().findVarHandle(NettyRingCore.class, "drainScheduled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Loop thread: the entry every op is encoded into before it becomes an {@code IoUringIoOps}; the kernel
     * never sees it. Native, as every other segment the loop writes: a heap one made the JDK's shared segment
     * accessors see two kinds of segment on this loop (reads QD32: 0.88-0.90x Netty raw with it, 0.93x
     * without, in runs of five and six rounds; within the noise, not against it).
     */
    private final Sqe scratch = Sqe.detached(Arena.ofAuto().allocate(64, 64));
    /** Per slot, the {@code user_data} Netty gave the op: what a cancellation names. Loop thread. */
    private final long[] nettyIds = new long[MAX_IN_FLIGHT];
    private final Runnable drainTask = this::drain;
    @SuppressWarnings("unused")
    private volatile int drainScheduled;
    /** Loop thread; null until Netty registered this core, and again once it closed it. */
    private IoRegistration registration;
    /** The {@code data} of the entry being read back into an {@code IoUringIoOps}. Loop thread. */
    private short encodingData;
    /**
     * Whether an op is being encoded into {@link #scratch}: a raw op's filler (user code) that submits on the
     * loop thread then hands its op over rather than clear the scratch entry under the filler. Loop thread.
     */
    private boolean encoding;
    /** Whether Netty closed this handle (its loop is shutting down) and the ops in its ring were cancelled. Loop thread. */
    private boolean closed;

    private NettyRingCore(IoEventLoop loop) {
        super(loop, MAX_IN_FLIGHT);
    }

    /** The core of Netty io_uring loop {@code loop}: made, registered and published on first use. */
    static FileIoCore attach(IoEventLoop loop) {
        synchronized (NettyRingCore.class) {
            FileIoCore existing = of(loop);
            if (existing != null) {
                return existing;
            }
            NettyRingCore core = new NettyRingCore(loop);
            core.publish();
            // Registering is a task on the loop (done at once on the loop's own thread); ops handed over
            // meanwhile wait in the queue and are drained when it completes.
            loop.register(core).addListener(core::registered);
            loop.terminationFuture().addListener(f -> core.loopGone());
            return core;
        }
    }

    private void registered(Future<? super IoRegistration> f) {
        if (f.isSuccess()) {
            registration = (IoRegistration) f.getNow();
            if (inEventLoop()) {                // listeners of the loop's own promise run there
                table.ownedBy(Thread.currentThread());
            }
            drain();
        } else {
            stopAccepting();
            unpublish();
            failQueued(f.cause());
        }
    }

    // ---- what this ring is ----

    @Override
    boolean isPassthrough() {
        return false;
    }

    @Override
    Probe probe() {
        Probe p = probe;
        if (p == null) {
            // Netty keeps its probe to itself: ask the kernel through a tiny ring of our own, once.
            try (Ring ring = Ring.open(RingParams.builder().entries(2).build())) {
                p = ring.probe();
            } catch (UringException e) {
                throw new IllegalStateException("could not probe io_uring opcodes", e);
            }
            probe = p;
        }
        return p;
    }

    // What Netty's loop cannot do, refused with UnsupportedOperationException (see IoUringFileIo), each naming
    // the group to use instead.

    /** Why {@code readFixed} / {@code writeFixed} / {@code fixedBuffers()} are refused here. */
    static final String NO_FIXED_BUFFERS = "registered buffers need this library's ring: Netty's public API cannot "
            + "register buffers with its io_uring loop; use a loop of an IoUringFileEventLoopGroup configured with "
            + "IoUringConfig.builder().fixedBuffers(count, size), or plain read/write here";
    /** Why {@code open(..., REGISTER)} is refused here. */
    static final String NO_FIXED_FILES = "REGISTER needs this library's ring: Netty's public API cannot register "
            + "files with its io_uring loop; use a loop of an IoUringFileEventLoopGroup configured with "
            + "IoUringConfig.builder().fixedFileSlots(n), or open without REGISTER here";
    /** Why {@code link()} is refused here. */
    static final String NO_CHAINS = "linked chains need this library's ring: Netty's io_uring loop may submit "
            + "between two links and break the chain; use a loop of an IoUringFileEventLoopGroup";
    /** Why {@code uring_cmd} is refused here. */
    static final String NO_URING_CMD = "uring_cmd needs 128-byte SQEs, which Netty's io_uring loops do not have: "
            + "run it on a loop of an IoUringPassthroughEventLoopGroup";

    @Override
    String unsupported(OpKind kind) {
        return switch (kind) {
            case URING_CMD -> NO_URING_CMD;
            case READ_FIXED, WRITE_FIXED -> NO_FIXED_BUFFERS;
            case OPENAT_REGISTERED -> NO_FIXED_FILES;
            default -> null;
        };
    }

    @Override
    int maxChainLength() {
        return 1;
    }

    @Override
    boolean hasFixedFileSlots() {
        return false;
    }

    @Override
    String raiseBound() {
        return "raise -Dio.i2o2.maxInFlight (IoUringConfig does not reach Netty's io_uring loops; at most 65535)";
    }

    // ---- submission ----

    @Override
    void enter(OpSlot op) {
        if (inEventLoop() && registration != null && !encoding && !table.hasHandedOver()) {
            submitNow(op);
            return;
        }
        table.handOver(op);
        if (DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                executor().execute(drainTask);
            } catch (RejectedExecutionException gone) {
                // The loop takes no more tasks: nobody will drain what was handed over but us.
                drainScheduled = 0;
                failQueued(gone);
            }
        }
    }

    /** Loop thread: writes every handed-over op into Netty's ring. */
    private void drain() {
        // Reset before polling: an op handed over from now on schedules another drain.
        drainScheduled = 0;
        if (registration == null) {
            return;
        }
        for (OpSlot op; (op = table.pollHandedOver()) != null; ) {
            submitNow(op);
        }
    }

    private void submitNow(OpSlot op) {
        if (!admit(op)) {
            return;
        }
        IoUringIoOps ops = readOrWrite(op);
        if (ops == null) {
            scratch.clear();
            encoding = true;
            try {
                op.kind.encode(scratch, op);
            } catch (RuntimeException | Error e) {
                // A raw op's SqeFiller (user code) threw: that op fails, nothing reached the kernel.
                completer.fail(op, e);
                return;
            } finally {
                encoding = false;
            }
            encodingData = (short) op.index;
            ops = scratch.readBack(this);
        }
        long id;
        try {
            id = registration.submit(ops);
        } catch (RuntimeException e) {
            completer.fail(op, e);
            return;
        }
        nettyIds[op.index] = id;
        table.markInFlight(op);
    }

    /**
     * A plain read or write (the hot pair) made straight from its slot, skipping the scratch entry: the five
     * fields {@code Sqe.prepRead} / {@code prepWrite} set, every other one zero, as {@code NettyRingCoreTest}
     * checks against the encoded entry; null for every other op.
     */
    static IoUringIoOps readOrWrite(OpSlot op) {
        if ((op.kind != OpKind.READ && op.kind != OpKind.WRITE) || op.sqeFlags != 0 || op.fixedFile) {
            return null;
        }
        return new IoUringIoOps((byte) (op.kind == OpKind.READ ? Opcode.READ : Opcode.WRITE), (byte) 0, (short) 0,
                op.fd, op.offset, op.addr, op.len, 0, (short) op.index, (short) 0, (short) 0, 0, 0L);
    }

    @Override
    public IoUringIoOps of(byte opcode, byte flags, short ioprio, int fd, long off, long addr, int len, int opFlags,
                           short bufIndex, short personality, int fileIndex, long addr3) {
        return new IoUringIoOps(opcode, flags, ioprio, fd, off, addr, len, opFlags, encodingData, bufIndex,
                personality, fileIndex, addr3);
    }

    @Override
    void cancelInRing(int slot, int generation) {
        OpSlot op = table.slot(slot);
        if (registration == null || op.generation != generation || !op.isInFlight()) {
            return;
        }
        scratch.clear();
        scratch.prepCancel(nettyIds[slot], 0);
        encodingData = CANCEL_DATA;
        try {
            registration.submit(scratch.readBack(this));
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.DEBUG, this + ": cancellation not submitted", e);
        }
    }

    // ---- completions: IoUringIoHandle ----

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent cqe = (IoUringIoEvent) event;
        int index = cqe.data() & 0xffff;
        if (cqe.data() == CANCEL_DATA) {
            return;
        }
        OpSlot op = table.slot(index);
        if (closed && cqe.res() == -Errno.ECANCELED) {
            completer.completeShutDown(index, op.generation, cqe.res(), this + " shut down: the op was cancelled in "
                    + "the kernel");
        } else {
            completer.complete(index, op.generation, cqe.res(), 0, 0);
        }
    }

    /**
     * Netty closes its handles when its loop starts shutting down (on the loop's thread, once per turn until it
     * terminates): take no more ops, refuse those handed over, and ask the kernel to stop those in its ring,
     * whose CQEs Netty still delivers while it drains; Netty closes its ring without waiting for the rest.
     */
    @Override
    public void close() {
        stopAccepting();
        if (!inEventLoop()) {
            return;
        }
        failQueued(new RejectedExecutionException(this + " is shutting down"));
        if (!closed) {
            closed = true;
            for (int i = 0; i < table.capacity(); i++) {
                OpSlot op = table.slot(i);
                if (op.isInFlight() && op.target != null) {
                    cancelInRing(i, op.generation);
                }
            }
        }
    }

    /** The loop terminated: what never came back from its ring stays pinned forever; the rest fails. */
    private void loopGone() {
        RejectedExecutionException cause = new RejectedExecutionException(this + " shut down while the op was "
                + "still in the kernel (its buffers stay pinned)");
        failQueued(cause);
        int abandoned = 0;
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight() && op.target != null) {
                completer.abandon(op, cause);
                abandoned++;
            }
        }
        if (abandoned > 0) {
            logger.log(System.Logger.Level.WARNING, this + ": " + abandoned + " operations were still in Netty's "
                    + "ring when it closed; their buffers stay pinned");
        }
    }

    private void failQueued(Throwable cause) {
        for (OpSlot op; (op = table.pollHandedOverConcurrently()) != null; ) {
            completer.fail(op, cause);
        }
    }

    // ---- files ----

    @Override
    IoUringFile adoptOpened(int fd, int flags, boolean register, FileLife life) {
        try {
            return newFile(fd, flags, -1, life);
        } catch (UringException | RuntimeException e) {
            closeQuietly(fd);
            throw new IllegalStateException(e);
        }
    }

    @Override
    void unregisterFile(int slot) {
        throw new IllegalStateException("Netty's io_uring loops have no registered-file slots");
    }

    @Override
    public String toString() {
        return "NettyIoUringFileIo[" + executor() + "]";
    }
}
