package io.i2o2.file;

import io.netty.util.concurrent.Future;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The short spin of a platform thread that waits for one of our futures before it parks. An op of a busy loop
 * completes within tens of microseconds, and a waiter that parks pays a futex sleep and a wake-up (each tens of
 * microseconds on these paravirtualized hosts) while the loop, with nothing handed over meanwhile, parks too and
 * must be woken for the waiter's next op. A producer handing over one batch of 32 page-cache reads at a time
 * spent most of its wall time in those two wake-ups (perf, 2026-12-07: the machine two-thirds idle, 1.5 context
 * switches per batch, 0.38-0.49x the loop-thread reads); spinning up to 100 us it ran at 0.78-1.04x, the Future
 * API's reads from one thread at 0.88-1.16x.
 *
 * <p>Only a lone waiter spins: while more threads wait on our futures than there are CPUs besides one (on two
 * CPUs: any second waiter), none does. Several waiting producers keep the loop busy by themselves, and there a
 * spinning one only took CPU from the loop: with a spin for whoever came first, 2 producers with 32 NOPs in
 * flight each ran at 0.19x the C hand-off against 0.32x without, 64 producers 0.13x against 0.20x. The spin also
 * adapts, as an adaptive mutex does: a wait that ended within it keeps the whole spin
 * ({@code io.i2o2.waiterSpinMicros}, default 100 us, 0 turns it off); one that outlasted it halves it for the next
 * waits (down to 1/16th), and every 16th wait tries the whole spin again, so waits that last far longer (an
 * O_DIRECT read on a slow disk, a FIFO) burn little. Virtual threads never spin: they would hold their carrier.
 */
final class WaiterSpin {
    private static final long MAX_NANOS = ConfigProperties.WAITER_SPIN_NANOS;
    private static final long MIN_NANOS = MAX_NANOS / 16;
    /** Waiters at which spinning stops: one per CPU but one, at least one. */
    private static final int MAX_WAITERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    /** Threads now waiting on one of our futures, spinning or parked. */
    private static final AtomicInteger WAITERS = new AtomicInteger();
    /** The spin of the next wait; racy on purpose: a hint, not a count. */
    private static volatile long budget = MAX_NANOS;
    /** Waits so far, to retry the whole spin every 16th; racy on purpose. */
    private static int waits;

    private WaiterSpin() {
    }

    /**
     * A thread starts waiting (spinning, then parked); every call is followed by one of {@link #stopped()} on the
     * same thread. Nothing is counted with the spin off, nor for virtual threads: they never spin, and a count
     * per op of thousands of them would be a contended line of its own.
     */
    static void started() {
        if (MAX_NANOS > 0 && !Thread.currentThread().isVirtual()) {
            WAITERS.incrementAndGet();
        }
    }

    /** The thread that {@link #started()} waiting stops. */
    static void stopped() {
        if (MAX_NANOS > 0 && !Thread.currentThread().isVirtual()) {
            WAITERS.decrementAndGet();
        }
    }

    /**
     * Spins until {@code future} is done, for at most the current spin and never past {@code deadline} (0: none);
     * at once false for a virtual thread, or when other threads wait too. Between {@link #started()} and
     * {@link #stopped()}.
     *
     * @param future what is waited for
     * @param deadline a {@link System#nanoTime()} not to spin past, or 0
     * @return whether the future is done
     */
    static boolean until(Future<?> future, long deadline) {
        if (MAX_NANOS <= 0 || future.isDone() || Thread.currentThread().isVirtual() || WAITERS.get() > MAX_WAITERS) {
            return future.isDone();
        }
        long spin = (++waits & 15) == 0 ? MAX_NANOS : budget;
        long start = System.nanoTime();
        long end = deadline != 0 && deadline - start < spin ? deadline : start + spin;
        while (!future.isDone()) {
            if (System.nanoTime() - end >= 0 || WAITERS.get() > MAX_WAITERS) {
                budget = Math.max(MIN_NANOS, spin / 2);
                return false;
            }
            Thread.onSpinWait();
        }
        budget = MAX_NANOS;
        return true;
    }
}
