package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.i2o2.file.FileOpsTest.await;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A buffer its owner releases on another thread while the op that uses it is being submitted. The rule
 * (IoUringFile's class javadoc): the release lands either before the op takes its reference, and the op is
 * refused like any released buffer (its future fails with {@link IllegalReferenceCountException}; a callback
 * variant throws it), or after, and the op keeps the memory alive until it completes. Never anything else: no
 * exception from deep inside the submit, no slot or file reference kept by a refused op, no reference
 * released twice or kept.
 */
class ReleasedBufferRaceTest {
    /**
     * Tries per ring; {@code -Di2o2.test.raceTries=...} to run more or fewer. The old code lost this race in
     * about 4% of tries, so 10,000 (over 1,000 per op shape) catch it every time; 100,000 cost CI 90 s for
     * nothing more, and the 6.1 guest (LibraryGuestIT, ~10x slower) runs fewer still.
     */
    private static final int TRIES = Integer.getInteger("i2o2.test.raceTries", 10_000);
    /** Ops in flight together before the test waits for them and checks their buffers. */
    private static final int BATCH = 64;
    /** Unpooled: a pooled buffer's object is recycled once freed, so its refCnt would tell of its next life. */
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final int SIZE = 64;

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aBufferReleasedWhileItsOpIsSubmittedIsRefusedOrKeptAliveNothingElse(Groups type) throws Exception {
        // No idle spin on our loops: with the releaser and this thread running too, a spinning loop thread
        // starves one of them on a small machine (100k tries took minutes instead of seconds).
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().spin(0, TimeUnit.NANOSECONDS).build());
        Releaser releaser = new Releaser();
        releaser.start();
        try {
            FileIo io = FileIo.of(group.next());
            Path path = Files.write(dir.resolve("data"), FileOpsTest.random(4 * SIZE, 3));
            IoUringFile file = await(io.open(path, READ, WRITE));
            int unset = Integer.MIN_VALUE;
            AtomicIntegerArray callbackResults = new AtomicIntegerArray(BATCH);
            IoCallback callback = (result, tag) -> callbackResults.set((int) tag, result);
            ByteBuf[] raced = new ByteBuf[BATCH];
            // Every vectored op has a second buffer nobody releases: it must come back to exactly 1.
            ByteBuf[] steady = new ByteBuf[BATCH];
            IntFuture[] futures = new IntFuture[BATCH];
            int[] refused = new int[8];
            int[] accepted = new int[8];
            for (int done = 0; done < TRIES; ) {
                int n = Math.min(BATCH, TRIES - done);
                for (int i = 0; i < n; i++) {
                    int shape = (done + i) & 7;    // read, write, readv, writev; each with a future, then a callback
                    boolean write = (shape & 1) == 1;
                    raced[i] = write ? ALLOC.directBuffer(SIZE).writeZero(SIZE) : ALLOC.directBuffer(SIZE);
                    steady[i] = write ? ALLOC.directBuffer(SIZE).writeZero(SIZE) : ALLOC.directBuffer(SIZE);
                    futures[i] = null;
                    callbackResults.set(i, unset);
                    releaser.release(raced[i]);
                    try {
                        futures[i] = submit(file, shape, raced[i], steady[i], callback, i);
                    } catch (IllegalReferenceCountException e) {
                        if (shape < 4) {
                            fail("a future variant threw instead of failing its future", e);
                        }
                        refused[shape]++;
                        callbackResults.set(i, 0);
                    }
                    releaser.awaitReleased();
                }
                for (int i = 0; i < n; i++) {
                    int shape = (done + i) & 7;
                    int bytes = (shape & 2) == 0 ? SIZE : 2 * SIZE;
                    String op = "op " + (done + i) + " (shape " + shape + ")";
                    if (futures[i] != null) {
                        assertTrue(futures[i].await(10, TimeUnit.SECONDS), op + " completes");
                        if (futures[i].isSuccess()) {
                            assertEquals(bytes, futures[i].resultAsInt(), op);
                            accepted[shape]++;
                        } else {
                            assertInstanceOf(IllegalReferenceCountException.class, futures[i].cause(),
                                    op + " failed for its released buffer, nothing else");
                            refused[shape]++;
                        }
                    } else if (callbackResults.get(i) != 0) {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (callbackResults.get(i) == unset && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        assertEquals(bytes, callbackResults.get(i), op + "'s callback");
                        accepted[shape]++;
                    }
                    // The releaser took the owner's reference; the op gave back its own, if it took one, exactly once.
                    assertEquals(0, raced[i].refCnt(), op + ": the raced buffer is freed, once");
                    assertEquals(1, steady[i].refCnt(), op + ": the steady buffer is back to its owner's reference");
                    steady[i].release();
                }
                done += n;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (io.pendingOps() != 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertEquals(0, io.pendingOps(), "no slot stays taken after " + done + " tries");
            }
            for (int shape = 0; shape < 8; shape++) {
                assertEquals(TRIES / 8, refused[shape] + accepted[shape], "shape " + shape);
            }
            assertTrue(file.close().await(10, TimeUnit.SECONDS), "every op reference on the file came back");
            List<String> leaks = LeakDetection.collect();
            assertTrue(leaks.isEmpty(), "no buffer leaked: " + leaks);
            System.out.printf("%s: refused/accepted per shape (read, write, readv, writev; future then callback):"
                    + " %s / %s%n", type, java.util.Arrays.toString(refused), java.util.Arrays.toString(accepted));
        } finally {
            releaser.interrupt();
            releaser.join();
            Groups.shutdown(group);
        }
    }

    /** Shape 0-3 with a future (returned), 4-7 with a callback (null returned). */
    private static IntFuture submit(IoUringFile file, int shape, ByteBuf buf, ByteBuf steady, IoCallback callback,
                                    long tag) {
        return switch (shape) {
            case 0 -> file.read(buf, 0);
            case 1 -> file.write(buf, 0);
            case 2 -> file.readv(0, steady, buf);
            case 3 -> file.writev(0, steady, buf);
            default -> {
                switch (shape) {
                    case 4 -> file.read(buf, 0, callback, tag);
                    case 5 -> file.write(buf, 0, callback, tag);
                    case 6 -> file.readv(0, new ByteBuf[] {steady, buf}, callback, tag);
                    default -> file.writev(0, new ByteBuf[] {steady, buf}, callback, tag);
                }
                yield null;
            }
        };
    }

    /**
     * Releases each buffer handed to it as soon as it sees it, after a random short spin, so the release lands
     * anywhere in the submit that runs meanwhile on the test thread. It parks when no buffer came for a while
     * (the test thread awaits its ops), so as not to take the loop thread's CPU.
     */
    private static final class Releaser extends Thread {
        private final AtomicReference<ByteBuf> next = new AtomicReference<>();

        Releaser() {
            super("releaser");
            setDaemon(true);
        }

        void release(ByteBuf buf) {
            next.set(buf);
            LockSupport.unpark(this);
        }

        void awaitReleased() {
            for (int spins = 0; next.get() != null; spins++) {
                if ((spins & 127) == 127) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void run() {
            int idle = 0;
            while (!isInterrupted()) {
                ByteBuf buf = next.get();
                if (buf == null) {
                    if (++idle >= 10_000) {
                        idle = 0;
                        LockSupport.park(this);
                    } else {
                        Thread.onSpinWait();
                    }
                    continue;
                }
                idle = 0;
                for (int spins = ThreadLocalRandom.current().nextInt(64); spins > 0; spins--) {
                    Thread.onSpinWait();
                }
                buf.release();
                next.set(null);
            }
        }
    }
}
