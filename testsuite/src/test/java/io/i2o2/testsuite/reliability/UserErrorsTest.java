package io.i2o2.testsuite.reliability;

import io.i2o2.file.Groups;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringPassthroughEventLoopGroup;
import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User code that runs on the loop thread and throws (listeners, callbacks, tasks, raw SQE fillers) must never
 * kill the loop: the throwable is logged, the op it belongs to completes, and the loop keeps serving. On this
 * library's two group types and on Netty's own io_uring loop alike; the uring_cmd writer only where uring_cmd runs.
 */
class UserErrorsTest {
    @TempDir
    Path dir;

    /** What listeners throw, in turn: checked and unchecked exceptions and every kind of Error. */
    static final List<Supplier<Throwable>> THROWABLES = List.of(
            () -> new RuntimeException("listener bug"),
            () -> new IllegalStateException("listener bug"),
            () -> new AssertionError("listener bug"),
            () -> new StackOverflowError("listener bug"),
            () -> new OutOfMemoryError("listener bug (simulated)"),
            () -> new LinkageError("listener bug"),
            () -> new Error("listener bug"));

    static void sneakyThrow(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        throw (RuntimeException) t;
    }

    /**
     * Four threads submit reads; every op has a listener that throws (seven kinds of throwable in turn), a
     * callback op that throws, and every tenth listener first submits another op on the loop thread. Tasks and
     * scheduled tasks that throw run meanwhile. Every op completes, every follow-up op too, and the loop
     * serves on, not shutting down.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void throwingListenersCallbacksAndTasksNeverKillTheLoop(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.defaults());
        Kit.shutdownAfter(group, () -> {
            FileIo loop = FileIo.of(group.next());
            IoUringFile file = Kit.await(loop.open(Files.write(dir.resolve("l"), new byte[1 << 16]), READ, WRITE));
            LongAdder thrown = new LongAdder();
            LongAdder callbacks = new LongAdder();
            List<IntFuture> followUps = new CopyOnWriteArrayList<>();
            List<ByteBuf> bufs = new CopyOnWriteArrayList<>();
            Kit.runThreads(4, false, "throw", t -> Kit.unchecked(() -> {
                for (int i = 0; i < 100; i++) {
                    ByteBuf b = Kit.ALLOC.directBuffer(512, 512);
                    bufs.add(b);
                    int kind = (t * 100 + i) % THROWABLES.size();
                    boolean submitFirst = i % 10 == 0;
                    IntFuture f = file.read(b, (i % 64) * 512L);
                    f.addListener(done -> {
                        if (submitFirst) {
                            followUps.add(loop.nop());
                        }
                        thrown.increment();
                        sneakyThrow(THROWABLES.get(kind).get());
                    });
                    loop.nop((res, tag) -> {
                        callbacks.increment();
                        sneakyThrow(THROWABLES.get((int) tag).get());
                    }, kind);
                    if (i % 25 == 0) {
                        loop.executor().execute(() -> sneakyThrow(THROWABLES.get(kind).get()));
                        loop.executor().schedule(() -> sneakyThrow(new IllegalStateException("scheduled task bug")), 1,
                                TimeUnit.MILLISECONDS);
                    }
                    assertEquals(512, Kit.await(f));
                }
            }));
            awaitCount(thrown, 400, "listeners run");
            awaitCount(callbacks, 400, "callbacks run");
            assertEquals(40, followUps.size());
            for (IntFuture f : followUps) {
                assertEquals(0, Kit.await(f), "an op submitted by a throwing listener completes");
            }
            Kit.releaseAll(bufs);
            assertFalse(loop.executor().isShuttingDown(), "the loop was not brought down");
            assertFalse(loop.executor().terminationFuture().isDone());
            for (int i = 0; i < 100; i++) {
                assertEquals(0, Kit.await(loop.nop()), "the loop serves on");
            }
            Kit.await(file.close());
        });
    }

    private static void awaitCount(LongAdder counter, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, counter.sum(), what);
    }

    /**
     * A raw SQE filler runs on the loop thread when its op is written into the ring. One that throws, even
     * after writing half an entry, fails its own op with what it threw and releases its guard; the loop
     * neither dies nor submits the half-written entry. On the portable engine (PORTABLE, NIO) raw SQEs are
     * refused before any filler runs; what must hold there is the rest: the guard released, nothing read, the
     * loop serving on.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aThrowingSqeFillerFailsItsOpOnly(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.defaults());
        Kit.shutdownAfter(group, () -> {
            FileIo loop = FileIo.of(group.next());
            byte[] marked = new byte[4096];
            java.util.Arrays.fill(marked, (byte) 0x5A);
            IoUringFile file = Kit.await(loop.open(Files.write(dir.resolve("raw"), marked), READ, WRITE));
            // Zeroed (pooled memory is not): the file's 0x5A bytes would show if the read ever ran.
            ByteBuf victim = Kit.ALLOC.directBuffer(4096, 4096).setZero(0, 4096);
            List<ByteBuf> guards = new ArrayList<>();
            List<IntFuture> raws = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ByteBuf guard = Kit.ALLOC.directBuffer(8);
                guards.add(guard.retain()); // one reference for the loop to release, one for the test
                long into = java.lang.foreign.MemorySegment.ofBuffer(victim.nioBuffer(0, 4096)).address();
                raws.add(loop.submitRaw(sqe -> {
                    // Half an entry: a read into memory the test watches, then the filler gives up.
                    sqe.prepRead(file.fd(), into, 4096, 0);
                    throw new IllegalStateException("filler bug");
                }, guard));
                raws.add(loop.submitRaw(sqe -> sqe.prepNop(), null));
            }
            for (int i = 0; i < raws.size(); i += 2) {
                Throwable failure = Kit.awaitOutcome(raws.get(i));
                if (type.isPortable()) {
                    // The portable engine has no SQ and refuses raw SQEs outright, before any filler runs: both
                    // entries fail alike, saying so (EngineFeature.RAW_SQES), and the guard goes back all the same.
                    for (Throwable refusal : List.of(failure, Kit.awaitOutcome(raws.get(i + 1)))) {
                        assertSame(UnsupportedOperationException.class, refusal.getClass(), "" + refusal);
                        assertTrue(refusal.getMessage().contains("raw SQEs need io_uring"), refusal.getMessage());
                    }
                    continue;
                }
                assertSame(IllegalStateException.class, failure == null ? null : failure.getClass(), "" + failure);
                assertEquals(0, Kit.await(raws.get(i + 1)), "the entry after it is unharmed");
            }
            for (ByteBuf g : guards) {
                assertEquals(1, g.refCnt(), "the guard of the failed op was released");
            }
            Kit.releaseAll(guards);
            assertEquals(0, Kit.await(loop.nop()), "the loop serves on");
            assertFalse(loop.executor().isShuttingDown());
            Thread.sleep(20);
            assertEquals(0, victim.writerIndex());
            for (int i = 0; i < 4096; i++) {
                assertEquals(0, victim.getByte(i), "the half-written read was never submitted");
            }
            victim.release();
            Kit.await(file.close());
        });
    }

    /**
     * A uring_cmd writer runs on the submitting thread; one that throws fails that op and pins nothing. Not
     * NETTY: uring_cmd needs 128-byte SQEs, which only the passthrough group has (refused before any writer runs).
     */
    @Test
    void aThrowingUringCmdWriterFailsItsOpOnly() throws Exception {
        IoUringEventLoopGroup group = new IoUringPassthroughEventLoopGroup(1);
        Kit.shutdownAfter(group, () -> {
            FileIo loop = FileIo.of(group.next());
            IoUringFile file = Kit.await(loop.open(Files.write(dir.resolve("cmd"), new byte[16]), READ));
            ByteBuf data = Kit.ALLOC.directBuffer(64).writeZero(64);
            int pendingBefore = loop.pendingOps();
            Throwable failure = Kit.awaitOutcome(file.uringCmd(0, data, false, (cmd, addr, len) -> {
                throw new IllegalArgumentException("writer bug");
            }));
            assertSame(IllegalArgumentException.class, failure.getClass());
            assertEquals(1, data.refCnt(), "nothing retained");
            assertEquals(pendingBefore, loop.pendingOps(), "its slot went back");
            data.release();
            assertEquals(0, Kit.await(loop.nop()));
            Kit.await(file.close());
        });
    }
}
