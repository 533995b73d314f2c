package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelVersion;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.RejectedExecutionException;

/**
 * Turns completions into finished operations, on the loop thread: finds the op's slot, applies the result,
 * releases what the op pinned (exactly once), frees the slot, and only then completes the promise or calls
 * the callback, so a listener that submits again finds the slot and the buffer's reference free. Knows
 * nothing of which ring delivered the completion.
 */
final class OpCompleter {
    private static final System.Logger logger = System.getLogger(OpCompleter.class.getName());

    private final FileIoCore core;
    private final OpTable table;

    OpCompleter(FileIoCore core, OpTable table) {
        this.core = core;
        this.table = table;
    }

    /** A CQE whose slot holds no op of its generation in flight: nothing to complete, said once in the log. */
    void stray(int index, int generation, int res) {
        logger.log(System.Logger.Level.WARNING, core + ": CQE for slot " + index + " generation " + generation
                + " matches no op in flight (res " + res + ")");
    }

    /** Completes {@code op} with {@code res}: from its CQE, or without the kernel (dropped before submission). */
    void finish(OpSlot op, int res, long extra0, long extra1) {
        finish(op, res, extra0, extra1, null);
    }

    /**
     * Completes {@code op}; {@code shutDown}, if not null, says its loop cancelled it because it is shutting down:
     * a failure is then reported as a {@code RejectedExecutionException} saying so, the kernel's error as its cause.
     */
    void finish(OpSlot op, int res, long extra0, long extra1, String shutDown) {
        if (op.event != null) {
            FileEvents.end(op, res, core.traits().engine());
        }
        OpKind kind = op.kind;
        Target target = op.target;
        if (target == null) {
            releaseAbandoned(op, res);
            return;
        }
        IoCallback callback = op.callback;
        long tag = op.tag;
        BatchPromise batch = op.batch;
        boolean ok = kind.succeeded(res);
        Object value = null;
        Throwable failure = null;
        if (ok) {
            try {
                value = kind.onSuccess(core, op, res, extra0, extra1);
            } catch (Throwable t) {
                ok = false;
                failure = t;
            }
        } else if (target.takesException()) {
            failure = error(op, res);
            if (shutDown != null) {
                failure = new RejectedExecutionException(shutDown, failure);
            }
        }
        unpin(op);
        table.free(op);
        // deliver()'s body, written out for the completion path (one inlining level less: see FileIoCore#submit).
        table.counters.ended(ok, res == -Errno.ECANCELED);
        if (!ok) {
            target.deliverFailure(res, failure, callback, tag);
        } else if (!target.deliverSuccess(kind.result(), res, value, callback, tag)) {
            closeOrphan(value);
        }
        if (batch != null) {
            batch.opEnded();    // after the op's own result: the batch's listeners find every op done
        }
    }

    private static FileIoException error(OpSlot op, int res) {
        String detail = op.kind.takesPath() && op.memory != null ? "path=" + op.memory.getString(0) : null;
        if (op.kind == OpKind.URING_CMD && op.cmdFlags != 0 && res == -Errno.EINVAL) {
            // Kernels before 6.1 refuse any uring_cmd_flags with EINVAL: say so rather than leave a bare EINVAL.
            detail = "the command's data is registered buffer " + op.bufIndex + " (IORING_URING_CMD_FIXED), which"
                    + " needs Linux 6.1+ (this kernel: " + KernelVersion.running() + "); use a buffer that is not"
                    + " from io.fixedBuffers() there";
        }
        return new FileIoException(op.kind.opName(), -res, op.kind == OpKind.MADVISE ? -1 : op.fd,
                op.kind.hasOffset() ? op.offset : -1, detail);
    }

    /**
     * Fails an op that never reached the kernel, releasing what it pinned: a chain link by link, a batch's first
     * op with every op following it.
     */
    void fail(OpSlot first, Throwable cause) {
        for (OpSlot member = first; member != null; ) {
            OpSlot following = member.following >= 0 ? table.slot(member.following) : null;
            for (OpSlot op = member; op != null; ) {
                OpSlot next = op.next >= 0 ? table.slot(op.next) : null;
                OpKind kind = op.kind;
                Target target = op.target;
                IoCallback callback = op.callback;
                long tag = op.tag;
                BatchPromise batch = op.batch;
                unpin(op);
                table.free(op);
                deliver(kind, target, callback, tag, batch, false, -Errno.ECANCELED, null, cause);
                op = next;
            }
            member = following;
        }
    }

    /**
     * Gives back what a batch's op took (its pins, file reference and slot) when the batch is refused whole
     * before submission: nothing is delivered, its target is told apart by the caller. Submitting thread.
     */
    void discard(OpSlot op) {
        unpin(op);
        table.free(op);
    }

    /**
     * Fails an op the kernel may still be working on, without releasing anything: its memory stays pinned
     * and its slot taken for good.
     */
    void abandon(OpSlot op, Throwable cause) {
        Target target = op.target;
        op.target = null;
        if (target != null) {
            deliver(op.kind, target, op.callback, op.tag, op.batch, false, -Errno.ECANCELED, null, cause);
        }
    }

    /**
     * The late completion of an op that was {@link #abandon abandoned} (failed while a worker's system call was
     * stuck in it, which then returned after all): nothing touches its memory any more, so it is released now.
     */
    private void releaseAbandoned(OpSlot op, int res) {
        logger.log(System.Logger.Level.INFO, core + ": a " + op.kind.opName() + " abandoned at shutdown returned "
                + "after all (res " + res + "); its memory is released now");
        unpin(op);
        table.free(op);
    }

    /** Releases what the op kept alive, each thing exactly once; the user's own mistakes are logged, not thrown. */
    private void unpin(OpSlot op) {
        try {
            if (op.buf != null) {
                op.buf.release();
            }
            if (op.bufs != null) {
                for (ByteBuf b : op.bufs) {
                    b.release();
                }
            }
            if (op.guard != null) {
                op.guard.release();
            }
            if (op.closeable != null) {
                op.closeable.close();
            }
        } catch (Throwable t) {
            logger.log(System.Logger.Level.WARNING, core + ": releasing what a " + op.kind.opName()
                    + " op pinned failed (released elsewhere too?)", t);
        }
        if (op.file != null) {
            op.file.releaseOp(op.fileShare);
        }
        if (op.opening != null) {
            op.opening.openEnded();
        }
    }

    /**
     * Hands the outcome to the op's target, which knows how to take it (promise, caller's promise, callback), then
     * tells the op's batch, if any, that the op ended.
     */
    private void deliver(OpKind kind, Target target, IoCallback callback, long tag, BatchPromise batch, boolean ok,
                         int res, Object value, Throwable failure) {
        table.counters.ended(ok, res == -Errno.ECANCELED);
        if (!ok) {
            target.deliverFailure(res, failure, callback, tag);
        } else if (!target.deliverSuccess(kind.result(), res, value, callback, tag)) {
            closeOrphan(value);
        }
        if (batch != null) {
            batch.opEnded();    // after the op's own result: the batch's listeners find every op done
        }
    }

    /** A file opened for a promise somebody else completed first (cancelled): nobody will close it but us. */
    private static void closeOrphan(Object value) {
        if (value instanceof IoUringFile orphan) {
            orphan.close();
        }
    }
}
