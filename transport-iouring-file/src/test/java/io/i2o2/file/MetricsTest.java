package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop's counters count what happened: submissions, outcomes, refusals. */
class MetricsTest {
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
    void countersCountOutcomesAndRefusals(Groups type) throws Exception {
        group = type.create(IoUringConfig.builder().maxInFlight(4).build());
        FileIo io = FileIo.of(group.next());
        IoUringLoopMetrics before = io.metrics();
        for (int i = 0; i < 10; i++) {
            await(io.nop());
        }
        IoUringFile file = await(io.open(Files.write(dir.resolve("data"), new byte[100])));
        IoUringFile directory = await(io.open(dir));
        ByteBuf buf = ALLOC.directBuffer(64);
        assertInstanceOf(FileIoException.class, directory.read(buf, 0).await().cause(), "EISDIR");
        buf.release();
        // Full: at most 4 ops (NETTY's loop ignores the configuration: it holds more; fill what it holds).
        int held = io.maxInFlight();
        java.util.List<io.netty.util.concurrent.Future<Void>> timers = new java.util.ArrayList<>();
        for (int i = 0; i < held; i++) {
            timers.add(io.timeout(1, TimeUnit.HOURS));
        }
        assertInstanceOf(FileIoOverloadedException.class, io.nop().await().cause());
        for (io.netty.util.concurrent.Future<Void> t : timers) {
            t.cancel(false);
        }
        for (io.netty.util.concurrent.Future<Void> t : timers) {
            assertTrue(t.await(10, TimeUnit.SECONDS));
        }
        // A timer cancel() stopped before the ring completes at once, and leaves the queue on the loop's next turn.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((io.pendingOps() != 0 || io.metrics().queued() != 0) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        IoUringLoopMetrics after = io.metrics();
        assertTrue(after.submitted() - before.submitted() >= 10 + 3, after.toString());
        assertTrue(after.completed() - before.completed() >= 12, after.toString());
        assertEquals(1, after.failed() - before.failed(), after.toString());
        assertEquals(held, after.cancelled() - before.cancelled(), "every timer was cancelled: " + after);
        assertEquals(1, after.refusedOverload() - before.refusedOverload(), after.toString());
        assertEquals(0, after.inFlight(), after.toString());
        assertEquals(0, after.queued(), after.toString());
        assertEquals(0, after.cqOverflows(), after.toString());
        assertEquals(io.engine(), after.engine(), "names the engine");
        if (type.isPortable()) {
            assertTrue(after.workerThreads() >= 1 && after.workerThreads() <= IoUringConfig.defaults().portableWorkers(),
                    "the open and the read ran on workers: " + after);
        } else {
            assertEquals(0, after.workerThreads(), "the kernel runs a ring's ops: " + after);
        }
        await(file.close());
        await(directory.close());
        assertInstanceOf(ClosedFileException.class, file.fsync().await().cause());
        assertEquals(1, io.metrics().refusedShutdown() - after.refusedShutdown());
    }
}
