package io.i2o2.file;

import io.i2o2.uring.CompletionHandler;
import io.i2o2.uring.RingWaker;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;


/**
 * Turns CQEs into completed operations, on the loop thread: finds the op's slot, applies the result,
 * releases what the op pinned (exactly once), frees the slot, and only then completes the promise or calls
 * the callback, so a listener that submits again finds the slot and the buffer's reference free.
 */
final class OpCompleter implements CompletionHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(OpCompleter.class);

    private final IoUringEventLoop loop;
    private final OpTable table;
    private Submitter submitter;
    private RingWaker waker;

    OpCompleter(IoUringEventLoop loop, OpTable table) {
        this.loop = loop;
        this.table = table;
    }

    void init(Submitter submitter) {
        this.submitter = submitter;
    }

    void setWaker(RingWaker waker) {
        this.waker = waker;
    }

    @Override
    public void onCompletion(long userData, int res, int flags, long extra0, long extra1) {
        long kind = OpTable.kind(userData);
        if (kind == OpTable.KIND_OP) {
            OpSlot op = table.slot(OpTable.index(userData));
            if (op.generation != OpTable.generation(userData) || op.state != OpSlot.IN_FLIGHT) {
                logger.warn("{}: CQE for slot {} generation {} matches no op in flight (res {})", loop,
                        op.index, OpTable.generation(userData), res);
                return;
            }
            submitter.opCompleted();
            finish(op, res, extra0, extra1);
        } else if (kind == OpTable.KIND_WAKE) {
            waker.onWakeCompletion();
        }
        // KIND_CANCEL: the cancel request's own result; the target op's CQE carries the outcome.
    }

    /** Completes {@code op} with {@code res}: from its CQE, or without the kernel (dropped before submission). */
    void finish(OpSlot op, int res, long extra0, long extra1) {
        OpKind kind = op.kind;
        Object target = op.target;
        long tag = op.tag;
        boolean ok = kind.succeeded(res);
        Object value = null;
        Throwable failure = null;
        if (ok) {
            try {
                value = kind.onSuccess(loop, op, res, extra0, extra1);
            } catch (Throwable t) {
                ok = false;
                failure = t;
            }
        } else if (!(target instanceof IoCallback)) {
            failure = error(op, res);
        }
        unpin(op);
        table.free(op);
        deliver(kind, target, tag, ok, res, value, failure);
    }

    private static IoUringIOException error(OpSlot op, int res) {
        String detail = op.kind.takesPath() && op.memory != null ? "path=" + op.memory.getString(0) : null;
        return new IoUringIOException(op.kind.opName(), -res, op.kind == OpKind.MADVISE ? -1 : op.fd,
                op.kind.hasOffset() ? op.offset : -1, detail);
    }

    /** Fails an op that never reached the kernel, releasing what it pinned; a chain fails link by link. */
    void fail(OpSlot head, Throwable cause) {
        for (OpSlot op = head; op != null; ) {
            OpSlot next = op.next >= 0 ? table.slot(op.next) : null;
            OpKind kind = op.kind;
            Object target = op.target;
            long tag = op.tag;
            unpin(op);
            table.free(op);
            deliver(kind, target, tag, false, -io.i2o2.uring.Errno.ECANCELED, null, cause);
            op = next;
        }
    }

    /**
     * Fails an op the kernel may still be working on, without releasing anything: its memory stays pinned
     * and its slot taken for good.
     */
    void abandon(OpSlot op, Throwable cause) {
        Object target = op.target;
        op.target = null;
        deliver(op.kind, target, op.tag, false, -io.i2o2.uring.Errno.ECANCELED, null, cause);
    }

    /** Releases what the op kept alive, each thing exactly once; the user's own mistakes are logged, not thrown. */
    private void unpin(OpSlot op) {
        try {
            if (op.buf != null) {
                op.buf.release();
            }
            if (op.pin instanceof ByteBuf[] bufs) {
                for (ByteBuf b : bufs) {
                    b.release();
                }
            } else if (op.pin instanceof ReferenceCounted rc) {
                rc.release();
            } else if (op.pin instanceof AutoCloseable c) {
                c.close();
            }
        } catch (Throwable t) {
            logger.warn("{}: releasing what a {} op pinned failed (released elsewhere too?)", loop,
                    op.kind.opName(), t);
        }
        if (op.file != null) {
            op.file.releaseOp();
        }
    }

    /** Order matters on the hot path: an exact class check first, then the one-interface callbacks. */
    @SuppressWarnings("unchecked")
    private void deliver(OpKind kind, Object target, long tag, boolean ok, int res, Object value, Throwable failure) {
        if (target instanceof IntPromise p) {
            if (ok) {
                p.trySucceed(res);
            } else {
                p.tryFailure(failure);
            }
        } else if (target instanceof IoCallback cb) {
            try {
                cb.onComplete(res, tag);
            } catch (Throwable t) {
                logger.warn("{}: an IoCallback threw", loop, t);
            }
        } else if (target instanceof Promise<?> p) {
            Promise<Object> promise = (Promise<Object>) p;
            if (!ok) {
                promise.tryFailure(failure);
            } else if (!promise.trySuccess(switch (kind.result()) {
                case INT -> res;
                case VOID -> null;
                case VALUE -> value;
            }) && value instanceof IoUringFile orphan) {
                // Opened after its promise was cancelled: nobody will ever close it but us.
                orphan.close();
            }
        }
    }
}
