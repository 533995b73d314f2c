package io.i2o2.file;

import io.netty.channel.IoHandler;

/**
 * The {@code IoHandler}s of this library's loops, one per engine that owns its loop, and what their shutdown
 * shares: when it stops waiting for the loop's ops and cancels them.
 */
abstract sealed class FileIoHandler implements IoHandler permits RingIoHandler, PortableIoHandler {
    private volatile long shutdownDeadline;
    private volatile boolean deadlineSet;

    /**
     * Sets when a shutdown stops waiting for in-flight ops and cancels them ({@link System#nanoTime}): the group's
     * graceful timeout. The first call wins.
     */
    final void shutdownDeadline(long deadline) {
        if (!deadlineSet) {
            shutdownDeadline = deadline;
            deadlineSet = true;
        }
    }

    /** When the shutdown stops waiting ({@link System#nanoTime}); meaningful once it began. */
    final long shutdownDeadline() {
        return shutdownDeadline;
    }

    /**
     * The shutdown begins: without a deadline from the group, it is {@code timeoutNanos} from now; {@code core}
     * takes no more ops (those accepted still run).
     */
    final void shutdownBegins(long timeoutNanos, EngineHost core) {
        shutdownDeadline(System.nanoTime() + timeoutNanos);
        core.stopAccepting();
    }
}
