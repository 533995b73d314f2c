package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.IoUringPassthroughEventLoopGroup;
import io.i2o2.file.nvme.NvmeNamespace;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IOPOLL loops of the library on polled NVMe queues (the guest loads nvme with {@code poll_queues=1}):
 * passthrough reads and writes through {@link NvmeNamespace} on a polled passthrough loop, and O_DIRECT block
 * reads on a polled file loop, at QD 1 and 32, data checked. The opens and the identify go to the loop's plain
 * companion ring, the I/O to the polled one; an idle polled loop sleeps on the companion and is woken there.
 * {@link NvmeIopollGuestTest} shows, at the ring level, why a loop must be built that way.
 *
 * <p>Ring only, no portable variant: polled queues are reached through an {@code IOPOLL} ring alone; a portable
 * loop ignores the IOPOLL setting (its ioctls complete through interrupts), so it would repeat
 * {@link NvmeNamespaceGuestTest}'s portable run.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest with polled queues: run NvmeGuestIT")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NvmeIopollLoopGuestTest {
    private static final long WAIT_SECONDS = 90;
    private static final IoUringConfig POLLED = IoUringConfig.builder().ioPoll(true).requireAllFlags(false).build();

    private IoUringPassthroughEventLoopGroup passthrough;
    private IoUringFileEventLoopGroup files;
    private NvmeNamespace ns;

    @BeforeAll
    void open() throws Exception {
        passthrough = new IoUringPassthroughEventLoopGroup(1, POLLED);
        files = new IoUringFileEventLoopGroup(1, POLLED);
        FileIo io = passthrough.nextFileIo();
        assertTrue(io.ringFlags().contains("IOPOLL"), "a polled loop: " + io.ringFlags());
        ns = await(NvmeNamespace.open(io, GuestNamespaces.generic(1)));
    }

    @AfterAll
    void close() throws Exception {
        if (ns != null) {
            await(ns.close());
        }
        for (var g : List.of(passthrough, files)) {
            if (g != null) {
                g.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "QD {0}")
    @ValueSource(ints = {1, 32})
    void polledPassthroughWritesThenReadsBack(int qd) throws Exception {
        int lbaSize = ns.lbaSize();
        long base = 8192L * qd;
        SplittableRandom random = new SplittableRandom(qd);
        List<ByteBuf> sent = new ArrayList<>();
        List<Future<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            ByteBuf src = AlignedBuffers.allocate(8 * lbaSize, 4096);
            byte[] data = new byte[8 * lbaSize];
            random.nextBytes(data);
            sent.add(src.writeBytes(data));
            writes.add(ns.write(base + 8L * i, src));
        }
        for (Future<Integer> w : writes) {
            assertEquals(8 * lbaSize, await(w));
        }
        List<ByteBuf> received = new ArrayList<>();
        List<Future<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            ByteBuf dst = AlignedBuffers.allocate(8 * lbaSize, 4096);
            received.add(dst);
            reads.add(ns.read(base + 8L * i, 8, dst));
        }
        for (int i = 0; i < qd; i++) {
            assertEquals(8 * lbaSize, await(reads.get(i)));
            assertEquals(sent.get(i).resetReaderIndex(), received.get(i), "command " + i);
        }
        sent.forEach(ByteBuf::release);
        received.forEach(ByteBuf::release);
    }

    @ParameterizedTest(name = "QD {0}")
    @ValueSource(ints = {1, 32})
    void polledDirectBlockReadsSeeWhatPassthroughWrote(int qd) throws Exception {
        int lbaSize = ns.lbaSize();
        long lba = 100_000;
        ByteBuf pattern = AlignedBuffers.allocate(qd * 4096, 4096);
        for (int i = 0; i < qd * 4096; i++) {
            pattern.writeByte((i / 4096 + qd) & 0xff);
        }
        assertEquals(qd * 4096, await(ns.write(lba, pattern)));
        FileIo io = files.nextFileIo();
        assertTrue(io.ringFlags().contains("IOPOLL"), io.ringFlags().toString());
        IoUringFile dev = await(io.open(GuestNamespaces.block(1), StandardOpenOption.READ, IoUringOpenOption.DIRECT));
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            ByteBuf b = AlignedBuffers.allocate(4096, 4096);
            bufs.add(b);
            reads.add(dev.read(b, lba * lbaSize + i * 4096L));
        }
        for (int i = 0; i < qd; i++) {
            assertEquals(4096, await(reads.get(i)), "read " + i);
            assertEquals(pattern.slice(i * 4096, 4096), bufs.get(i), "block " + i);
        }
        bufs.forEach(ByteBuf::release);
        pattern.release();
        await(dev.close());
    }

    /**
     * While the loop keeps a polled read in flight all the time (each next one issued from the previous one's
     * listener, as at QD 1), it waits for polled completions in the kernel (min_complete 1) whenever it has
     * nothing else to do; what arrives meanwhile (a task from another thread, a handed-over read, an op on the
     * companion ring, a scheduled task) waits at most until that polled completion, never for good.
     */
    @Test
    void workArrivingWhileTheLoopWaitsOnPolledReadsIsNotStarved() throws Exception {
        FileIo io = passthrough.nextFileIo();
        int blocks = 4096 / ns.lbaSize();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong chained = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CompletableFuture<Void> chainDone = new java.util.concurrent.CompletableFuture<>();
        ByteBuf chainBuf = AlignedBuffers.allocate(4096, 4096);
        io.executor().execute(new Runnable() {
            @Override
            public void run() {
                chainBuf.clear();
                ns.read(chained.get() % 1000 * blocks, blocks, chainBuf).addListener(f -> {
                    if (!f.isSuccess()) {
                        chainDone.completeExceptionally(f.cause());
                        return;
                    }
                    chained.incrementAndGet();
                    if (running.get()) {
                        run();
                    } else {
                        chainDone.complete(null);
                    }
                });
            }
        });
        ByteBuf dst = AlignedBuffers.allocate(4096, 4096);
        long worst = 0;
        try {
            while (chained.get() < 20) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                io.executor().submit(() -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS);
                dst.clear();
                assertEquals(4096, await(ns.read(2000L * blocks, blocks, dst)));
                await(io.nop());
                io.executor().schedule(() -> { }, 1, TimeUnit.MILLISECONDS).get(WAIT_SECONDS, TimeUnit.SECONDS);
                worst = Math.max(worst, System.nanoTime() - t0);
                Thread.sleep(5);
            }
        } finally {
            running.set(false);
            chainDone.get(WAIT_SECONDS, TimeUnit.SECONDS);
            chainBuf.release();
            dst.release();
        }
        System.out.println("workArrivingWhileTheLoopWaitsOnPolledReadsIsNotStarved: " + chained.get()
                + " chained polled reads; worst task + hand-over + companion op + timer round: "
                + TimeUnit.NANOSECONDS.toMillis(worst) + " ms");
        assertTrue(worst < TimeUnit.SECONDS.toNanos(10), "worst round " + worst / 1_000_000 + " ms");
    }

    @Test
    void anIdlePolledLoopSleepsAndIsWokenByASubmitter() throws Exception {
        FileIo io = passthrough.nextFileIo();
        await(io.nop());
        Thread.sleep(200);   // nothing in flight: the loop sleeps on its companion ring
        long before = io.metrics().wakeupsSent();
        ByteBuf dst = AlignedBuffers.allocate(8 * ns.lbaSize(), 4096);
        assertEquals(8 * ns.lbaSize(), await(ns.read(0, 8, dst)));
        assertTrue(io.metrics().wakeupsSent() > before, "the read woke the sleeping loop: " + io.metrics());
        dst.release();
    }
}
