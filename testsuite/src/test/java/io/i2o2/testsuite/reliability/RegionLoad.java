package io.i2o2.testsuite.reliability;

import io.i2o2.file.IntFuture;
import io.i2o2.file.FileIo;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileIoOverloadedException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A verified read/write load: each of {@code threads} threads owns a disjoint region of {@code slots} records
 * of {@code record} bytes in one of {@code files} files, spread over the group's loops. A round writes a new
 * version of every record of the region (all in flight at once), waits, reads them all back (also at once)
 * and compares byte for byte; every {@code fsyncEvery}th round the last read is an {@code fdatasync}.
 * Every buffer must be back at refCnt 1 as soon as its future completes, and at the end the files, read
 * with plain Java IO, must hold every record's last version.
 */
final class RegionLoad {
    /** How a thread reacts to a loop at its bound. */
    enum Backpressure {
        /** Submits through {@link IoUringFile#blocking()}: waits for room, never sees an overload error. */
        BLOCKING,
        /** Submits normally and retries after {@link FileIoOverloadedException}, which must leave refCnt alone. */
        RETRY
    }

    final int threads;
    final int slots;
    final int record;
    final List<Path> paths;
    final List<IoUringFile> files = new ArrayList<>();
    final List<FileIo> loops = new ArrayList<>();
    final LongAdder ops = new LongAdder();
    final LongAdder retries = new LongAdder();

    RegionLoad(MultiThreadIoEventLoopGroup group, Path dir, int threads, int slots, int record, int files) throws Exception {
        this.threads = threads;
        this.slots = slots;
        this.record = record;
        this.paths = Kit.files(dir, "region", files, (threads / files + 1) * regionBytes());
        for (EventExecutor e : group) {
            loops.add(FileIo.of((io.netty.channel.IoEventLoop) e));
        }
        for (int i = 0; i < files; i++) {
            this.files.add(Kit.await(loops.get(i % loops.size()).open(paths.get(i), READ, WRITE)));
        }
    }

    private long regionBytes() {
        return (long) slots * record;
    }

    private long offset(int thread, int slot) {
        return (thread / files.size()) * regionBytes() + (long) slot * record;
    }

    private long region(int thread, int slot) {
        return (long) thread * slots + slot;
    }

    /** Runs {@code rounds} rounds on every thread, all at once; rethrows the first failure. */
    void run(boolean virtual, Backpressure style, int rounds, int fsyncEvery) throws InterruptedException {
        Kit.runThreads(threads, virtual, "region", t -> Kit.unchecked(() -> {
            IoUringFile file = files.get(t % files.size());
            new Worker(t, style == Backpressure.BLOCKING ? file.blocking() : file, style).run(rounds, fsyncEvery);
        }));
    }

    /** Closes the files and checks on disk that every record holds version {@code lastRound}. */
    void closeAndVerify(int lastRound) throws Exception {
        for (IoUringFile f : files) {
            Kit.await(f.close());
        }
        for (int i = 0; i < files.size(); i++) {
            byte[] data = Files.readAllBytes(paths.get(i));
            for (int t = i; t < threads; t += files.size()) {
                for (int s = 0; s < slots; s++) {
                    assertEquals(-1, Kit.mismatch(data, (int) offset(t, s), region(t, s), lastRound, record),
                            "on disk: thread " + t + " slot " + s + " does not hold version " + lastRound);
                }
            }
        }
    }

    /** A line for progress and result reports. */
    String status() {
        return "ops " + ops.sum() + ", overload retries " + retries.sum() + ", pending per loop "
                + loops.stream().map(FileIo::pendingOps).toList();
    }

    /** One thread's rounds of write-all, read-all-and-compare. */
    private final class Worker {
        private final int thread;
        private final IoUringFile file;
        private final Backpressure style;
        private final ByteBuf[] out = new ByteBuf[slots];
        private final ByteBuf[] in = new ByteBuf[slots];
        private final IntFuture[] pending = new IntFuture[slots];

        Worker(int thread, IoUringFile file, Backpressure style) {
            this.thread = thread;
            this.file = file;
            this.style = style;
        }

        void run(int rounds, int fsyncEvery) throws Exception {
            for (int s = 0; s < slots; s++) {
                out[s] = Kit.ALLOC.directBuffer(record, record);
                in[s] = Kit.ALLOC.directBuffer(record, record);
            }
            try {
                for (int round = 0; round < rounds; round++) {
                    writeAll(round);
                    readAllAndCompare(round, fsyncEvery > 0 && round % fsyncEvery == fsyncEvery - 1);
                }
            } finally {
                // refCnt must be back to 1 here: anything else means the loop still holds (or lost) a buffer.
                List<ByteBuf> all = new ArrayList<>(List.of(out));
                all.addAll(List.of(in));
                Kit.releaseAll(all);
            }
        }

        private void writeAll(int round) throws Exception {
            for (int s = 0; s < slots; s++) {
                ByteBuf b = Kit.fill(out[s], region(thread, s), round, record);
                long at = offset(thread, s);
                pending[s] = submit(() -> file.write(b, at), b);
            }
            awaitAll(slots);
            for (int s = 0; s < slots; s++) {
                assertEquals(record, complete(pending[s], out[s]), "write result");
            }
        }

        private void readAllAndCompare(int round, boolean sync) throws Exception {
            int reads = sync ? slots - 1 : slots;
            for (int s = 0; s < reads; s++) {
                ByteBuf b = in[s].clear();
                long at = offset(thread, s);
                pending[s] = submit(() -> file.read(b, at), b);
            }
            IntFuture synced = sync ? submit(file::fdatasync, null) : null;
            awaitAll(reads);
            for (int s = 0; s < reads; s++) {
                assertEquals(record, complete(pending[s], in[s]), "read result");
                assertEquals(-1, Kit.mismatch(in[s], region(thread, s), round, record),
                        "thread " + thread + " round " + round + " slot " + s + ": read back other bytes");
            }
            if (synced != null) {
                assertEquals(0, complete(synced, null), "fdatasync result");
            }
        }

        /**
         * Waits for the first {@code n} pending ops with one wake-up instead of one per future: on 2 cores,
         * waking 1000 platform threads once per op was most of the stress test's time.
         */
        private void awaitAll(int n) throws InterruptedException {
            List<IntFuture> open = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                if (!pending[i].isDone()) {
                    open.add(pending[i]);
                }
            }
            if (!open.isEmpty()) {
                // A listener added after its future completed still runs, so every one counts down once.
                java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(open.size());
                open.forEach(f -> f.addListener(done -> left.countDown()));
                // complete() below still bounds each future; this only saves wake-ups.
                left.await(Kit.HANG_SECONDS, TimeUnit.SECONDS);
            }
        }

        /** Submits until accepted: once with the blocking view, with retries after overload otherwise. */
        private IntFuture submit(Supplier<IntFuture> op, ByteBuf buf) {
            for (long backoff = 1_000; ; backoff = Math.min(backoff * 2, 1_000_000)) {
                IntFuture f = op.get();
                if (!(f.isDone() && f.cause() instanceof FileIoOverloadedException refused)) {
                    return f;
                }
                if (style == Backpressure.BLOCKING) {
                    throw new AssertionError("the blocking view reported overload", refused);
                }
                if (buf != null) {
                    assertEquals(1, buf.refCnt(), "a refused op must not retain its buffer");
                }
                retries.increment();
                Kit.OUTCOMES.error("FileIoOverloadedException(retried)");
                LockSupport.parkNanos(backoff);
            }
        }

        private int complete(IntFuture f, ByteBuf buf) throws Exception {
            int result = f.get(Kit.HANG_SECONDS, TimeUnit.SECONDS);
            if (buf != null) {
                // Released before the future completes, so a listener may reuse the buffer at once.
                assertEquals(1, buf.refCnt(), "buffer still pinned after its op completed");
            }
            ops.increment();
            Kit.OUTCOMES.record(null);
            return result;
        }
    }
}
