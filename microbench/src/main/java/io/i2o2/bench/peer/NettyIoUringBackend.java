package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import io.i2o2.bench.sys.Libc;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's own io_uring transport used for files: raw SQEs ({@code IoUringIoOps}) submitted through an
 * {@link IoRegistration} on its {@code IoUringIoHandler} loop. This is what a Netty user can do today with
 * public API only. Reads, writes and fdatasync are driven from the loop thread (see
 * {@link NettyLoopDriver}); NOPs both from the loop thread and from producer threads with a Promise per op
 * (see {@link NettyProducers}), and the randread-xt reads from producer threads the same way.
 *
 * <p>What the public API does not allow: registering buffers or files with the ring (the ring fd and
 * {@code io_uring_register} are internal), so there is no registered variant; choosing ring setup flags
 * beyond what {@link IoUringIoHandlerConfig} offers; opening a file without truncating it
 * ({@code FileDescriptor.from(String)} opens with O_TRUNC), so the file is opened here with open(2) via FFM.
 */
public final class NettyIoUringBackend implements Backend {
    /** Smallest SQ size asked for; the group is made per trial so that the ring always fits the ops in flight. */
    private static final int MIN_RING = 256;

    /** Creates the backend. */
    public NettyIoUringBackend() {
    }

    @Override
    public String name() {
        return "netty-iouring";
    }

    @Override
    public String unavailable(BenchEnv env) {
        try {
            return IoUring.isAvailable() ? null : "Netty io_uring unavailable: " + IoUring.unavailabilityCause();
        } catch (Throwable t) {
            return "Netty io_uring unavailable: " + t;
        }
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return TrialPlan.ring(workload, options);
    }

    @Override
    public String unsupported(Trial trial) {
        if (trial.registered()) {
            return "Netty 4.2 has no public API to register buffers or files with its ring";
        }
        return null;
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        IoUringIoHandlerConfig config = ringConfig(trial);
        int[] fd = {-1};
        // The arena outlives the loop: buffers are freed only after the ring is gone, even on a failed trial.
        try (Arena arena = Arena.ofShared()) {
            MultiThreadIoEventLoopGroup group =
                    new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory(config));
            try {
                IoEventLoop loop = group.next();
                if (trial.crossThread()) {
                    return producers(loop, trial, env, arena, fd);
                }
                return onLoop(loop, driver(trial, env, arena, fd), env);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                if (fd[0] >= 0) {
                    Libc.close(fd[0]);
                }
            }
        }
    }

    /**
     * Cross-thread NOPs, or randread-xt: each producer reads into its own window of buffers at random
     * block-aligned offsets drawn on its own thread.
     */
    private static Measurement producers(IoEventLoop loop, Trial trial, BenchEnv env, Arena arena, int[] fd)
            throws Exception {
        if (trial.workload() == Workload.NOP) {
            return NettyProducers.run(loop, trial, env.durationNanos(), (p, window) -> NettySqes::nop, 0);
        }
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        fd[0] = Libc.open(env.dataFile(), Libc.O_RDONLY);
        int file = fd[0];
        return NettyProducers.run(loop, trial, env.durationNanos(), (p, window) -> {
            long base = arena.allocate((long) bs * window, 4096).address();
            SplittableRandom random = new SplittableRandom(0x2022 + p);
            return slot -> NettySqes.read(file, base + (long) slot * bs, bs, random.nextLong(blocks) * bs, slot);
        }, bs);
    }

    /** Netty's ring for a trial: big enough (SQ, and so CQ) for every op it keeps in flight. */
    static IoUringIoHandlerConfig ringConfig(Trial trial) {
        int inflight = trial.crossThread() ? trial.threads() * trial.perProducerWindow() : trial.qd();
        int ring = Integer.highestOneBit(Math.max(MIN_RING, 2 * inflight - 1)) << 1;
        int sq = Math.min(ring, 32768);
        // Netty refuses a CQ smaller than the SQ, and its default CQ is fixed: size it with the SQ (twice, as
        // the kernel would), so deep trials neither fail nor overflow.
        return new IoUringIoHandlerConfig().setRingSize(sq).setCqSize(Math.min(2 * sq, 65536));
    }

    /** The loop-thread driver for a trial; opens the file into {@code fd[0]} and takes buffers from the arena. */
    private static NettyLoopDriver driver(Trial trial, BenchEnv env, Arena arena, int[] fd) throws Exception {
        Workload w = trial.workload();
        int bs = w.blockSize();
        if (w == Workload.NOP) {
            return new NettyLoopReads(trial.qd(), true, -1, 0, 0, 0);
        }
        if (w == Workload.SEQWRITE) {
            fd[0] = Libc.open(env.writeFile(), Libc.O_WRONLY);
            MemorySegment payload = arena.allocate(bs, 4096);
            payload.fill((byte) 0x5a);
            return new NettyLoopWrites(trial.qd(), fd[0], payload.address(), bs, env.blocks(bs), env.fsyncEvery());
        }
        fd[0] = Libc.open(env.dataFile(), Libc.O_RDONLY | (w.direct() ? Libc.O_DIRECT : 0));
        MemorySegment buffers = arena.allocate((long) bs * trial.qd(), 4096);
        return new NettyLoopReads(trial.qd(), false, fd[0], buffers.address(), bs, env.blocks(bs));
    }

    private static Measurement onLoop(IoEventLoop loop, NettyLoopDriver driver, BenchEnv env) throws Exception {
        IoRegistration reg = loop.register(driver).sync().getNow();
        try {
            loop.execute(() -> driver.begin(reg, env.durationNanos()));
            return driver.done().get(env.durationNanos() + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
        } finally {
            reg.cancel();
        }
    }
}
