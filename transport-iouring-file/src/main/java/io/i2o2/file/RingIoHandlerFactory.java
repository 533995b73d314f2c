package io.i2o2.file;

import io.i2o2.uring.UringException;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.ThreadAwareExecutor;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes one {@link RingIoHandler} per loop, each pinned to the next CPU of the configuration's affinity list,
 * and remembers them, so that a group can tell each of its rings when a shutdown stops waiting.
 */
final class RingIoHandlerFactory implements IoHandlerFactory {
    private final IoUringConfig config;
    private final boolean passthrough;
    private final AtomicInteger made = new AtomicInteger();
    private final List<RingIoHandler> handlers = new CopyOnWriteArrayList<>();

    RingIoHandlerFactory(IoUringConfig config, boolean passthrough) {
        this.config = config;
        this.passthrough = passthrough;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        if (!(executor instanceof IoEventLoop loop)) {
            throw new IllegalArgumentException("an io_uring file ring needs a Netty IoEventLoop, not " + executor);
        }
        int[] cpus = config.cpuAffinity();
        int index = made.getAndIncrement();
        try {
            RingIoHandler handler = new RingIoHandler(loop, config, passthrough,
                    cpus.length == 0 ? -1 : cpus[index % cpus.length]);
            handlers.add(handler);
            return handler;
        } catch (UringException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Sets when each ring made here stops waiting for its operations at shutdown ({@link System#nanoTime}). */
    void shutdownDeadline(long deadline) {
        for (RingIoHandler h : handlers) {
            h.shutdownDeadline(deadline);
        }
    }
}
