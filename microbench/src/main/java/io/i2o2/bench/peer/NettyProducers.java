package io.i2o2.bench.peer;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * NOPs or reads submitted to Netty's io_uring loop from other threads, each op returning a Netty {@link Promise}
 * that the producer waits on: the shape of "submit from any thread, get a Future back".
 *
 * <p>Each producer has its own registration (an {@link IoUringIoHandle}) and keeps a window of ops in
 * flight (the trial's QD shared out, at least one), waiting on the oldest before reusing its slot
 * ({@link Producers}, shared with the i2o2 backend so both wait alike). {@link IoRegistration#submit} from
 * a thread other than the loop's goes through {@code executor.execute(task)}: a task object, Netty's task
 * queue and an eventfd wake-up.
 */
final class NettyProducers {
    private NettyProducers() {
    }

    /** The SQE of one window slot's op; {@code data} must be the slot. */
    @FunctionalInterface
    interface SlotSqe {
        /**
         * @param slot the window slot
         * @return the op to submit
         */
        IoUringIoOps op(int slot);
    }

    /** Makes one producer's ops. */
    @FunctionalInterface
    interface SlotSqeFactory {
        /**
         * @param producer the producer's index
         * @param window   its window
         * @return its ops
         */
        SlotSqe create(int producer, int window);
    }

    /** One producer's registration: completes the promise of the slot named in the CQE's data. */
    private static final class Handle implements IoUringIoHandle, Producers.SlotOps {
        final IoEventLoop loop;
        final Promise<Integer>[] slots;
        final SlotSqe sqes;
        final int expected;
        IoRegistration registration;

        @SuppressWarnings("unchecked")   // generic array: filled with Promise<Integer> only
        Handle(IoEventLoop loop, int window, SlotSqe sqes, int expected) {
            this.loop = loop;
            this.slots = (Promise<Integer>[]) new Promise<?>[window];
            this.sqes = sqes;
            this.expected = expected;
        }

        @Override
        public Promise<Integer> submit(int slot) {
            slots[slot] = loop.newPromise();
            registration.submit(sqes.op(slot));
            return slots[slot];
        }

        @Override
        public void completed(Future<?> future) {
            Producers.SlotOps.super.completed(future);
            if ((Integer) future.getNow() != expected) {
                throw new IllegalStateException("op returned " + future.getNow() + ", expected " + expected);
            }
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
     * @param sqes          each producer's ops
     * @param expected      the result every op must have (0 for NOP, the block size for reads)
     * @return the measurement
     * @throws Exception if registration or a producer failed
     */
    static Measurement run(IoEventLoop loop, Trial trial, long durationNanos, SlotSqeFactory sqes, int expected)
            throws Exception {
        List<IoRegistration> regs = new ArrayList<>();
        try {
            return Producers.run(trial.threads(), trial.kind(), trial.perProducerWindow(), durationNanos,
                    (p, window) -> {
                        Handle h = new Handle(loop, window, sqes.create(p, window), expected);
                        h.registration = loop.register(h).sync().getNow();
                        regs.add(h.registration);
                        return h;
                    });
        } finally {
            regs.forEach(IoRegistration::cancel);
        }
    }
}
