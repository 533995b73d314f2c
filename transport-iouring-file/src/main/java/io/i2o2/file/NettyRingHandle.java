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
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * File IO on the ring of Netty's own io_uring loop ({@code IoUringIoHandler}), through Netty's public API
 * only: this handle, the {@link Engine} of the loop's {@link FileIoCore}, registers itself as an
 * {@link IoUringIoHandle}, submits each op as an
 * {@link IoUringIoOps} through that registration, and completes it from the {@link IoUringIoEvent} Netty
 * hands back on the loop's thread, so a channel handler's file reads never leave its loop.
 *
 * <p>Ops come in as everywhere else (claim a slot of the table, fill it) and are encoded by the same
 * {@link OpKind#encode} into a detached 64-byte SQE, whose fields become the {@code IoUringIoOps}; the
 * {@code data} Netty carries to the completion is the op's slot index. The loop thread's own ops go in at
 * once; ops from other threads are handed over through the table's queue and drained by one task per batch
 * (not one per op): this handle's {@link #wake}.
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
final class NettyRingHandle implements IoUringIoHandle, Sqe.Fields<IoUringIoOps>, Engine {
    private static final System.Logger logger = System.getLogger(NettyRingHandle.class.getName());
    /** The top value of Netty's 16-bit {@code data} marks cancellation requests; slot indexes are below it. */
    private static final short CANCEL_DATA = (short) 0xffff;
    /**
     * Ops one core holds: an {@code IoUringConfig} does not reach Netty's loops, so the process-wide default
     * {@code -Dio.i2o2.maxInFlight} (4096) applies, capped so that every slot index fits below {@link #CANCEL_DATA}.
     */
    static final int MAX_IN_FLIGHT = Math.min(ConfigProperties.MAX_IN_FLIGHT, 0xffff);
    private static volatile Probe probe;

    /**
     * Loop thread: the entry every op is encoded into before it becomes an {@code IoUringIoOps}; the kernel
     * never sees it. Native, as every other segment the loop writes: a heap one made the JDK's shared segment
     * accessors see two kinds of segment on this loop (reads QD32: 0.88-0.90x Netty raw with it, 0.93x
     * without, in runs of five and six rounds; within the noise, not against it).
     */
    private final IoEventLoop loop;
    /** The loop's core, which this handle is the engine of: called back only as its {@link EngineHost}. */
    private final EngineHost core;
    /** The same core, as {@link #attach} hands it out. */
    private final FileIoCore fileIo;
    private final OpTable table;
    private final EngineTraits traits;
    private final Sqe scratch = Sqe.detached(Arena.ofAuto().allocate(64, 64));
    /** Per slot, the {@code user_data} Netty gave the op: what a cancellation names. Loop thread. */
    private final long[] nettyIds = new long[MAX_IN_FLIGHT];
    private final LoopDrain drain;
    /** Loop thread; null until Netty registered this handle. */
    private IoRegistration registration;
    /** The {@code data} of the entry being read back into an {@code IoUringIoOps}. Loop thread. */
    private short encodingData;
    /** Whether Netty closed this handle (its loop is shutting down) and the ops in its ring were cancelled. Loop thread. */
    private boolean closed;

    private NettyRingHandle(IoEventLoop loop) {
        this.loop = loop;
        Map<EngineFeature, String> lacking = new EnumMap<>(EngineFeature.class);
        lacking.put(EngineFeature.URING_CMD, NO_URING_CMD);
        lacking.put(EngineFeature.FIXED_BUFFERS, NO_FIXED_BUFFERS);
        lacking.put(EngineFeature.FIXED_FILES, NO_FIXED_FILES);
        lacking.put(EngineFeature.LINKED_CHAINS, NO_CHAINS);
        this.traits = new EngineTraits(IoEngine.NETTY_RING, Set.of(), Set.of(), 1, null, 0, lacking,
                "raise -Dio.i2o2.maxInFlight (IoUringConfig does not reach Netty's io_uring loops; at most 65535)");
        // Netty's loop has no turn of ours that drains: the loop thread's own ops go in at once.
        this.fileIo = new FileIoCore(loop, this, MAX_IN_FLIGHT, true, Integer.MAX_VALUE);
        this.core = fileIo;
        this.table = core.table();
        this.drain = new LoopDrain(loop, core);
    }

    /** The core of Netty io_uring loop {@code loop}: made, registered and published on first use. */
    static FileIoCore attach(IoEventLoop loop) {
        synchronized (NettyRingHandle.class) {
            FileIoCore existing = CoreRegistry.of(loop);
            if (existing != null) {
                return existing;
            }
            NettyRingHandle handle = new NettyRingHandle(loop);
            CoreRegistry.publish(handle.fileIo);
            // Registering is a task on the loop (done at once on the loop's own thread); ops handed over
            // meanwhile wait in the queue and are drained when it completes.
            loop.register(handle).addListener(handle::registered);
            loop.terminationFuture().addListener(f -> handle.loopGone());
            return handle.fileIo;
        }
    }

    private void registered(Future<? super IoRegistration> f) {
        if (f.isSuccess()) {
            registration = (IoRegistration) f.getNow();
            core.started();                     // listeners of the loop's own promise run on its thread
            core.drain();
        } else {
            core.couldNotStart(f.cause());
        }
    }

    // ---- Engine: what this ring is ----

    @Override
    public EngineTraits traits() {
        return traits;
    }

    @Override
    public WakeMechanism wakeMechanism() {
        return WakeMechanism.NETTY;
    }

    @Override
    public int workerThreads() {
        return 0;
    }

    @Override
    public long cqOverflows() {
        return 0;
    }

    @Override
    public Probe probe() {
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

    // What Netty's loop cannot do, refused with UnsupportedOperationException (see FileIo), each naming
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

    // ---- Engine: ops ----

    /** Schedules the drain of what was handed over, once per batch. */
    @Override
    public void wake() {
        drain.schedule();
    }

    /** Netty submits as it likes: there is always room. */
    @Override
    public boolean reserve(OpSlot head, int links) {
        return true;
    }

    @Override
    public void put(OpSlot op) {
        IoUringIoOps ops = readOrWrite(op);
        if (ops == null) {
            scratch.clear();
            op.kind.encode(scratch, op);
            encodingData = (short) op.index;
            ops = scratch.readBack(this);
        }
        nettyIds[op.index] = registration.submit(ops);
    }

    /**
     * A plain read or write (the hot pair) made straight from its slot, skipping the scratch entry: the five
     * fields {@code Sqe.prepRead} / {@code prepWrite} set, every other one zero, as {@code NettyRingHandleTest}
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
    public void cancel(OpSlot op) {
        scratch.clear();
        scratch.prepCancel(nettyIds[op.index], 0);
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
            core.completedShutDown(index, op.generation, cqe.res(), this + " shut down: the op was cancelled in "
                    + "the kernel");
        } else {
            core.completed(index, op.generation, cqe.res(), 0, 0);
        }
    }

    /**
     * Netty closes its handles when its loop starts shutting down (on the loop's thread, once per turn until it
     * terminates): take no more ops, refuse those handed over, and ask the kernel to stop those in its ring,
     * whose CQEs Netty still delivers while it drains; Netty closes its ring without waiting for the rest.
     */
    @Override
    public void close() {
        core.stopAccepting();
        if (!loop.inEventLoop()) {
            return;
        }
        core.failWaiting(new RejectedExecutionException(this + " is shutting down"));
        if (!closed) {
            closed = true;
            core.cancelAllInFlight();
        }
    }

    /** The loop terminated: what never came back from its ring stays pinned forever; the rest fails. */
    private void loopGone() {
        RejectedExecutionException cause = new RejectedExecutionException(this + " shut down while the op was "
                + "still in the kernel (its buffers stay pinned)");
        int abandoned = core.engineGone(cause);
        if (abandoned > 0) {
            logger.log(System.Logger.Level.WARNING, this + ": " + abandoned + " operations were still in Netty's "
                    + "ring when it closed; their buffers stay pinned");
        }
    }

    // ---- Engine: the loop dies (Netty's never does: it closes, above) ----

    @Override
    public boolean reapAfterFailure() {
        return false;
    }

    @Override
    public void failUnstarted(Throwable cause) {
        // Nothing: what Netty's ring took is Netty's.
    }

    // ---- Engine: files (never called: this engine lacks FIXED_FILES) ----

    @Override
    public int registerFile(int fd) {
        throw new IllegalStateException("Netty's io_uring loops have no registered-file slots");
    }

    @Override
    public void unregisterFile(int slot) {
        throw new IllegalStateException("Netty's io_uring loops have no registered-file slots");
    }

    @Override
    public String toString() {
        return "NettyIoUringFileIo[" + loop + "]";
    }
}
