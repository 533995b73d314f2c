package io.i2o2.file;

/**
 * The loop's {@link FileIoCore} as its {@link Engine} sees it: the one way an engine calls back up, as Netty's
 * {@code IoHandler} calls its {@code IoHandle}s. Loop thread, unless a method says otherwise.
 */
sealed interface EngineHost permits FileIoCore {

    /** The loop's slot table (the engine reads its ops' slots, never frees them). */
    OpTable table();

    /** The engine takes ops from now on: the calling thread is the loop's, which frees nearly every slot. */
    void started();

    /** Writes what waits into the engine, in order, until nothing is left or it has no room; returns how many. */
    int drain();

    /** The completion of the op in slot {@code index}, use {@code generation} (a stale one is logged). */
    void completed(int index, int generation, int res, long extra0, long extra1);

    /**
     * The completion of an op the loop cancelled because it is shutting down: a failure becomes a
     * {@code RejectedExecutionException} saying {@code why}, with the kernel's error as its cause.
     */
    void completedShutDown(int index, int generation, int res, String why);

    /** An op put into the engine that the kernel never took fails and releases what it pinned. */
    void neverReached(int index, int generation, Throwable cause);

    /** Whether ops wait to be written into the engine (queued, carried, handed over). */
    boolean hasQueuedWork();

    /** Whether every op ever claimed has completed. */
    boolean drained();

    /** Whether new ops are taken. Any thread. */
    boolean isAccepting();

    /** Refuses new ops from now on; those already claimed still run. Any thread. */
    void stopAccepting();

    /** Asks the engine to cancel every op in flight. */
    void cancelAllInFlight();

    /** Fails every op that waits to be written into the engine. Any thread once the loop has ended. */
    void failWaiting(Throwable cause);

    /**
     * The engine could not start (Netty refused the registration): refuse everything from now on, leave the
     * registry (the loop may get another engine) and fail what waits. Any thread.
     */
    void couldNotStart(Throwable cause);

    /**
     * The engine is gone with ops still in it that will never complete (Netty closed its ring): fail what waits,
     * and fail what is in flight without releasing what it pinned; returns how many were abandoned. Any thread
     * once the loop has ended.
     */
    int engineGone(Throwable cause);

    /**
     * The loop cannot go on: every op that never reached the kernel fails and releases what it pinned, every op
     * the kernel may still touch fails but stays pinned, and nothing submitted around the death is left waiting.
     */
    void die(Throwable cause);

    /** Whether the loop has started dying. */
    boolean hasFailed();
}
