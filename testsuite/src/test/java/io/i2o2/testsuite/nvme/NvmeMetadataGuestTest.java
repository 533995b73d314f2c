package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.file.nvme.NvmeNamespaceInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Namespace 3 of the guest's controller is formatted with metadata: 512-byte blocks with 8 bytes of metadata each,
 * extended (interleaved with the data, FLBAS bit 4), protection information type 1 ({@code -device nvme-ns,...,
 * ms=8,mset=1,pi=1}). Identify must say so, and every data command must be refused before submission with the
 * format named, giving back what it took: this library moves no metadata, so it would misread such blocks. On
 * each engine in turn ({@link GuestEngine}): the refusals are the API's, the flush goes to the device.
 *
 * <p>Runs only inside the guest that {@code testsuite/guest/run-in-guest.sh} boots ({@code I2O2_GUEST=1});
 * {@link NvmeGuestIT} launches it there.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest: run NvmeGuestIT, which boots it and runs this class inside")
@ParameterizedClass(name = "{0}")
@EnumSource(GuestEngine.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NvmeMetadataGuestTest {
    private static final long WAIT_SECONDS = 90;

    /** The engine every test of this class runs on, in turn ({@link GuestEngine}). */
    @Parameter
    GuestEngine engine;
    private IoUringEventLoopGroup group;
    private FileIo io;
    private NvmeNamespace ns;

    @BeforeParameterizedClassInvocation
    void open() throws Exception {
        group = engine.group();
        io = group.nextFileIo();
        engine.check(io);
        ns = NvmeNamespace.open(io, GuestNamespaces.generic(3)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        System.out.println("guest: " + ns + ", " + ns.info().formatDescription());
    }

    @AfterParameterizedClassInvocation
    void close() throws Exception {
        if (ns != null) {
            ns.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
            ns = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
            group = null;
        }
    }

    @Test
    void identifyReportsTheMetadataFormat() {
        NvmeNamespaceInfo info = ns.info();
        assertEquals(3, info.nsid());
        assertEquals(512, info.lbaSize());
        assertEquals(8, info.metadataSize());
        assertTrue(info.extendedLba(), "mset=1: metadata at the end of each block's data");
        assertEquals(1, info.protectionType(), "pi=1");
        assertTrue(info.hasMetadata());
        assertEquals("512 + 8 B per block (extended LBA, PI type 1)", info.formatDescription());
    }

    @Test
    void everyDataCommandIsRefusedNamingTheFormatAndGivesBackWhatItTook() throws Exception {
        ByteBuf src = AlignedBuffers.allocate(1024, 4096).writeZero(1024);
        ByteBuf dst = AlignedBuffers.allocate(1024, 4096);
        CompositeByteBuf composite = Unpooled.compositeBuffer().addComponents(true,
                AlignedBuffers.allocate(512, 4096).writeZero(512), AlignedBuffers.allocate(512, 4096).writeZero(512));
        NvmeNamespace timed = ns.withTimeout(Duration.ofSeconds(10));
        List<Supplier<Future<?>>> commands = List.of(
                () -> ns.read(0, 2, dst), () -> ns.read(0, dst), () -> ns.write(0, src), () -> ns.write(0, src, true),
                () -> ns.write(0, src, src), () -> ns.write(0, composite), () -> ns.compare(0, src),
                () -> ns.zoneAppend(0, src), () -> timed.read(0, 1, dst), () -> timed.write(0, composite));
        for (Supplier<Future<?>> command : commands) {
            Future<?> f = command.get();
            assertTrue(f.isDone(), "refused before submission");
            UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, f.cause());
            assertTrue(e.getMessage().contains("512 + 8 B per block (extended LBA, PI type 1)"), e.getMessage());
        }
        assertEquals(0, io.metrics().inFlight());
        assertEquals(1024, src.readableBytes());
        assertEquals(0, dst.writerIndex());
        for (ByteBuf b : List.of(src, dst, composite)) {
            assertEquals(1, b.refCnt(), "given back: " + b);
            b.release();
        }
    }

    @Test
    void commandsThatMoveNoDataStillGo() throws Exception {
        assertNull(ns.flush().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertNull(ns.withTimeout(Duration.ofSeconds(10)).flush().get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
}
