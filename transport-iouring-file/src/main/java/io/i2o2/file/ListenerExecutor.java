package io.i2o2.file;

import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The executor an {@link IoPromise} notifies its listeners through: the loop while it still runs every task it
 * accepts, else {@link GlobalEventExecutor}, so that no listener is lost to the loop's shutdown.
 *
 * <p>A Netty promise notifies listeners added from another thread with a task on its executor. A loop that is
 * shutting down refuses such a task ({@code RejectedExecutionException}, which Netty's promise only logs), or
 * accepts it and then terminates without running it ("terminated with non-empty task queue"): a task offered
 * between the loop's last pass over its queue and its termination is dropped. Netty's loop runs every task
 * that was in its queue when it turned {@code isShutdown()}; so a task counts as delivered only if the loop
 * accepted it and was still not shut down afterwards. In every other case the task runs on the global
 * executor too. It may then run twice (once by the loop's last pass, once on the global executor), which is
 * harmless for what a promise gives us: a notification pass takes the listeners out of the promise under its
 * lock before it calls them, and a pass that finds none, or finds another pass running, does nothing, so
 * every listener still runs exactly once, in order. Netty itself runs several passes for one promise whenever
 * listeners are added to it one after another once it is done.
 *
 * <p>Everything else (which thread is the loop's, its lifecycle) is the loop's. One per core: nothing is
 * allocated per notification beyond Netty's own task.
 */
final class ListenerExecutor extends AbstractEventExecutor {
    private final EventExecutor loop;

    ListenerExecutor(EventExecutor loop) {
        super(loop.parent());
        this.loop = loop;
    }

    /**
     * Runs {@code task} on the loop while the loop is sure to run it, else (also) on the global executor.
     *
     * @param task a listener notification pass of a promise: running it more than once must be harmless
     */
    @Override
    public void execute(Runnable task) {
        boolean accepted = false;
        if (!loop.isShutdown()) {
            try {
                loop.execute(task);
                accepted = true;
            } catch (RejectedExecutionException refused) {
                // Shutting down past its last task, or a full queue: the global executor runs it instead.
            }
        }
        // Accepted before the loop turned shut down: its final pass over the queue runs it. Accepted after
        // (or refused): the loop may drop it as it terminates, so the global executor runs it as well.
        if (!accepted || loop.isShutdown()) {
            GlobalEventExecutor.INSTANCE.execute(task);
        }
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return loop.inEventLoop(thread);
    }

    @Override
    public boolean isShuttingDown() {
        return loop.isShuttingDown();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return loop.shutdownGracefully(quietPeriod, timeout, unit);
    }

    @Override
    public Future<?> terminationFuture() {
        return loop.terminationFuture();
    }

    @Override
    @Deprecated
    public void shutdown() {
        loop.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return loop.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return loop.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return loop.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "listeners of " + loop;
    }
}
