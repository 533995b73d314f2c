package io.i2o2.file;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

import java.util.function.Consumer;

/**
 * The life of one open file as the leak detector sees it, shared by an {@link IoUringFile} and its
 * {@link IoUringFile#blocking()} views: whether it owns its descriptor, the path it was opened by, and the
 * leak tracker that reports it if it is collected unclosed while it owns its descriptor. Its references and
 * close state are its {@link OpenFile}'s.
 *
 * <p>An open makes it on the caller's thread, before the op is claimed, so a leak report says where the
 * file was opened, not which loop thread completed the open.
 */
final class FileLife {
    private static final System.Logger LOGGER = System.getLogger(IoUringFile.class.getName());
    private static final ResourceLeakDetector<FileLife> LEAKS = new UnclosedFileDetector();
    /** What a leak report says first: a file has no {@code release()}, which Netty's own report would name. */
    static final String UNCLOSED = "LEAK: an IoUringFile was not closed (close()) before it was garbage-collected;"
            + " its descriptor stayed open until then.";
    /** Also told each leak report (tests); null for none. */
    static volatile Consumer<String> reports;

    final boolean ownsFd;
    /** The path it was opened by, or null (a descriptor opened elsewhere). */
    final String path;
    /** Null when the descriptor is not ours, or when the detector did not sample this file. */
    private final ResourceLeakTracker<FileLife> leak;
    /** Whether a file took this life (an open that failed leaves it unadopted). */
    private boolean adopted;

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

    /**
     * Netty's leak detector (its level, sampling and access records, {@code io.netty.leakDetection.*}) with a
     * report in a file's words: Netty's own says "{@code IoUringFile.release() was not called}", and a file has
     * no {@code release()}. Made here rather than by {@code ResourceLeakDetectorFactory}, whose detectors
     * word their reports themselves.
     */
    private static final class UnclosedFileDetector extends ResourceLeakDetector<FileLife> {
        UnclosedFileDetector() {
            // The sampling interval Netty's default factory reads.
            super(IoUringFile.class, Integer.getInteger("io.netty.leakDetection.samplingInterval", 128));
        }

        @Override
        protected boolean needReport() {
            return reports != null || LOGGER.isLoggable(System.Logger.Level.ERROR);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            report(UNCLOSED + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            report(UNCLOSED + " To see where it was opened, enable advanced leak reporting"
                    + " (-Dio.netty.leakDetection.level=advanced).");
        }

        private static void report(String message) {
            LOGGER.log(System.Logger.Level.ERROR, message);
            Consumer<String> tap = reports;
            if (tap != null) {
                tap.accept(message);
            }
        }
    }
}
