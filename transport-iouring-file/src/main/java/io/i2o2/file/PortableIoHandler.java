package io.i2o2.file;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code IoHandler} of this library's portable loops: the loop runs tasks, among them the
 * {@link PortableEngine}'s drains and completions, and sleeps here when Netty says it may. Its end waits for
 * the ops already accepted (cancelling, at the group's graceful timeout, those no worker has taken), so nothing
 * a worker may still touch is released early; a worker stuck in a call that never returns (a FIFO nobody
 * feeds, a hung network file system) is left behind after a further grace, its op failed and its memory pinned.
 */
final class PortableIoHandler extends FileIoHandler {
    private static final System.Logger logger = System.getLogger(PortableIoHandler.class.getName());
    /** How long the end waits after cancelling for calls that cannot be cancelled before leaving them. */
    private static final long CANCEL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final IoUringConfig config;
    private final PortableEngine engine;
    private final EngineHost core;
    private volatile Thread thread;
    /** Whether a task came in since the loop last looked: set by {@link #wakeup}. */
    private volatile boolean woken;
    private volatile boolean parked;

    PortableIoHandler(IoEventLoop loop, IoUringConfig config) {
        this.config = config;
        this.engine = new PortableEngine(loop, PortableSettings.of(config), true);
        this.core = engine.core();
        if (!CoreRegistry.publish(engine.core())) {
            throw new IllegalStateException(loop + " already has a file core");
        }
    }

    @Override
    public void initialize() {
        thread = Thread.currentThread();
        engine.startOnLoop();
    }

    @Override
    public int run(IoHandlerContext context) {
        if (context.canBlock()) {
            park(context);
        }
        return 0;
    }

    /** Sleeps until a task, the next scheduled task or a while of watching for one has passed. */
    private void park(IoHandlerContext context) {
        long timeout = context.deadlineNanos() == -1 ? Long.MAX_VALUE : context.delayNanos(System.nanoTime());
        if (timeout <= 0) {
            return;
        }
        // Results usually come back within microseconds when workers are busy: watching for them spares the
        // worker the wake-up and the loop a sleep.
        long spin = Math.min(config.spinNanos(), timeout);
        for (long start = System.nanoTime(); System.nanoTime() - start < spin; ) {
            if (woken) {
                woken = false;
                return;
            }
            Thread.onSpinWait();
        }
        parked = true;
        try {
            if (!woken) {
                LockSupport.parkNanos(this, timeout);
            }
        } finally {
            parked = false;
            woken = false;
        }
    }

    @Override
    public void wakeup() {
        if (!woken) {
            woken = true;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Without the group's graceful timeout, {@link IoUringConfig#shutdownTimeoutNanos()} from now. */
    @Override
    public void prepareToDestroy() {
        shutdownBegins(config.shutdownTimeoutNanos(), core);
    }

    /**
     * Waits for every accepted op: what waits is written, results are completed and due timers fire; at the
     * deadline what no worker has taken is cancelled, and after a grace the ops still in system calls are failed
     * and left pinned with their workers.
     */
    @Override
    public void destroy() {
        core.stopAccepting();
        engine.endingOn(Thread.currentThread());
        boolean cancelled = false;
        long giveUp = 0;
        while (!core.hasFailed()) {
            core.drain();
            engine.completeHandedBack();
            engine.fireDueTimers();
            if (core.drained()) {
                break;
            }
            long now = System.nanoTime();
            if (!cancelled && now - shutdownDeadline() >= 0) {
                cancelled = true;
                giveUp = now + CANCEL_GRACE_NANOS;
                core.cancelAllInFlight();
                continue;
            }
            if (cancelled && now - giveUp >= 0) {
                int stuck = core.table().inFlight();
                core.die(new IllegalStateException(engine + ": " + stuck + " operations were still in system calls "
                        + "that did not return after the shutdown's cancellation; their worker threads are left "
                        + "behind and their buffers stay pinned"));
                break;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
        engine.loopEnded();
        engine.workers().shutdown();
        if (!core.hasFailed()) {
            core.table().closeScratch();
        } else {
            logger.log(System.Logger.Level.DEBUG, engine + " ended with operations left behind");
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) {
        throw new UnsupportedOperationException(engine + " runs file operations, not channels: register channels "
                + "with a Netty transport's loop, and use FileIo.of(loop) there for files");
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return false;
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
