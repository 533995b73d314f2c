package io.i2o2.bench.peer;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import io.i2o2.bench.Trial;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * NOPs submitted to Netty's io_uring loop from other threads, each op returning a Netty {@link Promise}
 * that the producer waits on: the shape of "submit from any thread, get a Future back".
 *
 * <p>Each producer has its own registration (an {@link IoUringIoHandle}) and keeps a window of ops in
 * flight (the trial's QD shared out, at least one), waiting on the oldest before reusing its slot.
 * {@link IoRegistration#submit} from a thread other than the loop's goes through
 * {@code executor.execute(task)}: a task object, Netty's task queue and an eventfd wake-up.
 *
 * <p>A producer spins on {@code isDone()} for a moment before it parks in {@code await()}, as the C
 * producers spin before they yield: parking at once would add a futex wake-up to every op and measure
 * {@code DefaultPromise}'s monitor rather than the submission path.
 */
final class NettyNopProducers {
    /** isDone() checks before parking: a few microseconds, about one loop turn of Netty's ring. */
    private static final int SPINS = 200;

    private NettyNopProducers() {
    }

    /** One producer's registration: completes the promise of the slot named in the CQE's data. */
    private static final class Handle implements IoUringIoHandle {
        final Promise<Integer>[] slots;

        @SuppressWarnings("unchecked")   // generic array: filled with Promise<Integer> only
        Handle(int window) {
            this.slots = (Promise<Integer>[]) new Promise<?>[window];
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            slots[(int) e.userData()].trySuccess(e.res());
        }

        @Override
        public void close() {
        }
    }

    /**
     * Runs the trial on an already started loop.
     *
     * @param loop          Netty's io_uring loop
     * @param trial         threads, kind and QD
     * @param durationNanos how long producers submit
     * @return the measurement
     * @throws Exception if registration or a producer failed
     */
    static Measurement run(IoEventLoop loop, Trial trial, long durationNanos) throws Exception {
        int producers = trial.threads();
        int window = trial.perProducerWindow();
        List<IoRegistration> regs = new ArrayList<>();
        List<Handle> handles = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Handle h = new Handle(window);
            handles.add(h);
            regs.add(loop.register(h).sync().getNow());
        }
        LatencyHistogram[] hists = new LatencyHistogram[producers];
        long[] counts = new long[producers];
        Throwable[] failure = new Throwable[1];
        long[] deadline = new long[1];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            hists[p] = new LatencyHistogram();
            threads.add(trial.kind().factory("netty-producer-").newThread(() -> {
                try {
                    go.await();
                    counts[id] = produce(loop, regs.get(id), handles.get(id), hists[id], deadline[0]);
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
        regs.forEach(IoRegistration::cancel);
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

    private static long produce(IoEventLoop loop, IoRegistration reg, Handle h, LatencyHistogram hist,
                                long deadline) {
        int window = h.slots.length;
        long[] started = new long[window];
        long ops = 0;
        long now = System.nanoTime();
        for (short s = 0; s < window; s++) {
            started[s] = now;
            h.slots[s] = loop.newPromise();
            reg.submit(NettySqes.nop(s));
        }
        // Slots complete in submission order (one ring, NOPs): wait on the oldest, then reuse it.
        for (short s = 0, outstanding = (short) window; outstanding > 0; s = (short) ((s + 1) % window)) {
            await(h.slots[s]);
            now = System.nanoTime();
            hist.record(now - started[s]);
            ops++;
            if (now < deadline) {
                started[s] = now;
                h.slots[s] = loop.newPromise();
                reg.submit(NettySqes.nop(s));
            } else {
                outstanding--;
            }
        }
        return ops;
    }

    private static void await(Promise<Integer> p) {
        // A spinning virtual thread holds its carrier: with more of them than cores, spinning only delays the rest.
        int spins = Thread.currentThread().isVirtual() ? 0 : SPINS;
        for (int i = 0; i < spins && !p.isDone(); i++) {
            Thread.onSpinWait();
        }
        p.awaitUninterruptibly();
    }
}
