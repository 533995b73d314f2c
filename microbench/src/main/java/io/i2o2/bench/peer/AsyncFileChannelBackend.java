package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The JDK's {@link AsynchronousFileChannel} at queue depth N: on Linux it is a thread pool doing blocking
 * preads, so this is the "async API over a pool" peer. Each completion handler issues the next read.
 */
public final class AsyncFileChannelBackend implements Backend {

    /** Creates the backend. */
    public AsyncFileChannelBackend() {
    }

    @Override
    public String name() {
        return "async-fc";
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return workload == Workload.NOP || workload == Workload.RANDREAD_XT ? List.of() : TrialPlan.ring(workload, options);
    }

    @Override
    public String unsupported(Trial trial) {
        return trial.registered() ? "the JDK cannot register buffers or files" : null;
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        return trial.workload() == Workload.SEQWRITE ? writes(trial, env) : reads(trial, env);
    }

    private static Measurement reads(Trial trial, BenchEnv env) throws Exception {
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        Set<OpenOption> opts = new HashSet<>(Set.of(StandardOpenOption.READ));
        if (trial.workload().direct()) {
            opts.add(DirectIo.OPTION);
        }
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(env.dataFile(), opts, null)) {
            int qd = trial.qd();
            CountDownLatch drained = new CountDownLatch(qd);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Reader[] readers = new Reader[qd];
            for (int i = 0; i < qd; i++) {
                readers[i] = new Reader(ch, bs, blocks, drained, failure);
            }
            Meter meter = new Meter();
            long end = System.nanoTime() + env.durationNanos();
            for (Reader r : readers) {
                r.start(end);
            }
            if (!drained.await(env.durationNanos() + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS)) {
                throw new IOException("reads did not drain within 60 s of the deadline");
            }
            Measurement m = merge(meter, readers);
            if (failure.get() != null) {
                throw new IOException("read failed: " + failure.get(), failure.get());
            }
            return m;
        }
    }

    private static Measurement merge(Meter meter, Reader[] readers) {
        LatencyHistogram all = new LatencyHistogram();
        long ops = 0;
        for (Reader r : readers) {
            // Each reader's fields were last written before its countDown: the latch orders them before us.
            all.merge(r.hist);
            ops += r.ops;
        }
        return meter.finish(ops, all);
    }

    /** One slot of the queue depth: a buffer that is read into again and again until the deadline. */
    private static final class Reader implements CompletionHandler<Integer, Void> {
        private final AsynchronousFileChannel ch;
        private final ByteBuffer buf;
        private final int bs;
        private final long blocks;
        private final CountDownLatch drained;
        private final AtomicReference<Throwable> failure;
        private final LatencyHistogram hist = new LatencyHistogram();
        private long ops;
        private long end;
        private long started;

        Reader(AsynchronousFileChannel ch, int bs, long blocks, CountDownLatch drained,
               AtomicReference<Throwable> failure) {
            this.ch = ch;
            this.buf = Buffers.aligned(bs);
            this.bs = bs;
            this.blocks = blocks;
            this.drained = drained;
            this.failure = failure;
        }

        void start(long deadline) {
            this.end = deadline;
            next(System.nanoTime());
        }

        private void next(long now) {
            buf.clear();
            started = now;
            ch.read(buf, ThreadLocalRandom.current().nextLong(blocks) * bs, null, this);
        }

        @Override
        public void completed(Integer r, Void ignored) {
            long now = System.nanoTime();
            if (r != bs) {
                failed(new IOException("short read: " + r), null);
                return;
            }
            hist.record(now - started);
            ops++;
            if (now < end) {
                next(now);
            } else {
                drained.countDown();
            }
        }

        @Override
        public void failed(Throwable e, Void ignored) {
            failure.compareAndSet(null, e);
            drained.countDown();
        }
    }

    /**
     * Sequential writes: a driver thread keeps {@code qd} writes in flight with a semaphore; after every
     * {@code fsyncEvery} writes it waits for all of them, then calls {@code force(false)} (fdatasync).
     */
    private static Measurement writes(Trial trial, BenchEnv env) throws Exception {
        int bs = Workload.SEQWRITE.blockSize();
        int qd = trial.qd();
        long blocksPerFile = env.blocks(bs);
        ByteBuffer payload = Buffers.noise(bs);
        Semaphore room = new Semaphore(qd);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LatencyHistogram hist = new LatencyHistogram();
        long[] done = new long[1];
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(env.writeFile(), StandardOpenOption.WRITE)) {
            CompletionHandler<Integer, Long> handler = new CompletionHandler<>() {
                @Override
                public void completed(Integer r, Long started) {
                    long now = System.nanoTime();
                    synchronized (hist) {    // completions arrive on several pool threads
                        hist.record(now - started);
                        done[0]++;
                    }
                    if (r != bs) {
                        failure.compareAndSet(null, new IOException("short write: " + r));
                    }
                    room.release();
                }

                @Override
                public void failed(Throwable e, Long started) {
                    failure.compareAndSet(null, e);
                    room.release();
                }
            };
            Meter meter = new Meter();
            long end = System.nanoTime() + env.durationNanos();
            long issued = 0;
            while (System.nanoTime() < end && failure.get() == null) {
                for (int i = 0; i < env.fsyncEvery(); i++) {
                    room.acquire();
                    long pos = (issued++ % blocksPerFile) * bs;
                    ch.write(payload.duplicate(), pos, System.nanoTime(), handler);
                }
                room.acquire(qd);      // all writes of this stretch have completed
                room.release(qd);
                ch.force(false);
            }
            room.acquire(qd);
            if (failure.get() != null) {
                throw new IOException("write failed: " + failure.get(), failure.get());
            }
            synchronized (hist) {
                return meter.finish(done[0], hist);
            }
        }
    }
}
