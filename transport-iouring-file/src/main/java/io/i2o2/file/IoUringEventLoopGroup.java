package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * What this library's group types share: N Netty {@code IoEventLoop}s, each one thread driven by this library's
 * {@code IoHandler}: one io_uring ring per loop, or the portable engine's worker threads where io_uring is
 * unavailable or not chosen ({@link PortableFileEventLoopGroup}). {@link #next()} picks a loop round robin, and
 * {@link FileIo#of} gives its file API; {@code shutdownGracefully(quiet, timeout, unit)} lets the
 * accepted operations finish for up to {@code timeout}, cancels the rest, and closes the rings once the
 * kernel is done with every buffer.
 */
public abstract class IoUringEventLoopGroup extends MultiThreadIoEventLoopGroup {
    /** What made this group's rings: it tells them when a shutdown stops waiting. */
    private final FileIoHandlerFactory rings;

    IoUringEventLoopGroup(int nThreads, IoUringConfig config, FileIoHandlerFactory factory, Class<?> groupType) {
        // Threads named after the engine that runs: a thread dump or log line tells a portable loop from a ring's.
        super(checkThreads(nThreads), config.threadFactoryFor(factory.portable() ? PortableFileEventLoopGroup.class
                : groupType), factory);
        this.rings = factory;
        // Start every loop now: its thread enables the ring, so a kernel refusal surfaces at once.
        for (EventExecutor loop : this) {
            loop.execute(() -> { });
        }
    }

    private static int checkThreads(int nThreads) {
        if (nThreads < 1) {
            throw new IllegalArgumentException("nThreads must be >= 1: " + nThreads);
        }
        return nThreads;
    }

    /**
     * The file API of the next loop (round robin).
     *
     * @return {@code FileIo.of(next())}, an {@code IoUringFileIo} (the old name) as every file API is
     */
    @SuppressWarnings("deprecation")    // the old name still, so that code assigning it to an IoUringFileIo compiles
    public IoUringFileIo nextFileIo() {
        return IoUringFileIo.of(next());
    }

    /** Tells every ring when to stop waiting for its operations: {@code timeout} from now. */
    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(Math.max(timeout, 0));
        rings.shutdownDeadline(deadline);
        return super.shutdownGracefully(quietPeriod, timeout, unit);
    }

    /** Shuts down without waiting: operations in flight are cancelled at once. */
    @Override
    @Deprecated
    public void shutdown() {
        long now = System.nanoTime();
        rings.shutdownDeadline(now);
        super.shutdown();
    }
}
