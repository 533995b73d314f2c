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
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JDK's blocking {@link FileChannel}: positional reads from N threads (one op in flight per thread),
 * O_DIRECT through {@code ExtendedOpenOption.DIRECT}, and one writer thread with {@code force(false)}
 * (fdatasync) every few writes. What a Netty server does today with a blocking pool.
 *
 * <p>As {@code fc-per-thread}, every reader thread opens a channel of its own. Every positional read of a
 * channel enters and leaves the channel's {@code NativeThreadSet} (JDK 25 {@code FileChannelImpl.readInternal}:
 * {@code threads.add()} / {@code threads.remove(ti)}, each {@code synchronized} on that set, so that
 * {@code close()} can signal blocked readers): N threads on one channel take one monitor twice per read.
 * One channel per thread is how a reader who knows that gets FileChannel's best.
 */
public final class FileChannelBackend implements Backend {
    private final boolean channelPerThread;

    /** Creates the backend: one channel shared by the reader threads. */
    public FileChannelBackend() {
        this(false);
    }

    /**
     * Creates the backend.
     *
     * @param channelPerThread each reader thread opens a channel of its own ({@code fc-per-thread})
     */
    public FileChannelBackend(boolean channelPerThread) {
        this.channelPerThread = channelPerThread;
    }

    @Override
    public String name() {
        return channelPerThread ? "fc-per-thread" : "filechannel";
    }

    @Override
    public String unsupported(Trial trial) {
        return channelPerThread && trial.workload() == Workload.SEQWRITE
                ? "one writer thread: fc-per-thread is filechannel there" : null;
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return workload.query() ? TrialPlan.query(workload, options) : TrialPlan.threaded(workload, options);
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        return switch (trial.workload()) {
            case RANDREAD, LATENCY, RANDREAD_DIRECT -> reads(trial, env, channelPerThread);
            case SEQWRITE -> writes(env);
            case QUERY, QUERY_DIRECT -> FileChannelQueries.run(trial, env, channelPerThread);
            case NOP, RANDREAD_XT -> throw new UnsupportedOperationException("FileChannel has no no-op or hand-over");
        };
    }

    private static Measurement reads(Trial trial, BenchEnv env, boolean channelPerThread) throws Exception {
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (trial.workload().direct()) {
            opts.add(DirectIo.OPTION);
        }
        OpenOption[] open = opts.toArray(OpenOption[]::new);
        try (FileChannel shared = FileChannel.open(env.dataFile(), open)) {
            int n = trial.threads();
            LatencyHistogram[] hists = new LatencyHistogram[n];
            long[] counts = new long[n];
            Throwable[] failure = new Throwable[1];
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch opened = new CountDownLatch(n);
            List<Thread> threads = new ArrayList<>();
            long[] deadline = new long[1];
            for (int t = 0; t < n; t++) {
                int id = t;
                hists[t] = new LatencyHistogram();
                threads.add(trial.kind().factory("fc-reader-").newThread(() -> {
                    ByteBuffer buf = Buffers.aligned(bs);
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    LatencyHistogram h = hists[id];
                    long ops = 0;
                    FileChannel ch = shared;
                    try {
                        if (channelPerThread) {
                            ch = FileChannel.open(env.dataFile(), open);   // before the clock starts
                        }
                        opened.countDown();
                        go.await();
                        long end = deadline[0];
                        for (long now = System.nanoTime(); now < end; ) {
                            buf.clear();
                            int r = ch.read(buf, random.nextLong(blocks) * bs);
                            long after = System.nanoTime();
                            if (r != bs) {
                                throw new IOException("short read: " + r);
                            }
                            h.record(after - now);
                            ops++;
                            now = after;
                        }
                    } catch (Throwable e) {
                        failure[0] = e;
                        opened.countDown();
                    } finally {
                        if (ch != shared) {
                            try {
                                ch.close();
                            } catch (IOException e) {
                                failure[0] = e;
                            }
                        }
                    }
                    counts[id] = ops;
                }));
            }
            threads.forEach(Thread::start);
            opened.await();
            Meter meter = new Meter();
            deadline[0] = System.nanoTime() + env.durationNanos();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            if (failure[0] != null) {
                throw new IOException("reader failed: " + failure[0], failure[0]);
            }
            LatencyHistogram all = new LatencyHistogram();
            long total = 0;
            for (int t = 0; t < n; t++) {
                all.merge(hists[t]);
                total += counts[t];
            }
            return meter.finish(total, all);
        }
    }

    private static Measurement writes(BenchEnv env) throws IOException {
        int bs = Workload.SEQWRITE.blockSize();
        long blocksPerFile = env.blocks(bs);
        ByteBuffer buf = Buffers.noise(bs);
        LatencyHistogram h = new LatencyHistogram();
        try (FileChannel ch = FileChannel.open(env.writeFile(), StandardOpenOption.WRITE)) {
            Meter meter = new Meter();
            long end = System.nanoTime() + env.durationNanos();
            long ops = 0;
            for (long now = System.nanoTime(); now < end; ) {
                long pos = (ops % blocksPerFile) * bs;
                buf.clear();
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                long after = System.nanoTime();
                h.record(after - now);
                ops++;
                if (ops % env.fsyncEvery() == 0) {
                    ch.force(false);   // fdatasync: the same durability point as the other peers
                    after = System.nanoTime();
                }
                now = after;
            }
            return meter.finish(ops, h);
        }
    }
}
