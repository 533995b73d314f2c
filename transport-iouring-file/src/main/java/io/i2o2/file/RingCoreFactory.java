package io.i2o2.file;

import io.i2o2.uring.UringException;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.ThreadAwareExecutor;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes one {@link RingCore} per loop, each pinned to the next CPU of the configuration's affinity list. */
final class RingCoreFactory implements IoHandlerFactory {
    private final IoUringConfig config;
    private final boolean passthrough;
    private final AtomicInteger made = new AtomicInteger();

    RingCoreFactory(IoUringConfig config, boolean passthrough) {
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
            return new RingCore(loop, config, passthrough, cpus.length == 0 ? -1 : cpus[index % cpus.length]);
        } catch (UringException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
