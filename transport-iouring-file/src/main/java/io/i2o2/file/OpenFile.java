package io.i2o2.file;

import io.i2o2.uring.Linux;
import io.i2o2.uring.Statx;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open descriptor as its loop's operations see it, shared by an {@link IoUringFile} and its
 * {@link IoUringFile#blocking()} views: what an op addresses (the descriptor or its registered slot, and
 * O_DIRECT's alignment rules) and the references that keep the descriptor open: one for the open file, one per
 * op in flight. {@link #close()} gives back the file's own; the last reference given back closes the
 * descriptor, so an op in flight never races a reused descriptor number.
 *
 * <p>The op table and the completer hold and release this, never the public {@link IoUringFile}: the layers
 * below the API do not call up into it.
 */
final class OpenFile {
    /** Set in {@link #refs} once {@link #close()} was called: no op takes a reference any more. */
    private static final int CLOSING = Integer.MIN_VALUE;

    private final FileIoCore core;
    private final int fd;
    private final int fixedSlot;
    private final int openFlags;
    private final int memAlign;
    private final int offsetAlign;
    private final FileLife life;
    /** One for the open file (until {@link #close()}), one per op holding its own; {@link #CLOSING} added at close. */
    private final AtomicInteger refs = new AtomicInteger(1);
    /**
     * Ops claimed on the file's loop thread that share one of {@link #refs} ({@link #acquireOp}); 0 when they
     * hold none. Loop thread only.
     */
    private int loopShares;
    private volatile Promise<Void> closed;

    OpenFile(FileIoCore core, int fd, int fixedSlot, int openFlags, Statx alignment, FileLife life) {
        this.core = core;
        this.fd = fd;
        this.fixedSlot = fixedSlot;
        this.openFlags = openFlags;
        boolean direct = (openFlags & Linux.O_DIRECT) != 0;
        // When statx cannot say (before 6.1), 4096 is safe on every device and file system.
        this.memAlign = !direct ? 1 : alignment != null && alignment.dioMemAlign() > 0 ? alignment.dioMemAlign() : 4096;
        this.offsetAlign = !direct ? 1
                : alignment != null && alignment.dioOffsetAlign() > 0 ? alignment.dioOffsetAlign() : 4096;
        this.life = life;
        life.adopt();
    }

    /** The loop whose ops run on this file. */
    FileIoCore core() {
        return core;
    }

    /** The descriptor. */
    int fd() {
        return fd;
    }

    /** The registered-file slot, or -1. */
    int fixedSlot() {
        return fixedSlot;
    }

    /** What an SQE names the file by: its registered slot when it has one, else its descriptor. */
    int sqeFd() {
        return fixedSlot >= 0 ? fixedSlot : fd;
    }

    /** Whether the descriptor's flags include {@code O_DIRECT}. */
    boolean isDirect() {
        return (openFlags & Linux.O_DIRECT) != 0;
    }

    /**
     * Whether a read of this file may be tried without waiting and, if it comes back short, read again whole:
     * a regular file without O_DIRECT (a pipe's or socket's data would be consumed by the first try). Asked of the
     * kernel once ({@code statx}), on the first read that wants to know. Loop thread.
     */
    boolean triesReadsWithoutWaiting() {
        byte r = readsWithoutWaiting;
        if (r == UNKNOWN) {
            boolean regular;
            try {
                regular = !isDirect() && io.i2o2.uring.Statx.ofFd(fd).isRegularFile();
            } catch (io.i2o2.uring.UringException | RuntimeException e) {
                regular = false;
            }
            readsWithoutWaiting = r = regular ? YES : NO;
        }
        return r == YES;
    }

    /** The file system refuses reads without waiting ({@code RWF_NOWAIT}): none is tried again. Loop thread. */
    void cannotReadWithoutWaiting() {
        readsWithoutWaiting = NO;
    }

    private static final byte UNKNOWN = 0;
    private static final byte YES = 1;
    private static final byte NO = 2;
    /** {@link #triesReadsWithoutWaiting()}'s answer once known: {@link #UNKNOWN}, {@link #YES} or {@link #NO}. Loop thread. */
    private byte readsWithoutWaiting;

    /** O_DIRECT buffer address alignment in bytes (1 when not O_DIRECT). */
    int memoryAlignment() {
        return memAlign;
    }

    /** O_DIRECT offset and length alignment in bytes (1 when not O_DIRECT). */
    int offsetAlignment() {
        return offsetAlign;
    }

    /** The path this file was opened by; null for a descriptor opened elsewhere ({@link IoUringFile#wrap}). */
    String pathOrNull() {
        return life.path;
    }

    /** Whether {@link #close()} has not been called. */
    boolean isOpen() {
        return refs.get() >= 0;
    }

    /**
     * Refuses new ops from now on and closes the descriptor once the ops in flight have given back their
     * references. Idempotent.
     *
     * @return completes once the descriptor is closed; every call returns the same one
     */
    Future<Void> close() {
        if (closed == null) {
            synchronized (this) {
                if (closed == null) {
                    closed = new IoPromise<>(core);
                    life.closed();
                    int before = refs.getAndUpdate(r -> r < 0 ? r : (r - 1) | CLOSING);
                    if (before == 1) {
                        finishClose();
                    }
                }
            }
        }
        return closed;
    }

    /**
     * Takes a reference for an op; false once closing. On the loop thread ({@code onLoop}) the op takes a share
     * of one reference that all the loop's own ops hold together: a plain count instead of two atomics per op
     * (2% of a page-cache read's loop time on Netty's loop). A share never leaves the loop thread: an op handed
     * over trades it for a reference of its own first ({@link #shareToReference}).
     *
     * @return whether the op holds a reference (of its own, or a share when {@code onLoop})
     */
    boolean acquireOp(boolean onLoop) {
        if (onLoop && loopShares > 0) {
            // The shares' reference keeps the descriptor open; a close that began refuses new ops as the CAS does.
            if (refs.get() < 0) {
                return false;
            }
            loopShares++;
            return true;
        }
        for (;;) {
            int r = refs.get();
            if (r < 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                if (onLoop) {
                    loopShares = 1;
                }
                return true;
            }
        }
    }

    /** Gives back what {@link #acquireOp} took; the last reference of a closing file closes it. */
    void releaseOp(boolean share) {
        if (share && --loopShares > 0) {
            return;
        }
        if (refs.decrementAndGet() == CLOSING) {
            finishClose();
        }
    }

    /** A loop-thread op leaves the loop thread's hands (handed over): its share becomes a reference of its own. */
    void shareToReference() {
        // The shares hold a reference until this returns, so the count cannot reach CLOSING meanwhile.
        refs.getAndIncrement();
        releaseOp(true);
    }

    private void finishClose() {
        Promise<Void> done = closed;
        Runnable close = () -> {
            if (fixedSlot >= 0) {
                core.unregisterFile(fixedSlot);
            }
            if (life.ownsFd) {
                FileIoCore.closeQuietly(fd);
            }
            done.trySuccess(null);
        };
        if (fixedSlot < 0) {
            close.run();
        } else if (!core.runOnLoop(close)) {
            // The loop and its ring are gone, and with them the registered slot.
            if (life.ownsFd) {
                FileIoCore.closeQuietly(fd);
            }
            done.trySuccess(null);
        }
    }

    /** How messages name the file: as the public {@link IoUringFile} that users know. */
    @Override
    public String toString() {
        return "IoUringFile[fd=" + fd + (fixedSlot >= 0 ? ", slot=" + fixedSlot : "") + (isDirect() ? ", O_DIRECT" : "")
                + (isOpen() ? "" : ", closed") + "]";
    }
}
