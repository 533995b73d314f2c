package io.i2o2.file;

import io.i2o2.uring.KernelTimespec;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * A chain of operations the kernel runs one after the other ({@code IOSQE_IO_LINK}): each starts only when
 * the one before has succeeded; after a failure the rest complete with {@code ECANCELED}. Build it on one
 * thread, then {@link #submit()}; nothing runs before that.
 *
 * <pre>{@code
 * LinkedOps chain = loop.link();
 * IntFuture written = chain.write(file, record, offset);
 * IntFuture synced = chain.fdatasync(file);
 * chain.submit();   // the record is durable when synced succeeds
 * }</pre>
 *
 * <p>Each link has its own future. A link that fails its checks (a bad buffer, a file of another loop)
 * fails its future at once and spoils the chain: {@link #submit()} then fails every other link too, with
 * their buffers released, and nothing reaches the kernel.
 */
public final class LinkedOps {
    private final IoUringEventLoop loop;
    private OpSlot head;
    private OpSlot tail;
    private int length;
    private Throwable spoiled;
    private boolean submitted;

    LinkedOps(IoUringEventLoop loop) {
        this.loop = loop;
    }

    /** Links a read ({@link IoUringFile#read(ByteBuf, long)}). */
    public IntFuture read(IoUringFile file, ByteBuf dst, long offset) {
        IntPromise p = loop.newIntPromise();
        if (accepts(file, p)) {
            append(file.prepareRead(dst, offset, p, 0), p);
        }
        return p;
    }

    /** Links a write ({@link IoUringFile#write(ByteBuf, long)}). */
    public IntFuture write(IoUringFile file, ByteBuf src, long offset) {
        IntPromise p = loop.newIntPromise();
        if (accepts(file, p)) {
            append(file.prepareWrite(src, offset, p, 0), p);
        }
        return p;
    }

    /** Links an {@code fsync}. */
    public IntFuture fsync(IoUringFile file) {
        return simple(file, OpKind.FSYNC, 0);
    }

    /** Links an {@code fdatasync}. */
    public IntFuture fdatasync(IoUringFile file) {
        return simple(file, OpKind.FSYNC, 1);
    }

    private IntFuture simple(IoUringFile file, OpKind kind, int arg) {
        IntPromise p = loop.newIntPromise();
        if (accepts(file, p)) {
            append(file.prepareSimple(kind, 0, 0, arg, 0, p), p);
        }
        return p;
    }

    /**
     * Bounds the link added just before: if it has not completed after {@code delay}, the kernel cancels it
     * (it fails with {@code ECANCELED}). Completes when the timer is done, either way.
     */
    public Future<Void> timeoutPrevious(long delay, TimeUnit unit) {
        IoPromise<Void> p = loop.newIoPromise();
        long nanos = unit.toNanos(delay);
        if (tail == null || nanos < 0) {
            spoil(p, new IllegalArgumentException(tail == null ? "timeoutPrevious needs a link before it"
                    : "delay must be >= 0: " + delay));
            return p;
        }
        if (accepts(null, p)) {
            OpSlot op = loop.claim(null, p, false);
            if (op != null) {
                op.kind = OpKind.LINK_TIMEOUT;
                op.target = p;
                KernelTimespec.write(op.scratch, nanos);
            }
            append(op, p);
        }
        return p;
    }

    private boolean accepts(IoUringFile file, IoPromise<?> p) {
        if (submitted) {
            p.setFailure(new IllegalStateException("the chain was submitted already"));
            return false;
        }
        if (spoiled != null) {
            p.setFailure(new IllegalStateException("the chain failed before this link", spoiled));
            return false;
        }
        if (file != null && file.loop() != loop) {
            spoil(p, new IllegalArgumentException(file + " belongs to " + file.loop() + ", not to this chain's "
                    + loop));
            return false;
        }
        if (length == loop.sqCapacity()) {
            spoil(p, new IllegalArgumentException("a chain cannot be longer than the SQ (" + length + " entries)"));
            return false;
        }
        return true;
    }

    private void spoil(IoPromise<?> p, RuntimeException cause) {
        spoiled = cause;
        p.setFailure(cause);
    }

    private void append(OpSlot op, IoPromise<?> p) {
        if (op == null) {
            // The link's own checks failed and its future says why.
            spoiled = p.cause() != null ? p.cause() : new IllegalStateException("link refused");
            return;
        }
        if (tail == null) {
            head = op;
        } else {
            tail.next = op.index;
        }
        tail = op;
        length++;
    }

    /** Hands the chain to the loop; with a spoiled chain, fails every link instead. */
    public void submit() {
        if (submitted) {
            throw new IllegalStateException("the chain was submitted already");
        }
        submitted = true;
        if (head == null) {
            return;
        }
        if (spoiled != null) {
            loop.failUnsubmitted(head, new IllegalStateException("chain not submitted: a link failed", spoiled));
        } else {
            loop.submit(head);
        }
    }

    @Override
    public String toString() {
        return "LinkedOps[" + length + " links" + (submitted ? ", submitted" : "") + "]";
    }

}
