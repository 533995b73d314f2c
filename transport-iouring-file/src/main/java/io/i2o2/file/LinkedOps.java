package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A chain of operations the kernel runs one after the other ({@code IOSQE_IO_LINK}): each starts only when
 * the one before has succeeded; after a failure the rest complete with {@code ECANCELED}. Build it on one
 * thread, then {@link #submit()}; nothing is checked, retained or queued before that, so a chain that is
 * never submitted holds nothing.
 *
 * <pre>{@code
 * LinkedOps chain = io.link();
 * IntFuture written = chain.write(file, record, offset);
 * IntFuture synced = chain.fdatasync(file);
 * chain.submit();   // the record is durable when synced succeeds
 * }</pre>
 *
 * <p>Each link has its own future. If any link fails its checks at {@link #submit()} (a bad buffer, a file
 * of another loop, a full loop), that link's future says why, every other link fails with an
 * {@link IllegalStateException} naming it, nothing reaches the kernel and nothing stays retained.
 */
public final class LinkedOps {
    private final FileIoCore core;
    private final List<Link> links = new ArrayList<>();
    private boolean submitted;

    /** One link: its future, and how to claim and fill its slot (null when refused, with the future failed). */
    private record Link(IoPromise<?> promise, Function<Target, OpSlot> prepare, boolean timeout) {
    }

    LinkedOps(FileIoCore core) {
        this.core = core;
    }

    /**
     * Links a read ({@link IoUringFile#read(ByteBuf, long)}).
     *
     * @param file the file to read
     * @param dst where to read into: its writable bytes
     * @param offset the file offset in bytes
     * @return the byte count read, once the chain runs
     */
    public IntFuture read(IoUringFile file, ByteBuf dst, long offset) {
        return add(file, target -> file.ops().prepareRead(dst, offset, target));
    }

    /**
     * Links a write ({@link IoUringFile#write(ByteBuf, long)}).
     *
     * @param file the file to write
     * @param src the bytes to write: its readable bytes
     * @param offset the file offset in bytes
     * @return the byte count written, once the chain runs
     */
    public IntFuture write(IoUringFile file, ByteBuf src, long offset) {
        return add(file, target -> file.ops().prepareWrite(src, offset, target));
    }

    /**
     * Links an {@code fsync}.
     *
     * @param file the file to sync
     * @return the sync's result, once the chain runs
     */
    public IntFuture fsync(IoUringFile file) {
        return add(file, target -> file.ops().prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, target));
    }

    /**
     * Links an {@code fdatasync}.
     *
     * @param file the file to sync
     * @return the sync's result, once the chain runs
     */
    public IntFuture fdatasync(IoUringFile file) {
        return add(file, target -> file.ops().prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, target));
    }

    /**
     * Bounds the link added just before: if it has not completed after {@code delay}, the kernel cancels it
     * (it fails with {@code ECANCELED}). Completes when the timer is done, either way. On the portable engine a
     * blocking call cannot be stopped: the link runs to its end and the timer fails with {@code ETIME} if it
     * overran. The link before must be an operation, not another timeout (the whole chain fails otherwise, with
     * an {@code IllegalArgumentException} on this timeout's future).
     *
     * @param delay how long the previous link may take
     * @param unit the unit of {@code delay}
     * @return the timeout's own future
     */
    public Future<Void> timeoutPrevious(long delay, TimeUnit unit) {
        IoPromise<Void> p = new IoPromise<>(core);
        long nanos = unit.toNanos(delay);
        if (links.isEmpty() || nanos < 0) {
            p.setFailure(new IllegalArgumentException(links.isEmpty() ? "timeoutPrevious needs a link before it"
                    : "delay must be >= 0: " + delay));
        } else if (links.get(links.size() - 1).timeout()) {
            // The kernel refuses a link timeout after another (EINVAL, the whole chain failed): said here instead.
            p.setFailure(new IllegalArgumentException("timeoutPrevious bounds an operation, not another timeout"));
        }
        OpBuilder timers = core.api().ops();
        links.add(new Link(p, target -> timers.prepareTimer(OpKind.LINK_TIMEOUT, delay, unit, target), true));
        return p;
    }

    private IntFuture add(IoUringFile file, Function<Target, OpSlot> prepare) {
        IntPromise p = new IntPromise(core);
        if (submitted) {
            p.setFailure(new IllegalStateException("the chain was submitted already"));
            return p;
        }
        if (file == null) {
            throw new NullPointerException("file");
        }
        if (file.io() != core.api()) {
            p.setFailure(new IllegalArgumentException(file + " belongs to " + file.io() + ", not to this chain's "
                    + core));
        } else if (links.size() == core.maxChainLength()) {
            p.setFailure(new IllegalArgumentException("a chain cannot be longer than the SQ ("
                    + core.maxChainLength() + " entries)"));
        }
        links.add(new Link(p, prepare, false));
        return p;
    }

    /**
     * Checks, retains and claims every link, then hands the chain to the loop; if a link is refused, fails
     * every link instead and keeps nothing.
     */
    public void submit() {
        if (submitted) {
            throw new IllegalStateException("the chain was submitted already");
        }
        submitted = true;
        OpSlot head = null;
        OpSlot tail = null;
        Throwable refused = null;
        for (Link link : links) {
            OpSlot op = link.promise().isDone() ? null : link.prepare().apply(link.promise());
            if (op == null) {
                refused = link.promise().cause() != null ? link.promise().cause()
                        : new IllegalStateException("link refused");
                break;
            }
            if (tail == null) {
                head = op;
            } else {
                tail.next = op.index;
            }
            tail = op;
        }
        if (refused != null) {
            IllegalStateException cause = new IllegalStateException("chain not submitted: a link failed", refused);
            if (head != null) {
                core.failUnsubmitted(head, cause);
            }
            for (Link link : links) {
                link.promise().tryFailure(cause);
            }
        } else if (head != null) {
            core.submit(head);
        }
    }

    @Override
    public String toString() {
        return "LinkedOps[" + links.size() + " links" + (submitted ? ", submitted" : "") + "]";
    }
}
