package io.i2o2.file;

import io.netty.channel.IoEventLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

/**
 * The drain of ops handed over from other threads, as a task of the loop, scheduled once per batch (not once
 * per op): the wake-up of an engine whose loop has no turn of ours ({@link NettyRingHandle},
 * {@link PortableEngine}).
 */
final class LoopDrain implements Runnable {
    private static final VarHandle SCHEDULED;

    static {
        try {
            SCHEDULED = MethodHandles.lookup().findVarHandle(LoopDrain.class, "scheduled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoEventLoop loop;
    private final EngineHost core;
    @SuppressWarnings("unused")     // through SCHEDULED
    private volatile int scheduled;

    LoopDrain(IoEventLoop loop, EngineHost core) {
        this.loop = loop;
        this.core = core;
    }

    /**
     * Makes sure a drain runs on the loop after this call. Any thread.
     *
     * @throws RejectedExecutionException when the loop takes no more tasks
     */
    void schedule() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                loop.execute(this);
            } catch (RejectedExecutionException gone) {
                scheduled = 0;
                throw gone;
            }
        }
    }

    /** Loop thread: writes every waiting op into the engine. */
    @Override
    public void run() {
        scheduled = 0;     // before draining: an op handed over from now on schedules another drain
        core.drain();
    }
}
