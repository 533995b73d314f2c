package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producer lanes on a real loop of every engine: more platform threads than lanes, in waves that end (so later
 * threads take over the lanes of ended ones), each keeping reads in flight against a bound smaller than all of
 * them want. Every read must come back with the file's bytes or an overload refusal, and every slot must be free
 * again at the end, wherever it rests.
 */
// Runs where io_uring is unavailable too: Groups.all() then holds the portable engine's loops alone.
@io.i2o2.uring.WithoutIoUring
class ProducerLanesLoopTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 64;

    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void wavesOfMoreThreadsThanLanesReadCorrectlyAndFreeEverySlot(Groups type) throws Exception {
        int bound = 128;
        group = type.create(IoUringConfig.builder().maxInFlight(bound).build());
        FileIo io = FileIo.of(group.next());
        byte[] data = new byte[BLOCKS * BLOCK];
        new Random(7).nextBytes(data);
        Files.write(dir.resolve("data"), data);
        IoUringFile file = io.open(dir.resolve("data")).get(10, TimeUnit.SECONDS);
        int threadsPerWave = ConfigProperties.PRODUCER_LANES + 4;     // some without a lane in every wave
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long completed = 0;
        for (int wave = 0; wave < 3; wave++) {
            List<Thread> threads = new ArrayList<>();
            long[] done = new long[threadsPerWave];
            for (int t = 0; t < threadsPerWave; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        done[id] = readAndCheck(file, data, 40, 8, new Random(id * 31L + 1));
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "wave-" + wave + "-producer-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertNull(failure.get(), () -> "wave: " + failure.get());
            for (long d : done) {
                completed += d;
            }
        }
        assertTrue(completed > 0, "some reads got through");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.pendingOps() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(0, io.pendingOps(), "every slot is free again, in a lane's stock or the shared list");
        file.close().get(10, TimeUnit.SECONDS);
    }

    /**
     * Rounds of {@code depth} reads at random blocks, each checked against {@code data}; an overload refusal (the
     * bound is shared by all threads) is allowed and counted out. Returns how many reads completed.
     */
    private static long readAndCheck(IoUringFile file, byte[] data, int rounds, int depth, Random random)
            throws Exception {
        long completed = 0;
        for (int round = 0; round < rounds; round++) {
            List<IntFuture> reads = new ArrayList<>();
            List<ByteBuf> bufs = new ArrayList<>();
            int[] blocks = new int[depth];
            for (int i = 0; i < depth; i++) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK);
                blocks[i] = random.nextInt(BLOCKS);
                bufs.add(buf);
                reads.add(file.read(buf, (long) blocks[i] * BLOCK));
            }
            for (int i = 0; i < depth; i++) {
                IntFuture read = reads.get(i);
                assertTrue(read.await(10, TimeUnit.SECONDS), "read not done in 10 s");
                ByteBuf buf = bufs.get(i);
                if (read.isSuccess()) {
                    assertEquals(BLOCK, read.resultAsInt());
                    for (int b = 0; b < BLOCK; b += 509) {
                        assertEquals(data[blocks[i] * BLOCK + b], buf.getByte(b), "byte " + b + " of block " + blocks[i]);
                    }
                    completed++;
                } else if (!(read.cause() instanceof FileIoOverloadedException)) {
                    throw new AssertionError("read failed", read.cause());
                }
                assertEquals(1, buf.refCnt(), "the read's reference is given back");
                buf.release();
            }
        }
        return completed;
    }
}
