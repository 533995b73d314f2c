package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.SetupFlag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every knob of {@link IoUringConfig} reaches the ring or the loop, on both group types. */
class ConfigTest {
    @TempDir
    Path dir;

    /** Runs a NOP and a file read on a one-loop group built from {@code config}, then shuts it down. */
    FileIo exercise(Groups type, IoUringConfig config, java.util.function.Consumer<FileIo> check)
            throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(config);
        try {
            FileIo loop = FileIo.of(group.next());
            assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS));
            Files.write(dir.resolve("c"), new byte[] {1, 2, 3, 4});
            IoUringFile file = loop.open(dir.resolve("c")).get(10, TimeUnit.SECONDS);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            assertEquals(4, file.read(buf, 0).get(10, TimeUnit.SECONDS));
            buf.release();
            file.close().get(10, TimeUnit.SECONDS);
            check.accept(loop);
            return loop;
        } finally {
            Groups.shutdown(group);
        }
    }

    // Not NETTY: ring setup flags come from IoUringConfig, which does not reach Netty's ring (ringFlags() is empty there).
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void defaultsAskForTheModernFlags(Groups type) throws Exception {
        exercise(type, IoUringConfig.defaults(), loop -> {
            assertTrue(loop.ringFlags().contains("SINGLE_ISSUER"), loop.ringFlags().toString());
            assertTrue(loop.ringFlags().contains("DEFER_TASKRUN"));
            assertEquals(type == Groups.PASSTHROUGH, loop.ringFlags().contains("SQE128"));
            assertEquals(type == Groups.PASSTHROUGH, loop.ringFlags().contains("CQE32"));
            assertEquals(4096, loop.maxInFlight());
        });
    }

    // Not NETTY: SQPOLL is a setup flag of our ring; Netty's loop is configured by Netty.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void sqPoll(Groups type) throws Exception {
        exercise(type, IoUringConfig.builder().sqPoll(10, -1).build(), loop -> {
            assertTrue(loop.ringFlags().contains("SQPOLL"), loop.ringFlags().toString());
            assertFalse(loop.ringFlags().contains("DEFER_TASKRUN"), "SQPOLL excludes DEFER_TASKRUN");
        });
    }

    // Not NETTY: taskrun flags are setup flags of our ring; Netty's loop is configured by Netty.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void plainRingsWithoutTaskrunFlags(Groups type) throws Exception {
        exercise(type, IoUringConfig.builder().singleIssuer(false).coopTaskrun(false).build(), loop -> {
            assertFalse(loop.ringFlags().contains("SINGLE_ISSUER"));
            assertFalse(loop.ringFlags().contains("COOP_TASKRUN"));
        });
    }

    @Test
    void ioPollRingsAreCreated() throws Exception {
        IoUringEventLoopGroup group = Groups.FILE.createOwn(IoUringConfig.builder().ioPoll(true).build());
        try {
            FileIo loop = FileIo.of(group.next());
            assertTrue(loop.ringFlags().contains("IOPOLL"));
            assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS));
            // What the kernel cannot poll (opens, stats, syncs, timers) runs on the loop's plain companion ring,
            // which the loop also sleeps on: an idle IOPOLL loop is woken by a submitter like any other.
            byte[] data = FileOpsTest.random(8192, 5);
            Files.write(dir.resolve("p"), data);
            IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("p"), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE));
            assertEquals(8192, FileOpsTest.await(loop.stat(dir.resolve("p"))).size());
            assertEquals(0, FileOpsTest.await(file.fdatasync()));
            FileOpsTest.await(loop.timeout(1, TimeUnit.MILLISECONDS));
            Thread.sleep(50);   // the loop goes to sleep
            io.netty.buffer.ByteBuf buf = FileOpsTest.ALLOC.directBuffer(4096);
            assertEquals(4096, FileOpsTest.await(file.read(buf, 0)), "buffered: the plain ring");
            assertEquals(data[0], buf.getByte(0));
            buf.release();
            FileOpsTest.await(file.close());
            // O_DIRECT goes to the polled ring: here (no polled queues) the kernel says EOPNOTSUPP at once, or
            // reads; either way the op completes and the loop goes on.
            var opening = loop.open(dir.resolve("p"), IoUringOpenOption.DIRECT).await();
            if (!opening.isSuccess()) {
                // tmpfs has O_DIRECT only since 6.6: the polled path cannot be tried on this file system.
                assertEquals(io.i2o2.uring.Errno.EINVAL,
                        assertInstanceOf(FileIoException.class, opening.cause()).errno());
                System.out.println("ioPollRingsAreCreated: no O_DIRECT on " + dir + ", polled read not tried");
                assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS));
                return;
            }
            IoUringFile direct = opening.getNow();
            io.netty.buffer.ByteBuf aligned = AlignedBuffers.allocate(4096, 4096);
            var polled = direct.read(aligned, 0).await();
            assertTrue(polled.await(10, TimeUnit.SECONDS), "a polled read completes");
            if (!polled.isSuccess()) {
                assertEquals(io.i2o2.uring.Errno.EOPNOTSUPP,
                        assertInstanceOf(FileIoException.class, polled.cause()).errno(), polled.cause().toString());
            }
            aligned.release();
            FileOpsTest.await(direct.close());
            assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS));
        } finally {
            Groups.shutdown(group);
        }
    }

    @Test
    void threadFactoryAndCpuAffinity() throws Exception {
        AtomicInteger made = new AtomicInteger();
        IoUringConfig config = IoUringConfig.builder()
                .threadFactory(r -> {
                    Thread t = new Thread(r, "custom-uring-" + made.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                })
                .cpuAffinity(0)
                .build();
        IoUringEventLoopGroup group = Groups.FILE.createOwn(config);
        try {
            CompletableFuture<String> seen = new CompletableFuture<>();
            group.next().execute(() -> {
                try {
                    String status = Files.readString(Path.of("/proc/thread-self/status"));
                    String cpus = status.lines().filter(l -> l.startsWith("Cpus_allowed_list")).findFirst()
                            .orElse("?");
                    seen.complete(Thread.currentThread().getName() + " " + cpus);
                } catch (Exception e) {
                    seen.completeExceptionally(e);
                }
            });
            String s = seen.get(10, TimeUnit.SECONDS);
            assertTrue(s.startsWith("custom-uring-1"), s);
            assertTrue(s.endsWith("\t0") || s.endsWith(" 0"), "pinned to CPU 0: " + s);
        } finally {
            Groups.shutdown(group);
        }
    }

    @Test
    void requireAllFlagsFailsCreationNamingTheMissingFlag() {
        KernelFaults noDefer = KernelFaults.plan().hideSetupFlag(SetupFlag.DEFER_TASKRUN);
        IoUringEventLoopGroup lenient = Groups.FILE.createOwn(IoUringConfig.builder().faults(noDefer).build());
        try {
            assertFalse(lenient.nextFileIo().ringFlags().contains("DEFER_TASKRUN"));
            assertTrue(lenient.nextFileIo().droppedRingFlags().contains("DEFER_TASKRUN"));
        } finally {
            Groups.shutdown(lenient);
        }
        IllegalStateException strict = assertThrows(IllegalStateException.class, () -> Groups.FILE.create(
                IoUringConfig.builder().faults(KernelFaults.plan().hideSetupFlag(SetupFlag.DEFER_TASKRUN))
                        .requireAllFlags(true).build()));
        Throwable cause = strict.getCause();
        while (cause != null && !(cause instanceof io.i2o2.uring.UringException)) {
            cause = cause.getCause();
        }
        assertInstanceOf(io.i2o2.uring.UringException.class, cause, "the kernel's refusal is the cause");
        assertTrue(cause.getMessage().contains("DEFER_TASKRUN"), cause.getMessage());
    }

    @Test
    void badValuesAreRefusedByTheBuilder() {
        assertThrows(IllegalArgumentException.class, () -> IoUringConfig.builder().ringEntries(0));
        assertThrows(IllegalArgumentException.class, () -> IoUringConfig.builder().maxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> IoUringConfig.builder().ringEntries(64).cqEntries(8).build());
        assertThrows(IllegalArgumentException.class, () -> IoUringConfig.builder().fixedBuffers(4, 0));
        assertThrows(IllegalArgumentException.class, () -> IoUringConfig.builder().cpuAffinity(-1));
        assertThrows(IllegalArgumentException.class, () -> new IoUringFileEventLoopGroup(0));
    }
}
