package io.i2o2.testsuite.reliability;

import io.i2o2.file.EngineChoice;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUring;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.LinkedOps;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where the portable engine once answered otherwise than the ring, found by {@link EngineDifferentialTest}: each
 * test is the smallest reproducer, run on both engines, and states the answer both now give.
 */
class EngineAgreementsTest {
    @TempDir
    Path dir;

    /**
     * A link timeout right after another: the kernel refused the second at submission (EINVAL, the whole chain
     * failed) where the portable engine ran the chain; now {@code LinkedOps.timeoutPrevious} refuses it on every
     * engine before anything is submitted: the second timeout fails with {@code IllegalArgumentException}, the
     * other links with {@code IllegalStateException} ("chain not submitted"), and nothing runs.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aLinkTimeoutAfterALinkTimeoutIsRefusedBeforeTheChainRuns(boolean portable) throws Exception {
        if (!portable && !IoUring.isAvailable()) {
            System.out.println("SKIPPED the ring side: io_uring is unavailable here");
            return;
        }
        IoUringEventLoopGroup group = portable ? new PortableFileEventLoopGroup(1)
                : new IoUringFileEventLoopGroup(1, IoUringConfig.builder().engine(EngineChoice.IO_URING).build());
        Kit.shutdownAfter(group, () -> {
            FileIo io = FileIo.of(group.next());
            IoUringFile file = Kit.await(io.open(Files.write(dir.resolve("f"), new byte[4]), READ));
            ByteBuf buf = Kit.ALLOC.directBuffer(4, 4);
            LinkedOps chain = io.link();
            List<Future<?>> links = new ArrayList<>();
            links.add(chain.read(file, buf, 0));
            links.add(chain.timeoutPrevious(10, TimeUnit.SECONDS));
            links.add(chain.timeoutPrevious(10, TimeUnit.SECONDS));
            chain.submit();
            List<String> outcomes = new ArrayList<>();
            for (Future<?> f : links) {
                Kit.awaitOutcome(f);
                outcomes.add(f.isSuccess() ? "ok" : EngineDifferentialTest.failure(f.cause()).replaceAll(" \\(.*", ""));
            }
            buf.release();
            Kit.await(file.close());
            assertEquals(List.of("IllegalStateException", "IllegalStateException", "IllegalArgumentException"),
                    links.stream().map(f -> f.cause().getClass().getSimpleName()).toList(),
                    io.engine() + " refuses the chain before it runs: " + outcomes);
            assertEquals(0, buf.writerIndex(), "nothing was read");
        });
    }

    /**
     * A short vectored read breaks a chain as a short plain read does: the kernel compares what a read or write
     * moved with what it asked for ({@code req->cqe.res}, the iterator's count, for READV and WRITEV as for READ
     * and WRITE) and fails the link when they differ, so the fsync after it is cancelled (ECANCELED). The portable
     * engine expects a count only of plain and fixed reads and writes ({@code PortableEngine.put}), so after a
     * short READV (here a composite buffer of 16 bytes reading a 4-byte file) it runs the fsync.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aShortVectoredReadBreaksTheChain(boolean portable) throws Exception {
        if (!portable && !IoUring.isAvailable()) {
            System.out.println("SKIPPED the ring side: io_uring is unavailable here");
            return;
        }
        IoUringEventLoopGroup group = portable ? new PortableFileEventLoopGroup(1)
                : new IoUringFileEventLoopGroup(1, IoUringConfig.builder().engine(EngineChoice.IO_URING).build());
        Kit.shutdownAfter(group, () -> {
            FileIo io = FileIo.of(group.next());
            IoUringFile file = Kit.await(io.open(Files.write(dir.resolve("f"), new byte[4]), READ));
            CompositeByteBuf composite = Kit.ALLOC.compositeDirectBuffer(2);
            composite.addComponent(false, Kit.ALLOC.directBuffer(8, 8).writerIndex(8));
            composite.addComponent(false, Kit.ALLOC.directBuffer(8, 8).writerIndex(8));
            assertEquals(16, composite.writableBytes());
            LinkedOps chain = io.link();
            Future<Integer> read = chain.read(file, composite, 0);
            Future<Integer> sync = chain.fsync(file);
            chain.submit();
            Kit.awaitOutcome(sync);
            String syncOutcome = sync.isSuccess() ? "ok"
                    : EngineDifferentialTest.failure(sync.cause()).replaceAll(" \\(.*", "");
            assertEquals(4, Kit.await(read), "the read is short");
            composite.release();
            Kit.await(file.close());
            assertEquals("FileIoException ECANCELED", syncOutcome, io.engine() + " breaks the chain as the kernel "
                    + "does after a short READV");
        });
    }
}
