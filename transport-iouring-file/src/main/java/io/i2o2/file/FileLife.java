package io.i2o2.file;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The life of one open file, shared by an {@link IoUringFile} and its {@link IoUringFile#blocking()} views:
 * its references (one for the open file, one per op in flight), its close state, and the leak tracker that
 * reports it if it is collected unclosed while it owns its descriptor.
 *
 * <p>An open makes it on the caller's thread, before the op is claimed, so a leak report says where the
 * file was opened, not which loop thread completed the open.
 */
final class FileLife {
    @SuppressWarnings("unchecked")
    private static final ResourceLeakDetector<FileLife> LEAKS = (ResourceLeakDetector<FileLife>)
            (ResourceLeakDetector<?>) ResourceLeakDetectorFactory.instance().newResourceLeakDetector(IoUringFile.class);

    final AtomicInteger refs = new AtomicInteger(1);
    /**
     * Ops claimed on the file's loop thread that share one of {@link #refs} ({@link IoUringFile#acquireOp});
     * 0 when they hold none. Loop thread only.
     */
    int loopShares;
    final boolean ownsFd;
    /** The path it was opened by, or null (a descriptor opened elsewhere). */
    final String path;
    /** Null when the descriptor is not ours, or when the detector did not sample this file. */
    private final ResourceLeakTracker<FileLife> leak;
    /** Whether a file took this life (an open that failed leaves it unadopted). */
    private boolean adopted;
    volatile Promise<Void> closed;

    private FileLife(boolean ownsFd, String path) {
        this.ownsFd = ownsFd;
        this.path = path;
        this.leak = ownsFd ? LEAKS.track(this) : null;
    }

    /** The life of a file about to be opened: tracked from here, the caller's thread. */
    static FileLife opening(String path) {
        return new FileLife(true, path);
    }

    /** The life of a descriptor opened elsewhere ({@link IoUringFile#wrap}). */
    static FileLife wrapping(boolean ownsFd) {
        return new FileLife(ownsFd, null);
    }

    void adopt() {
        adopted = true;
    }

    /** The open this life was made for is over; if no file took it (the open failed), nothing can leak. */
    void openEnded() {
        if (!adopted) {
            closed();
        }
    }

    /** The file was closed: nothing to report any more. */
    void closed() {
        if (leak != null) {
            leak.close(this);
        }
    }
}
