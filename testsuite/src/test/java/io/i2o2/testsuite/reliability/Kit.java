package io.i2o2.testsuite.reliability;

import io.i2o2.file.FileIo;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the reliability tests share: waiting with a bound (a hang is a failure, never a stuck build),
 * deterministic record contents, FIFOs that never deliver, and running many threads at once.
 */
final class Kit {
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    /** How long any single wait may take before the test calls it a hang. */
    static final long HANG_SECONDS = 60;

    private Kit() {
    }

    /** The future's value; fails the test if it does not complete in time or failed. */
    static <T> T await(Future<T> f) throws Exception {
        assertTrue(f.await(HANG_SECONDS, TimeUnit.SECONDS), "hang: not complete after " + HANG_SECONDS + " s: " + f);
        OUTCOMES.record(f.cause());
        if (!f.isSuccess()) {
            if (f.cause() instanceof Exception e) {
                throw e;
            }
            throw new AssertionError(f.cause());
        }
        return f.getNow();
    }

    /** Waits for the future to complete either way and returns its failure, or null on success. */
    static Throwable awaitOutcome(Future<?> f) throws InterruptedException {
        assertTrue(f.await(HANG_SECONDS, TimeUnit.SECONDS), "hang: not complete after " + HANG_SECONDS + " s: " + f);
        OUTCOMES.record(f.cause());
        return f.cause();
    }

    /** Completed operations seen by the helpers, and their failures by exception type (for the soak's reports). */
    static final Outcomes OUTCOMES = new Outcomes();

    /** Counts of completed operations and of failures by type; cheap enough to run in every test. */
    static final class Outcomes {
        final java.util.concurrent.atomic.LongAdder ops = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> errors =
                new java.util.concurrent.ConcurrentHashMap<>();

        void record(Throwable failure) {
            ops.increment();
            if (failure != null) {
                error(failure.getClass().getSimpleName()
                        + (failure instanceof io.i2o2.file.FileIoException io ? "(" + io.errnoName() + ")" : ""));
            }
        }

        void error(String type) {
            errors.computeIfAbsent(type, k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }
    }

    /** Shuts a group down and fails the test if it does not terminate in time. */
    static void shutdown(MultiThreadIoEventLoopGroup group) {
        if (!group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(HANG_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(group + " did not terminate within " + HANG_SECONDS + " s");
        }
    }

    /**
     * Runs {@code body}, then shuts the group down; a failure to terminate is added to the body's own failure
     * instead of hiding it.
     */
    static void shutdownAfter(MultiThreadIoEventLoopGroup group, Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | Error e) {
            try {
                shutdown(group);
            } catch (Throwable s) {
                e.addSuppressed(s);
            }
            throw e;
        }
        shutdown(group);
    }

    /** Prints {@code status} every 10 s until closed: long runs show where they are, hangs show where they stopped. */
    static AutoCloseable progress(String label, java.util.function.Supplier<String> status) {
        long start = System.nanoTime();
        Thread t = Thread.ofPlatform().daemon().name("progress-" + label).start(() -> {
            try {
                while (true) {
                    Thread.sleep(10_000);
                    System.out.printf("%s after %d s: %s%n", label,
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), status.get());
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
        return t::interrupt;
    }

    /**
     * Keeps the loop busy in a task until the returned latch is counted down: work piles up meanwhile. Returns
     * once the task runs, so nothing submitted afterwards can slip into the loop's current iteration.
     */
    static java.util.concurrent.CountDownLatch block(FileIo loop) throws InterruptedException {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        loop.executor().execute(() -> {
            running.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(running.await(HANG_SECONDS, TimeUnit.SECONDS), "the loop never ran the blocking task");
        return hold;
    }

    /** Waits until {@code buf.refCnt()} reaches {@code expected} (a release may trail a cancellation). */
    static void awaitRefCnt(ByteBuf buf, int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buf.refCnt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, buf.refCnt(), what);
    }

    /** Releases every buffer after checking nothing else still holds it. */
    static void releaseAll(List<ByteBuf> bufs) {
        for (int i = 0; i < bufs.size(); i++) {
            assertEquals(1, bufs.get(i).refCnt(), "buffer " + i + " still pinned");
            bufs.get(i).release();
        }
    }

    // ---- record contents ----

    /** The 8 bytes at {@code index} of version {@code version} of region {@code region}: cheap and never repeating. */
    static long word(long region, long version, int index) {
        long x = region * 0x9E3779B97F4A7C15L + version * 0xC2B2AE3D27D4EB4FL + index;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        return x ^ (x >>> 33);
    }

    /** Version {@code version} of region {@code region}, {@code length} bytes (a multiple of 8). */
    static byte[] record(long region, long version, int length) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
        for (int i = 0; i < length / Long.BYTES; i++) {
            b.putLong(word(region, version, i));
        }
        return b.array();
    }

    /**
     * Fills {@code buf} (cleared) with version {@code version} of {@code region}. One bulk call: at PARANOID
     * every buffer access records a stack trace, and per-word accesses would dominate the test's time.
     */
    static ByteBuf fill(ByteBuf buf, long region, long version, int length) {
        return buf.clear().writeBytes(record(region, version, length));
    }

    /** The index of the first word of {@code buf}'s readable bytes that differs from the version, or -1. */
    static int mismatch(ByteBuf buf, long region, long version, int length) {
        if (buf.readableBytes() != length) {
            return 0;
        }
        byte[] data = new byte[length];
        buf.getBytes(buf.readerIndex(), data);
        return mismatch(data, 0, region, version, length);
    }

    /** The same check on bytes read back from disk with plain Java IO. */
    static int mismatch(byte[] data, int offset, long region, long version, int length) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
        for (int i = 0; i < length / Long.BYTES; i++) {
            if (b.getLong(offset + i * Long.BYTES) != word(region, version, i)) {
                return i;
            }
        }
        return -1;
    }

    // ---- files ----

    /** {@code n} files of {@code size} zero bytes under {@code dir}. */
    static List<Path> files(Path dir, String prefix, int n, long size) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve(prefix + i);
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE, WRITE)) {
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
            }
            paths.add(p);
        }
        return paths;
    }

    /** A FIFO opened read-write on {@code loop}: reads from it wait in the kernel until someone writes. */
    static IoUringFile fifo(FileIo loop, Path dir) throws Exception {
        Path fifo = dir.resolve("fifo-" + System.nanoTime());
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return await(loop.open(fifo, READ, WRITE));
    }

    /** How many io_uring instances this process has open (to prove failed set-ups leak no ring). */
    static long openRings() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("io_uring");
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }

    // ---- threads ----

    /**
     * Runs {@code body(i)} for i in 0..n-1, each on its own platform or virtual thread, all released at once;
     * waits for all and rethrows the first failure with the others suppressed.
     */
    static void runThreads(int n, boolean virtual, String name, IntConsumer body) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread.Builder builder = virtual ? Thread.ofVirtual().name(name + "-v", 0) : Thread.ofPlatform().name(name, 0)
                .stackSize(256 * 1024);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            threads.add(builder.start(() -> {
                try {
                    go.await();
                    body.accept(id);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS * 3);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                throw new AssertionError("hang: " + t + " still running; stack:\n" + stack(t) + "\nloop threads:\n"
                        + loopStacks());
            }
        }
        Throwable first = failures.poll();
        if (first != null) {
            failures.stream().limit(5).forEach(first::addSuppressed);
            if (first instanceof Error e) {
                throw e;
            }
            throw new AssertionError(first);
        }
    }

    /** The stacks of every event loop thread, for hang reports. */
    static String loopStacks() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().contains("EventLoopGroup")) {
                sb.append(t).append('\n').append(stack(t));
            }
        });
        return sb.toString();
    }

    private static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("  at ").append(e).append('\n');
        }
        return sb.toString();
    }

    /** Unchecked wrapper for thread bodies that call blocking, checked APIs. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    static void unchecked(Body body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
