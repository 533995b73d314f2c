package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.file.nvme.NvmeNamespace.ZoneAction;
import io.i2o2.file.nvme.NvmeStatusException;
import io.i2o2.file.nvme.NvmeZone;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zone commands of the library's NVMe API on QEMU's zoned namespace 2 ({@code /dev/ng0n2}: 8 zones of 8 MiB, the
 * guest harness makes it): zone report, open, close, finish, reset, and Zone Append with the LBA it landed at
 * (the command's result dword: the big CQE's extra on the ring, the ioctl's {@code result} on the portable engine),
 * on each engine in turn ({@link GuestEngine}). Each run leaves every zone empty, as it found them.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest: run NvmeGuestIT, which boots it and runs this class inside")
@ParameterizedClass(name = "{0}")
@EnumSource(GuestEngine.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NvmeZonedGuestTest {
    /** Allows for 6.12's occasional ~62 s controller stall. */
    private static final long WAIT_SECONDS = 90;

    /** The engine every test of this class runs on, in turn ({@link GuestEngine}). */
    @Parameter
    GuestEngine engine;
    private IoUringEventLoopGroup group;
    private NvmeNamespace zns;

    @BeforeParameterizedClassInvocation
    void open() throws Exception {
        group = engine.group();
        engine.check(group.nextFileIo());
        zns = await(NvmeNamespace.open(group.nextFileIo(), GuestNamespaces.generic(2)));
        System.out.println("guest (" + engine + "): zoned " + zns);
    }

    @AfterParameterizedClassInvocation
    void close() throws Exception {
        if (zns != null) {
            await(zns.close());
            zns = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
            group = null;
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private NvmeZone zone(long startLba) throws Exception {
        return await(zns.reportZones(startLba, 1)).getFirst();
    }

    @Test
    void reportAppendAndTheZoneStateMachine() throws Exception {
        List<NvmeZone> zones = await(zns.reportZones(0, 16));
        System.out.println("guest: " + zones.size() + " zones, first " + zones.getFirst());
        assertEquals(8, zones.size(), "64 MiB in 8 MiB zones");
        long zoneBlocks = 8L * 1024 * 1024 / zns.lbaSize();
        for (int i = 0; i < zones.size(); i++) {
            NvmeZone z = zones.get(i);
            assertEquals(2, z.type(), "sequential write required");
            assertEquals(i * zoneBlocks, z.startLba());
            assertEquals(NvmeZone.State.EMPTY, z.state(), z.toString());
            assertEquals(z.startLba(), z.writePointer());
        }
        long z1 = zones.get(1).startLba();

        ByteBuf data = AlignedBuffers.allocate(4 * zns.lbaSize(), 4096);
        data.writerIndex(data.capacity());
        assertEquals(z1, await(zns.zoneAppend(z1, data)), "the first append lands at the zone's start");
        data.readerIndex(0);
        assertEquals(z1 + 4, await(zns.zoneAppend(z1, data)), "the next right after it");
        NvmeZone after = zone(z1);
        assertEquals(z1 + 8, after.writePointer());
        assertEquals(NvmeZone.State.IMPLICITLY_OPENED, after.state());

        await(zns.manageZone(z1, ZoneAction.CLOSE));
        assertEquals(NvmeZone.State.CLOSED, zone(z1).state());
        await(zns.manageZone(z1, ZoneAction.OPEN));
        assertEquals(NvmeZone.State.EXPLICITLY_OPENED, zone(z1).state());
        await(zns.manageZone(z1, ZoneAction.FINISH));
        assertEquals(NvmeZone.State.FULL, zone(z1).state());
        data.readerIndex(0);
        Future<Long> onFull = zns.zoneAppend(z1, data).await();
        NvmeStatusException e = assertInstanceOf(NvmeStatusException.class, onFull.cause());
        System.out.println("guest: append to a full zone: " + e.getMessage());
        assertTrue(e.getMessage().contains("Zone Is Full"), e.getMessage());
        await(zns.manageZone(z1, ZoneAction.RESET));
        NvmeZone reset = zone(z1);
        assertEquals(NvmeZone.State.EMPTY, reset.state());
        assertEquals(z1, reset.writePointer());
        data.release();
    }
}
