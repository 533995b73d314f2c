package io.i2o2.file;

import io.i2o2.uring.Linux;
import io.i2o2.uring.UserData;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One entry of a loop's {@link OpTable}: everything about one operation from the moment a thread claims
 * it until its CQE has been handled. Preallocated and reused, so an operation allocates nothing here.
 *
 * <p>The submitting thread fills the fields after {@link OpTable#claim}; they reach the loop through the
 * table's queue (release/acquire), and from then on only the loop touches them. The SQE-shaped fields
 * ({@code fd} to {@code cmdOp}) mean what {@link OpKind#encode} of this op's kind says they mean; the
 * arguments whose meaning differs per kind are filled by one method per kind of op ({@link #transfer},
 * {@link #openat}, ...) and read through names that say what they are.
 *
 * <p>Where the result goes is {@link #target}; what the op keeps alive is any of {@link #buf},
 * {@link #bufs}, {@link #guard}, {@link #closeable} and {@link #memory}, each set once, at claim.
 */
final class OpSlot {
    /** Not in use: on the free list. */
    private static final byte FREE = 0;
    /** Claimed by a submitting thread, being filled. */
    private static final byte CLAIMED = 1;
    /** Handed to the loop, not yet written into an SQE. */
    private static final byte QUEUED = 2;
    /** In an SQE the kernel may be working on: only its CQE frees the slot. */
    private static final byte IN_FLIGHT = 3;

    /** This slot's index in the table; part of the op's {@code user_data}. */
    final int index;
    /** Native memory owned by this slot (iovecs, timespec, statx, command image), valid until the CQE. */
    final MemorySegment scratch;
    /**
     * Bumped each time the slot is reused ({@link #recycle}); part of {@code user_data}, so a stale CQE never
     * hits a new op.
     */
    int generation;
    /**
     * Whether this generation's op may still enter the ring: {@code generation << 2} plus {@link #GATE_OPEN},
     * {@link #GATE_CANCELLED} (a returned promise was cancelled first: the op is dropped) or
     * {@link #GATE_ENTERED} (the loop took it to the ring: too late to drop). The one word a canceller and
     * the loop race on, and it lives in the slot, whose line the loop holds anyway when it takes the op: a
     * CAS on the promise instead cost the loop a cache miss per op.
     */
    @SuppressWarnings("unused")     // through GATE
    private volatile int gate;
    /** Where the op is in its life, {@link #FREE} to {@link #IN_FLIGHT}: changed only by the methods below. */
    private byte state;
    /** Whether the op went to the polled ring of an IOPOLL loop (its CQE comes from there). */
    boolean polled;

    OpKind kind;
    /**
     * The file this op works on (an {@code openat2}'s directory, of any loop), or null; holds one of the file's
     * op references until completion.
     */
    OpenFile file;
    /** Whether {@link #file}'s reference is a loop-thread share ({@link OpenFile#acquireOp}), not its own. */
    boolean fileShare;
    int fd;
    boolean fixedFile;
    long addr;
    int len;
    long offset;
    /** An int argument, meaning per kind: read it through its name ({@link #openFlags()}, {@link #advice()}, ...). */
    private int arg;
    /** A second int argument: an open's creation mode ({@link #openMode()}). */
    private int arg2;
    /** A long argument: a rename's new path ({@link #newPath()}), a fallocate's length ({@link #fallocateLength()}). */
    private long addr2;
    int bufIndex;
    int cmdOp;
    /** A {@code uring_cmd}'s {@code uring_cmd_flags} ({@code IORING_URING_CMD_FIXED}: data in {@link #bufIndex}). */
    int cmdFlags;
    /** Extra {@code IOSQE_*} flags (links). */
    int sqeFlags;
    /** Next slot of a linked chain, or -1. */
    int next = -1;
    /**
     * Next op of the same batch ({@link BatchedOps}), independent of this one, or -1: a batch travels to the loop
     * as one hand-over of its first op, the others hanging off it here until the loop writes them.
     */
    int following = -1;
    /**
     * The lane of the thread that claimed this slot, to which the loop gives it back when the op ends; null for a
     * claim without one (the loop thread, a virtual thread). Set at claim, cleared at release.
     */
    ProducerLane lane;
    /** The batch this op belongs to, told when the op ends; null for an op submitted alone. */
    BatchPromise batch;
    /** What writes a raw op's SQE. */
    SqeFiller filler;

    /** Where the result goes. */
    Target target;
    /** The callback when {@link #target} is {@link Target.Callback}, told apart by {@link #tag}. */
    IoCallback callback;
    long tag;

    /** The buffer the kernel reads or writes, retained by this op until completion. */
    ByteBuf buf;
    /** The buffers of a vectored op, each retained until completion. */
    ByteBuf[] bufs;
    /** A raw op's reference-counted guard, released at completion. */
    ReferenceCounted guard;
    /** A raw op's closeable guard, closed at completion. */
    AutoCloseable closeable;
    /** The JFR event of this op, when its type is enabled. */
    FileEvents.FileIoEvent event;
    /** The life of the file an open makes (made on the opening thread, so a leak report says where). */
    FileLife opening;
    /** Native memory the kernel reads beyond the scratch (paths, long iovec arrays), reachable until completion. */
    MemorySegment memory;

    static final int GATE_OPEN = 0;
    static final int GATE_CANCELLED = 1;
    static final int GATE_ENTERED = 2;
    private static final VarHandle GATE;

    static {
        try {
            GATE = MethodHandles.lookup().findVarHandle(OpSlot.class, "gate", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Opens the gate for the slot's current generation. When the slot is reused, before anyone claims it. */
    private void openGate() {
        GATE.setRelease(this, generation << 2 | GATE_OPEN);
    }

    /**
     * Takes this generation's op through the gate to the ring. Loop thread.
     *
     * @return false if it was cancelled first
     */
    boolean enterGate() {
        int open = generation << 2 | GATE_OPEN;
        return (int) GATE.getOpaque(this) == open && GATE.compareAndSet(this, open, generation << 2 | GATE_ENTERED);
    }

    /**
     * Takes this op to the ring, or to the worker that runs it, unless it was cancelled first: through its
     * returned promise (its gate) or with its {@link #batch}. A cancelled op's target hears it is dropped here,
     * so a promise is cancelled before the op completes with {@code ECANCELED}, never failed with it. Loop
     * thread, or the portable engine's worker that starts the op.
     *
     * @return false if the op must complete without the kernel
     */
    boolean enterRing() {
        if ((batch == null || !batch.isCancelled()) && target.enterRing(this)) {
            return true;
        }
        target.dropped();
        return false;
    }

    /**
     * Shuts the gate on the op of {@code generation} if it has not entered the ring yet. Any thread.
     *
     * @return true if the op will never enter the ring
     */
    boolean cancelBeforeRing(int generation) {
        return GATE.compareAndSet(this, generation << 2 | GATE_OPEN, generation << 2 | GATE_CANCELLED);
    }

    /**
     * Whether the op of {@code generation} could still be cancelled before the ring. Any thread.
     *
     * @return true while its gate is open
     */
    boolean gateOpen(int generation) {
        return (int) GATE.getVolatile(this) == (generation << 2 | GATE_OPEN);
    }

    // ---- the op's life: every change of state ----

    /** A submitting thread took the slot from the free list ({@link OpTable#claim}). */
    void claimed() {
        state = CLAIMED;
    }

    /** The op waits for the loop to write it into an SQE: queued on the loop thread, or handed over. */
    void queued() {
        state = QUEUED;
    }

    /** The op is in an SQE the kernel may be working on: from now on only its CQE frees the slot. Loop thread. */
    void inFlight() {
        state = IN_FLIGHT;
    }

    /** Whether the op is in an SQE whose CQE has not been handled. */
    boolean isInFlight() {
        return state == IN_FLIGHT;
    }

    /**
     * Makes the slot free for its next op: cleared ({@link #clear}), the next generation, its gate open. Before
     * the slot goes back to a free list.
     *
     * @return whether the op was in flight (its table counts one fewer)
     */
    boolean recycle() {
        boolean wasInFlight = state == IN_FLIGHT;
        clear();
        generation = UserData.nextGeneration(generation);
        openGate();
        state = FREE;
        return wasInFlight;
    }

    // ---- filling the op, one method per kind of op (submitting thread, after the claim) ----

    /** A read or write of one buffer's {@code len} bytes at {@code addr}, file {@code offset}; the buffer is retained. */
    void transfer(OpKind kind, ByteBuf buf, long addr, int len, long offset) {
        this.kind = kind;
        this.buf = buf;
        this.addr = addr;
        this.len = len;
        this.offset = offset;
    }

    /**
     * A vectored read or write: {@code count} iovecs in {@code iovecs} (the scratch, or {@code memory} when they
     * do not fit); the retained buffers are {@code one}, or {@code several}.
     */
    void vectored(OpKind kind, ByteBuf one, ByteBuf[] several, MemorySegment iovecs, MemorySegment memory, int count,
                  long offset) {
        this.kind = kind;
        this.buf = one;
        this.bufs = several;
        this.memory = memory;
        this.addr = iovecs.address();
        this.len = count;
        this.offset = offset;
    }

    /**
     * An op on a range of the file without buffers: {@code arg} is a sync_file_range's flags, a fallocate's mode
     * or an fadvise's advice; {@code length} a fallocate's length ({@code len} the others').
     */
    void range(OpKind kind, long offset, int len, int arg, long length) {
        this.kind = kind;
        this.offset = offset;
        this.len = len;
        this.arg = arg;
        this.addr2 = length;
    }

    /** An {@code openat} of the path in {@code path} (kept reachable), for the file whose life {@code life} tracks. */
    void openat(OpKind kind, MemorySegment path, int flags, int mode, FileLife life) {
        this.kind = kind;
        this.fd = Linux.AT_FDCWD;
        this.memory = path;
        this.addr = path.address();
        this.arg = flags;
        this.arg2 = mode;
        this.opening = life;
    }

    /**
     * An {@code openat2} of the relative path in {@code path} (kept reachable) from the directory {@code dirFd}:
     * {@code dir} when one of our files, whose op reference this op holds from now on; the {@code open_how} is in
     * the scratch. {@code flags} are also the new file's ({@link #openFlags()}).
     */
    void openat2(OpKind kind, OpenFile dir, int dirFd, MemorySegment path, int flags, FileLife life) {
        this.kind = kind;
        this.file = dir;
        this.fd = dirFd;
        this.memory = path;
        this.addr = path.address();
        this.arg = flags;
        this.opening = life;
    }

    /** A {@code statx} of descriptor {@code fd}, or of the path at {@code path} ({@code memory}, kept reachable). */
    void statx(int fd, long path, int flags, MemorySegment memory) {
        this.kind = OpKind.STATX;
        this.fd = fd;
        this.addr = path;
        this.arg = flags;
        this.memory = memory;
    }

    /** An unlink, mkdir or rename of the path(s) in {@code paths}: {@code newPath} a rename's second; {@code arg} flags or mode. */
    void paths(OpKind kind, MemorySegment paths, long newPath, int arg) {
        this.kind = kind;
        this.fd = Linux.AT_FDCWD;
        this.memory = paths;
        this.addr = paths.address();
        this.addr2 = newPath;
        this.arg = arg;
    }

    /** An {@code madvise} of {@code len} bytes at {@code addr}. */
    void madvise(long addr, int len, int advice) {
        this.kind = OpKind.MADVISE;
        this.addr = addr;
        this.len = len;
        this.arg = advice;
    }

    // ---- the arguments by name, as each kind reads them ----

    /** An open's {@code O_*} flags. */
    int openFlags() {
        return arg;
    }

    /** An open's creation mode. */
    int openMode() {
        return arg2;
    }

    /** The {@code AT_*} or {@code RENAME_*} flags of a statx, unlink or rename. */
    int pathFlags() {
        return arg;
    }

    /** A mkdir's mode. */
    int mkdirMode() {
        return arg;
    }

    /** A rename's new path. */
    long newPath() {
        return addr2;
    }

    /** A sync_file_range's flags. */
    int syncFlags() {
        return arg;
    }

    /** A fallocate's mode. */
    int fallocateMode() {
        return arg;
    }

    /** A fallocate's length. */
    long fallocateLength() {
        return addr2;
    }

    /** An fadvise's or madvise's advice. */
    int advice() {
        return arg;
    }

    OpSlot(int index, MemorySegment scratch) {
        this.index = index;
        this.scratch = scratch;
    }

    /**
     * Resets the slot for its next op, keeping index, scratch and generation: references dropped, so that
     * nothing an op pinned stays reachable from a free slot, and every field back to its default. Writes only
     * what differs from the default: a freed slot is next claimed and filled by another thread, and a line
     * the loop never wrote costs that thread no transfer from the loop's cache.
     */
    void clear() {
        if (kind != null) {
            kind = null;
        }
        if (polled) {
            polled = false;
        }
        if (file != null) {
            file = null;
        }
        if (fileShare) {
            fileShare = false;
        }
        if (fd != 0) {
            fd = 0;
        }
        if (fixedFile) {
            fixedFile = false;
        }
        if (addr != 0) {
            addr = 0;
        }
        if (len != 0) {
            len = 0;
        }
        if (offset != 0) {
            offset = 0;
        }
        if (arg != 0) {
            arg = 0;
        }
        if (arg2 != 0) {
            arg2 = 0;
        }
        if (addr2 != 0) {
            addr2 = 0;
        }
        if (bufIndex != 0) {
            bufIndex = 0;
        }
        if (cmdOp != 0) {
            cmdOp = 0;
        }
        if (cmdFlags != 0) {
            cmdFlags = 0;
        }
        if (sqeFlags != 0) {
            sqeFlags = 0;
        }
        if (next != -1) {
            next = -1;
        }
        if (following != -1) {
            following = -1;
        }
        if (batch != null) {
            batch = null;
        }
        if (filler != null) {
            filler = null;
        }
        if (target != null) {
            target = null;
        }
        if (callback != null) {
            callback = null;
        }
        if (tag != 0) {
            tag = 0;
        }
        if (buf != null) {
            buf = null;
        }
        if (bufs != null) {
            bufs = null;
        }
        if (guard != null) {
            guard = null;
        }
        if (closeable != null) {
            closeable = null;
        }
        if (memory != null) {
            memory = null;
        }
        if (opening != null) {
            opening = null;
        }
        if (event != null) {
            event = null;
        }
    }
}
