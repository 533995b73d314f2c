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
 * Makes one handler per loop of this library's groups: a {@link RingIoHandler} (pinned to the next CPU of the
 * configuration's affinity list), or a {@link PortableIoHandler} where the engine choice
 * ({@link EngineSelection}, decided once when the factory is made) says so; and remembers them, so that a
 * group can tell each of its loops when a shutdown stops waiting.
 */
final class FileIoHandlerFactory implements IoHandlerFactory {
    private final IoUringConfig config;
    private final boolean passthrough;
    private final boolean portable;
    private final AtomicInteger made = new AtomicInteger();
    private final List<FileIoHandler> handlers = new CopyOnWriteArrayList<>();

    /**
     * A factory for loops set up by {@code config} running the engine {@code choice} picks, with 128-byte SQEs
     * if {@code passthrough} (and a ring).
     *
     * @throws UnsupportedOperationException where the chosen engine cannot run here
     */
    FileIoHandlerFactory(IoUringConfig config, EngineChoice choice, boolean passthrough) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.passthrough = passthrough;
        // A machine where the choice cannot run fails here, with the reason as the message, not at the first loop.
        this.portable = EngineSelection.portable(choice);
        if (portable) {
            EngineSelection.checkRingSettings(config);      // once per group, not per loop
        }
    }

    /** Whether this factory's loops run the portable engine. */
    boolean portable() {
        return portable;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        if (!(executor instanceof IoEventLoop loop)) {
            throw new IllegalArgumentException("a file loop needs a Netty IoEventLoop, not " + executor);
        }
        FileIoHandler handler;
        if (portable) {
            handler = new PortableIoHandler(loop, config);
        } else {
            int[] cpus = config.cpuAffinity();
            int index = made.getAndIncrement();
            try {
                handler = new RingIoHandler(loop, config, passthrough, cpus.length == 0 ? -1 : cpus[index % cpus.length]);
            } catch (UringException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        handlers.add(handler);
        return handler;
    }

    /** Sets when each loop made here stops waiting for its operations at shutdown ({@link System#nanoTime}). */
    void shutdownDeadline(long deadline) {
        for (FileIoHandler h : handlers) {
            h.shutdownDeadline(deadline);
        }
    }
}
