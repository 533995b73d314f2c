package io.i2o2.bench.peer;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import io.i2o2.bench.ThreadKind;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Producer threads that submit ops through a Future API and wait on each op's future: the shape of
 * "submit from any thread, get a Future back". Shared by the Netty and i2o2 backends so that both
 * producers start, window, wait and count exactly alike; only {@link SlotOps#submit} differs.
 *
 * <p>Each producer keeps a window of ops in flight and waits on the oldest before reusing its slot. It
 * waits the way {@link #await} says: a short spin on {@code isDone()}, then a park in
 * {@code awaitUninterruptibly()}.
 */
public final class Producers {
    /** isDone() checks before parking: a few microseconds, about one loop turn of a ring. */
    private static final int SPINS = 200;

    private Producers() {
    }

    /** One producer's ops: how to submit the op of a window slot, and how to check it once it completed. */
    interface SlotOps {
        /**
         * Submits the op of {@code slot}.
         *
         * @param slot the window slot, 0 to window - 1
         * @return the op's future
         */
        Future<?> submit(int slot);

        /**
         * Checks a completed op; throws if it failed.
         *
         * @param future the op's future, done
         */
        default void completed(Future<?> future) {
            if (!future.isSuccess()) {
                throw new IllegalStateException("op failed: " + future.cause(), future.cause());
            }
        }
    }

    /** Makes the ops of one producer (called on the benchmark thread, before the producers start). */
    @FunctionalInterface
    interface SlotOpsFactory {
        /**
         * @param producer the producer's index
         * @param window   its window
         * @return its ops
         * @throws Exception if they cannot be made (registration failed)
         */
        SlotOps create(int producer, int window) throws Exception;
    }

    /** One producer's whole run, on its own thread: submits and waits until the deadline, then drains. */
    @FunctionalInterface
    interface Body {
        /**
         * @param hist     where to record each op's latency (this producer's own)
         * @param deadline {@code System.nanoTime()} after which it submits nothing more
         * @return ops completed
         * @throws Exception if an op failed
         */
        long run(LatencyHistogram hist, long deadline) throws Exception;
    }

    /** Makes one producer's body (called on the benchmark thread, before the producers start). */
    @FunctionalInterface
    interface BodyFactory {
        /**
         * @param producer the producer's index
         * @return its body
         * @throws Exception if it cannot be made (registration failed)
         */
        Body create(int producer) throws Exception;
    }

    /**
     * Runs {@code producers} threads of {@code kind}, each keeping {@code window} ops in flight until the
     * deadline, then waiting for its last ones; measures from just before they start to when all joined.
     *
     * @param producers     the number of producer threads
     * @param kind          platform or virtual
     * @param window        ops each keeps in flight
     * @param durationNanos how long they submit
     * @param factory       the ops of each producer
     * @return the measurement: every op, its latency from submission to when its producer saw it complete
     * @throws Exception if a producer failed
     */
    static Measurement run(int producers, ThreadKind kind, int window, long durationNanos, SlotOpsFactory factory)
            throws Exception {
        return runBodies(producers, kind, durationNanos, p -> {
            SlotOps ops = factory.create(p, window);
            return (hist, deadline) -> windowed(ops, window, hist, deadline);
        });
    }

    /**
     * Runs {@code producers} threads of {@code kind}, started together, each running its body; measures
     * from just before they start to when all joined. Every producer backend shares this, so that all start,
     * stop and count alike.
     *
     * @param producers     the number of producer threads
     * @param kind          platform or virtual
     * @param durationNanos how long they submit
     * @param factory       the body of each producer
     * @return the measurement: every op, its latency from submission to when its producer saw it complete
     * @throws Exception if a producer failed
     */
    static Measurement runBodies(int producers, ThreadKind kind, long durationNanos, BodyFactory factory)
            throws Exception {
        List<Body> bodies = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            bodies.add(factory.create(p));
        }
        LatencyHistogram[] hists = new LatencyHistogram[producers];
        long[] counts = new long[producers];
        Throwable[] failure = new Throwable[1];
        long[] deadline = new long[1];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            int id = p;
            hists[p] = new LatencyHistogram();
            threads.add(kind.factory("producer-").newThread(() -> {
                try {
                    go.await();
                    counts[id] = bodies.get(id).run(hists[id], deadline[0]);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }));
        }
        threads.forEach(Thread::start);
        Meter meter = new Meter();
        deadline[0] = System.nanoTime() + durationNanos;
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("producer failed: " + failure[0], failure[0]);
        }
        LatencyHistogram all = new LatencyHistogram();
        long total = 0;
        for (int p = 0; p < producers; p++) {
            all.merge(hists[p]);
            total += counts[p];
        }
        return meter.finish(total, all);
    }

    /**
     * One producer: fills its window, then waits on the oldest op, records it and reuses its slot until the
     * deadline; after it, waits for the ops still in flight.
     *
     * @return ops completed
     */
    static long windowed(SlotOps ops, int window, LatencyHistogram hist, long deadline) {
        Future<?>[] inFlight = new Future<?>[window];
        long[] started = new long[window];
        long count = 0;
        long now = System.nanoTime();
        for (int s = 0; s < window; s++) {
            started[s] = now;
            inFlight[s] = ops.submit(s);
        }
        for (int s = 0, outstanding = window; outstanding > 0; s = (s + 1) % window) {
            await(inFlight[s]);
            now = System.nanoTime();
            ops.completed(inFlight[s]);
            hist.record(now - started[s]);
            count++;
            if (now < deadline) {
                started[s] = now;
                inFlight[s] = ops.submit(s);
            } else {
                inFlight[s] = null;
                outstanding--;
            }
        }
        return count;
    }

    /**
     * Waits for a future: spins on {@code isDone()} for a moment, then parks in {@code awaitUninterruptibly()}.
     * The C producers spin before they yield; parking at once would add a futex wake-up to every op and
     * measure {@code DefaultPromise}'s monitor rather than the submission path. A virtual thread does not
     * spin: it would hold its carrier, and with more of them than cores that only delays the rest.
     *
     * @param f the future
     */
    public static void await(Future<?> f) {
        int spins = Thread.currentThread().isVirtual() ? 0 : SPINS;
        for (int i = 0; i < spins && !f.isDone(); i++) {
            Thread.onSpinWait();
        }
        f.awaitUninterruptibly();
    }
}
