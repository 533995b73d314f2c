package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FileIo;
import io.i2o2.file.FixedBufferPool;
import io.i2o2.file.GroupFile;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoEngine;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The library itself (module transport-iouring-file): one {@link IoUringFileEventLoopGroup} loop per trial,
 * sized for it by {@link I2o2Setup} ({@code i2o2}); or, as {@code i2o2-netty}, the same file API on a loop of
 * Netty's own io_uring transport, the ring Netty's channels use, sized like the {@code netty-iouring} peer's
 * (what registered buffers and files need is not there, as for that peer).
 *
 * <ul>
 *   <li>Reads, writes and the same-thread NOP run on the loop's thread through the allocation-free callback
 *       API, each completion submitting the next op ({@link I2o2LoopReads}, {@link I2o2LoopWrites}): the
 *       shape of the Netty peer's loop drivers.</li>
 *   <li>Cross-thread NOP: producer threads call {@code loop.nop()} and wait on the returned future, one
 *       promise per op, windowed and waited on exactly like the Netty peer's producers ({@link Producers}).</li>
 *   <li>Registered: buffers from the loop's {@link FixedBufferPool} (reads become READ_FIXED) and the file in
 *       a registered slot ({@link IoUringOpenOption#REGISTER}); O_DIRECT with {@link IoUringOpenOption#DIRECT}.</li>
 *   <li>Latency: the QD1 row on the loop thread, as the C and Netty peers measure it, and one more row
 *       ({@code t1}) where a plain thread reads through the Future API and waits for each read: what a
 *       blocking caller sees, comparable with FileChannel's {@code t1}.</li>
 * </ul>
 *
 * <p>As {@code portable}, the same trials run on a {@link PortableFileEventLoopGroup} loop: the same file API
 * and the same drivers, the ops done as blocking system calls on the loop's worker threads (at most one per op
 * in flight) and completed on the loop's thread. Only the group differs ({@link Engine}); every code path
 * below is shared.
 *
 * <p>With {@code --loops N} the loop-thread reads (randread, randread-direct) run on a group of N such loops
 * ({@code spreadReads}): the file open on each ({@link GroupFile}), and on each loop the one-loop trial's
 * driver with its own QD and buffers, all at once ({@link LoopGroupRun}). One loop is one core; this is the
 * row to hold against FileChannel's pool of threads on the same cores.
 * <p>As {@code i2o2-batch} and {@code portable-batch}, the randread-xt producers hand their reads over as
 * {@code BatchedOps} batches ({@link BatchProducers}); those backends run nothing else. The query workloads
 * run on {@code i2o2} and {@code portable}: a querying thread's reads as one batch, the same code.
 *
 * <p>Files are opened through the loop ({@code loop.open}), which never truncates.
 */
public final class I2o2Backend implements Backend {
    private static final int ALIGN = 4096;

    /** Which loop the file API runs on: the one seam between the {@code i2o2}, {@code i2o2-netty} and
     * {@code portable} rows. */
    public enum Engine {
        /** This library's io_uring loop ({@code IoUringFileEventLoopGroup}). */
        RING,
        /** A loop of Netty's own io_uring transport. */
        NETTY_RING,
        /** This library's portable engine ({@link PortableFileEventLoopGroup}): no io_uring at all. */
        PORTABLE
    }

    private final Engine engine;
    private final boolean onNettyRing;
    private final boolean callbacks;
    /** randread-xt producers hand their reads over in batches ({@code i2o2-batch}). */
    private final boolean batches;

    /**
     * Creates the backend.
     *
     * @param onNettyRing run the file API on Netty's io_uring loop instead of this library's ring
     * @param callbacks   producers use the callback API instead of futures ({@code i2o2-callback}: only the
     *                    cross-thread trials, since the loop-thread ones use callbacks already; not with
     *                    {@code onNettyRing})
     */
    public I2o2Backend(boolean onNettyRing, boolean callbacks) {
        this(onNettyRing ? Engine.NETTY_RING : Engine.RING, callbacks);
    }

    /**
     * Creates the backend.
     *
     * @param engine    which loop the file API runs on
     * @param callbacks producers use the callback API instead of futures (not with {@link Engine#NETTY_RING})
     */
    public I2o2Backend(Engine engine, boolean callbacks) {
        this(engine, callbacks, false);
    }

    private I2o2Backend(Engine engine, boolean callbacks, boolean batches) {
        this.engine = engine;
        this.onNettyRing = engine == Engine.NETTY_RING;
        this.callbacks = callbacks;
        this.batches = batches;
    }

    /**
     * The backend whose randread-xt producers hand their reads over as batches ({@code i2o2-batch},
     * {@code portable-batch}).
     *
     * @param engine which loop the file API runs on
     * @return the backend
     */
    public static I2o2Backend batches(Engine engine) {
        return new I2o2Backend(engine, true, true);
    }

    @Override
    public String name() {
        if (batches) {
            return engine == Engine.PORTABLE ? "portable-batch" : "i2o2-batch";
        }
        return switch (engine) {
            case NETTY_RING -> "i2o2-netty";
            case PORTABLE -> callbacks ? "portable-callback" : "portable";
            case RING -> callbacks ? "i2o2-callback" : "i2o2";
        };
    }

    @Override
    public String unavailable(BenchEnv env) {
        try {
            if (onNettyRing && !IoUring.isAvailable()) {
                return "Netty io_uring unavailable: " + IoUring.unavailabilityCause();
            }
            MultiThreadIoEventLoopGroup group = newGroup(null);
            try {
                return wrongEngine(FileIo.of(group.next()));
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        } catch (Throwable t) {
            return name() + (engine == Engine.PORTABLE ? ": no portable loop here: " : ": no ring here: ") + t;
        }
    }

    /**
     * Why a loop is not the engine this backend names, or null: where io_uring is unavailable (a seccomp
     * filter) this library's io_uring group quietly runs the portable engine, and its rows must not be
     * labelled io_uring.
     */
    private String wrongEngine(FileIo loop) {
        IoEngine want = switch (engine) {
            case RING -> IoEngine.RING_SQE64;
            case NETTY_RING -> IoEngine.NETTY_RING;
            case PORTABLE -> IoEngine.PORTABLE;
        };
        return loop.engine() == want ? null
                : name() + ": the loop runs the " + loop.engine() + " engine, not " + want + " (io_uring unavailable here?)";
    }

    @Override
    public String unsupported(Trial trial) {
        return onNettyRing && trial.registered()
                ? "Netty 4.2 has no public API to register buffers or files with its ring" : null;
    }

    /** The trial's loops ({@link Trial#loops()}, each sized for the trial), or one loop for a look at the engine. */
    private MultiThreadIoEventLoopGroup newGroup(Trial trial) {
        int loops = trial == null ? 1 : trial.loops();
        return switch (engine) {
            case NETTY_RING -> new MultiThreadIoEventLoopGroup(loops, IoUringIoHandler.newFactory(
                    trial == null ? new IoUringIoHandlerConfig() : NettyIoUringBackend.ringConfig(trial)));
            case PORTABLE -> trial == null ? new PortableFileEventLoopGroup(1)
                    : new PortableFileEventLoopGroup(loops, I2o2Setup.portableConfig(trial));
            case RING -> trial == null ? new IoUringFileEventLoopGroup(1)
                    : new IoUringFileEventLoopGroup(loops, I2o2Setup.config(trial));
        };
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        List<Trial> trials = new ArrayList<>(TrialPlan.ring(workload, options));
        if (batches) {
            return trials.stream().filter(t -> t.crossThread() && workload == Workload.RANDREAD_XT)
                    .map(t -> t.withBatch(options.batch())).toList();
        }
        if (callbacks) {
            trials.removeIf(t -> !t.crossThread());
            return trials;
        }
        trials = spreadOver(trials, options.loops());
        if (workload == Workload.LATENCY) {
            trials.add(new Trial(Workload.LATENCY, 1, 1, ThreadKind.PLATFORM, false));
        }
        if (!onNettyRing) {
            // The query's reads as one batch (BatchProducers), or as one batch per loop with --loops N.
            for (Trial query : TrialPlan.query(workload, options)) {
                for (int n : options.loops()) {
                    trials.add(query.withLoops(n));
                }
            }
        }
        return trials;
    }

    /** Each loop-thread read trial once per loop count of {@code --loops}; the other trials as they are. */
    private static List<Trial> spreadOver(List<Trial> trials, List<Integer> loops) {
        List<Trial> out = new ArrayList<>();
        for (Trial t : trials) {
            boolean reads = t.workload() == Workload.RANDREAD || t.workload() == Workload.RANDREAD_DIRECT;
            if (reads && I2o2Setup.onLoopThread(t)) {
                loops.forEach(n -> out.add(t.withLoops(n)));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        MultiThreadIoEventLoopGroup group = newGroup(trial);
        List<ByteBuf> buffers = new ArrayList<>();
        IoUringFile file = null;
        try {
            FileIo loop = FileIo.of(group.next());
            String wrong = wrongEngine(loop);
            if (wrong != null) {
                throw new IllegalStateException(wrong);
            }
            Workload w = trial.workload();
            if (trial.crossThread() && w == Workload.NOP) {
                return callbacks
                        ? CallbackProducers.run(trial, env, p -> (slot, callback) -> loop.nop(callback, slot), 0)
                        : Producers.run(trial.threads(), trial.kind(), trial.perProducerWindow(), env.durationNanos(),
                                (p, window) -> slot -> loop.nop());
            }
            if (w == Workload.NOP) {
                return onLoop(loop, I2o2LoopReads.nops(loop, trial.qd()), env);
            }
            if (trial.loops() > 1) {
                return w.query() ? splitQueries(group, trial, env, buffers) : spreadReads(group, trial, env, buffers);
            }
            file = open(loop, trial, env);
            int bs = w.blockSize();
            if (w == Workload.SEQWRITE) {
                ByteBuf payload = noise(bs);
                buffers.add(payload);
                return onLoop(loop, new I2o2LoopWrites(file, payload, trial.qd(), env.blocks(bs), env.fsyncEvery()),
                        env);
            }
            if (trial.batch() > 0 || w.query()) {
                int align = alignment(file);
                return BatchProducers.run(loop, file, trial, env, n -> track(buffers, window(n, bs, align)));
            }
            if (trial.crossThread()) {
                return crossThreadReads(file, trial, env, buffers);
            }
            if (trial.registered()) {
                for (int s = 0; s < trial.qd(); s++) {
                    buffers.add(fixedBuffer(loop));
                }
            } else {
                buffers.addAll(window(trial.qd(), bs, alignment(file)));
            }
            if (I2o2Setup.futureLatency(trial)) {
                return I2o2FutureReads.run(file, buffers.getFirst(), bs, env);
            }
            return onLoop(loop, I2o2LoopReads.reads(file, buffers.toArray(ByteBuf[]::new), bs, env.blocks(bs)), env);
        } finally {
            if (file != null) {
                file.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            buffers.forEach(ByteBuf::release);     // the ops that used them have all completed by now
        }
    }

    /**
     * randread-xt: producers each keep their share of the QD in flight, one buffer per window slot, through
     * the Future API ({@code file.read(buf, offset)}) or the callback API; every read must return the block.
     */
    private Measurement crossThreadReads(IoUringFile file, Trial trial, BenchEnv env, List<ByteBuf> buffers)
            throws Exception {
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        int window = trial.perProducerWindow();
        for (int p = 0; p < trial.threads(); p++) {
            buffers.addAll(window(window, bs, alignment(file)));
        }
        if (callbacks) {
            return CallbackProducers.run(trial, env,
                    p -> new ProducerReads(file, buffers.subList(p * window, (p + 1) * window), bs, blocks)::submit, bs);
        }
        return Producers.run(trial.threads(), trial.kind(), window, env.durationNanos(), (p, w) -> {
            ProducerReads reads = new ProducerReads(file, buffers.subList(p * w, (p + 1) * w), bs, blocks);
            return new Producers.SlotOps() {
                @Override
                public Future<?> submit(int slot) {
                    return reads.submit(slot);
                }

                @Override
                public void completed(Future<?> future) {
                    Producers.SlotOps.super.completed(future);
                    if (((IntFuture) future).resultAsInt() != bs) {
                        throw new IllegalStateException("short read: " + ((IntFuture) future).resultAsInt());
                    }
                }
            };
        });
    }

    /**
     * randread / randread-direct on every loop of the group: the data file open on each ({@link GroupFile}), and
     * on each loop the one-loop trial's driver ({@link I2o2LoopReads}) with its own QD, buffers and sequence of
     * offsets, started together and measured as one ({@link LoopGroupRun}).
     */
    private Measurement spreadReads(MultiThreadIoEventLoopGroup group, Trial trial, BenchEnv env, List<ByteBuf> buffers)
            throws Exception {
        int bs = trial.workload().blockSize();
        GroupFile file = GroupFile.open(group, env.dataFile(), openOptions(trial)).get(30, TimeUnit.SECONDS);
        try {
            List<I2o2LoopReads> drivers = new ArrayList<>();
            for (EventExecutor executor : group) {
                IoUringFile onLoop = file.fileOn(executor);
                String wrong = wrongEngine(onLoop.io());
                if (wrong != null) {
                    throw new IllegalStateException(wrong);
                }
                List<ByteBuf> mine = new ArrayList<>();
                if (trial.registered()) {
                    for (int s = 0; s < trial.qd(); s++) {
                        mine.add(fixedBuffer(onLoop.io()));
                    }
                } else {
                    mine.addAll(window(trial.qd(), bs, alignment(onLoop)));
                }
                buffers.addAll(mine);
                drivers.add(I2o2LoopReads.reads(onLoop, mine.toArray(ByteBuf[]::new), bs, env.blocks(bs),
                        I2o2LoopReads.SEED + drivers.size()));
            }
            return LoopGroupRun.run(drivers, env);
        } finally {
            file.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** The query trial on a group of loops: each query's reads as one batch per loop ({@link BatchProducers#runSplit}). */
    private Measurement splitQueries(MultiThreadIoEventLoopGroup group, Trial trial, BenchEnv env,
                                     List<ByteBuf> buffers) throws Exception {
        int bs = trial.workload().blockSize();
        GroupFile file = GroupFile.open(group, env.dataFile(), openOptions(trial)).get(30, TimeUnit.SECONDS);
        try {
            List<IoUringFile> files = new ArrayList<>();
            for (EventExecutor executor : group) {
                IoUringFile onLoop = file.fileOn(executor);
                String wrong = wrongEngine(onLoop.io());
                if (wrong != null) {
                    throw new IllegalStateException(wrong);
                }
                files.add(onLoop);
            }
            int align = alignment(files.getFirst());
            return BatchProducers.runSplit(files, trial, env, n -> track(buffers, window(n, bs, align)));
        } finally {
            file.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** Opens the trial's file through the ring: the data file to read, or the scratch file to write. */
    private static IoUringFile open(FileIo loop, Trial trial, BenchEnv env) throws Exception {
        Path path = trial.workload() == Workload.SEQWRITE ? env.writeFile() : env.dataFile();
        return loop.open(path, openOptions(trial)).get(30, TimeUnit.SECONDS);
    }

    /** How the trial's file is opened: for writing (seqwrite) or reading, O_DIRECT, in a registered slot. */
    private static OpenOption[] openOptions(Trial trial) {
        List<OpenOption> options = new ArrayList<>();
        options.add(trial.workload() == Workload.SEQWRITE ? StandardOpenOption.WRITE : StandardOpenOption.READ);
        if (trial.workload().direct()) {
            options.add(IoUringOpenOption.DIRECT);
        }
        if (trial.registered()) {
            options.add(IoUringOpenOption.REGISTER);
        }
        return options.toArray(OpenOption[]::new);
    }

    private static int alignment(IoUringFile file) {
        return Math.max(ALIGN, file.directMemoryAlignment());
    }

    /** Adds {@code made} to the buffers released after the trial, and returns it. */
    private static List<ByteBuf> track(List<ByteBuf> buffers, List<ByteBuf> made) {
        buffers.addAll(made);
        return made;
    }

    private static ByteBuf fixedBuffer(FileIo loop) {
        ByteBuf b = loop.fixedBuffers().tryAcquire();
        if (b == null) {
            throw new IllegalStateException("registered buffers exhausted: the pool is sized for the QD");
        }
        return b;
    }

    /**
     * {@code count} buffers of {@code bs} bytes back to back in one aligned region, laid out as the Netty
     * peer's are (one arena allocation per window): the kernel copies into the same kind of memory for both.
     * Each is a retained slice: releasing them all frees the region.
     */
    private static List<ByteBuf> window(int count, int bs, int alignment) {
        ByteBuf region = AlignedBuffers.allocate(count * bs, alignment);
        List<ByteBuf> slices = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            slices.add(region.retainedSlice(s * bs, bs));
        }
        region.release();
        return slices;
    }

    /** {@code size} random bytes, aligned: the seqwrite payload (never all zero). */
    private static ByteBuf noise(int size) {
        ByteBuf b = AlignedBuffers.allocate(size, ALIGN);
        SplittableRandom r = new SplittableRandom(7);
        while (b.writableBytes() >= Long.BYTES) {
            b.writeLong(r.nextLong());
        }
        return b;
    }

    /** Starts a loop-thread driver from a task on the loop and waits for its measurement. */
    private static Measurement onLoop(FileIo loop, I2o2LoopDriver driver, BenchEnv env) throws Exception {
        loop.executor().execute(() -> driver.begin(env.durationNanos()));
        return driver.done().get(env.durationNanos() + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
    }
}
