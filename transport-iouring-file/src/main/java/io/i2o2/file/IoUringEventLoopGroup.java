package io.i2o2.file;

import io.i2o2.uring.UringException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.MultithreadEventExecutorGroup;
import io.netty.util.concurrent.ThreadPerTaskExecutor;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the two group types share: N {@link IoUringEventLoop}s, each one thread and one ring, as a Netty
 * {@link io.netty.util.concurrent.EventExecutorGroup}. {@link #next()} picks a loop round robin;
 * {@code shutdownGracefully()} drains every loop's operations, then closes the rings.
 */
public abstract class IoUringEventLoopGroup extends MultithreadEventExecutorGroup {
    IoUringEventLoopGroup(int nThreads, IoUringConfig config, boolean passthrough) {
        // newChild runs inside super(): everything it needs travels in the arguments, fields are not set yet.
        super(checkThreads(nThreads), (Executor) null, config, passthrough, new AtomicInteger());
        // Start every loop now: its thread enables the ring, and a kernel refusal surfaces at once.
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

    @Override
    protected final EventExecutor newChild(Executor executor, Object... args) throws UringException {
        IoUringConfig config = (IoUringConfig) args[0];
        boolean passthrough = (Boolean) args[1];
        int[] cpus = config.cpuAffinity();
        int index = ((AtomicInteger) args[2]).getAndIncrement();
        Executor threads = new ThreadPerTaskExecutor(config.threadFactoryFor(getClass()));
        return new IoUringEventLoop(this, threads, config, passthrough, cpus.length == 0 ? -1 : cpus[index % cpus.length]);
    }

    @Override
    public IoUringEventLoop next() {
        return (IoUringEventLoop) super.next();
    }
}
