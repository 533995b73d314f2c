package io.i2o2.testsuite.nvme;

import io.i2o2.uring.CompletionHandler;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.i2o2.uring.NvmeUringCmd;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.UringException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * NVMe passthrough through the bare ring ({@code io.i2o2.uring}) against QEMU's emulated controller: Identify,
 * write and read back at several queue depths, flush, and an NVMe error status.
 *
 * <p>Runs only inside the guest that {@code testsuite/guest/run-in-guest.sh} boots (it sets
 * {@code I2O2_GUEST=1}); {@link NvmeGuestIT} launches it there on the host's {@code mvn verify}. The guest
 * has {@code /dev/nvme0} (the controller: admin commands) and {@code /dev/ng0n1} (namespace 1's generic char
 * device: I/O commands) on a scratch image. One {@code SQE128|CQE32} ring carries everything, the
 * device opens and closes included.
 *
 * <p>With {@code I2O2_GUEST_BENCH=1} it also measures 4 KiB random-read IOPS at queue depth 1 and 32, the
 * workload fio's {@code io_uring_cmd} engine runs beside it, and writes them to {@code ring-bench.txt}.
 *
 * <p>Ring only, no portable variant: it tests the ring itself ({@code io.i2o2.uring}'s SQEs and CQEs), below the
 * engines; the portable engine's NVMe path is the NVMe API's, which {@link NvmeNamespaceGuestTest} and the other
 * {@link GuestEngine}-parameterized classes run on both engines.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest: run NvmeGuestIT, which boots it and runs this class inside")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NvmeRingGuestTest {
    private static final String NAMESPACE_DEVICE = GuestNamespaces.generic(1).toString();
    private static final String CONTROLLER_DEVICE = "/dev/nvme0";
    private static final int NSID = 1;
    private static final int PAGE = 4096;
    /** Ring and CQ room for the deepest queue depth tested. */
    private static final int ENTRIES = 64;
    /** Under TCG a command takes well under a millisecond; a minute without a completion is a hang. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Commands per queue depth in the write/read-back test, each 4 KiB. */
    private static final int COMMANDS = 96;

    private Arena arena;
    private Ring ring;
    private int ngFd = -1;
    private int ctrlFd = -1;
    private int lbaSize;
    private long nsze;
    private long lbaRegion;

    private final Completions completions = new Completions();
    /** Result dword 0 of the last NVMe command, from the extra bytes of its 32-byte CQE. */
    private long lastExtra0;

    /** Fills one SQE for command {@code index}. */
    @FunctionalInterface
    private interface Prep {
        void fill(Sqe sqe, int index);
    }

    @BeforeAll
    void open() throws Exception {
        System.out.println("guest kernel " + System.getProperty("os.version") + ", java "
                + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cpu(s)");
        arena = Arena.ofShared();
        ring = Ring.open(RingParams.builder().entries(ENTRIES).require(SetupFlag.SQE128, SetupFlag.CQE32).build());
        ngFd = openat(NAMESPACE_DEVICE);
        ctrlFd = openat(CONTROLLER_DEVICE);

        MemorySegment id = arena.allocate(NvmeUringCmd.IDENTIFY_SIZE, PAGE);
        // Admin commands go to the controller device: a namespace's generic device takes only I/O commands.
        int res = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_ADMIN, ctrlFd).commandArea())
                .identify(NvmeUringCmd.CNS_NAMESPACE, NSID, id.address()));
        assertEquals(0, res, () -> "Identify Namespace: " + NvmeUringCmd.describe(res));
        nsze = id.get(JAVA_LONG_UNALIGNED, 0);
        int nlbaf = Byte.toUnsignedInt(id.get(JAVA_BYTE, 25)) + 1;
        int flbas = Byte.toUnsignedInt(id.get(JAVA_BYTE, 26));
        // FLBAS bits 0..3 pick the format; bits 5..6 extend the index when there are more than 16 formats.
        int format = (flbas & 0xf) | (nlbaf > 16 ? ((flbas >> 5) & 0x3) << 4 : 0);
        int lbaf = id.get(JAVA_INT_UNALIGNED, 128 + 4L * format);
        int lbads = (lbaf >>> 16) & 0xff;
        int metadataSize = lbaf & 0xffff;
        lbaSize = 1 << lbads;
        System.out.printf("namespace %d: nsze=%d blocks, LBA format %d of %d: %d-byte blocks, %d-byte metadata%n",
                NSID, nsze, format, nlbaf, lbaSize, metadataSize);
        assertTrue(lbaSize >= 512 && lbaSize <= PAGE, "LBA size " + lbaSize);
        assertEquals(0, metadataSize, "the tests send no separate metadata buffer");
        assertTrue(nsze >= 3L * COMMANDS * PAGE / lbaSize, "namespace too small: " + nsze + " blocks");
        // IO tests use LBAs from here on, clear of block 0 (where a partition table would go).
        lbaRegion = 1024L * 1024 / lbaSize;
    }

    @AfterAll
    void close() throws Exception {
        try {
            for (int fd : new int[] {ngFd, ctrlFd}) {
                if (fd >= 0 && ring != null) {
                    int res = runOne((sqe, i) -> sqe.prepClose(fd));
                    assertEquals(0, res, () -> "close(" + fd + "): " + Errno.format(-res));
                }
            }
        } finally {
            if (ring != null) {
                ring.close();
            }
            if (arena != null) {
                arena.close();
            }
        }
    }

    @Test
    @Order(1)
    void ringHas128ByteEntries() {
        assertEquals(128, ring.sqeSize());
        assertEquals(32, ring.cqeSize());
        assertTrue(ring.flags().contains(SetupFlag.SQE128) && ring.flags().contains(SetupFlag.CQE32), ring::toString);
    }

    @Test
    @Order(2)
    void identifyControllerOnTheControllerDevice() throws Exception {
        MemorySegment id = arena.allocate(NvmeUringCmd.IDENTIFY_SIZE, PAGE);
        lastExtra0 = -1;
        int res = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_ADMIN, ctrlFd).commandArea())
                .identify(NvmeUringCmd.CNS_CONTROLLER, 0, id.address()));
        assertEquals(0, res, () -> "Identify Controller: " + NvmeUringCmd.describe(res));
        assertEquals(0, lastExtra0, "the command's result dword 0, from the 32-byte CQE");
        int vid = Short.toUnsignedInt(id.get(JAVA_SHORT_UNALIGNED, 0));
        String serial = ascii(id, 4, 20);
        String model = ascii(id, 24, 40);
        String firmware = ascii(id, 64, 8);
        int mdts = Byte.toUnsignedInt(id.get(JAVA_BYTE, 77));
        int namespaces = id.get(JAVA_INT_UNALIGNED, 516);
        System.out.printf("controller: vid=0x%04x model='%s' serial='%s' firmware='%s' mdts=%d namespaces=%d%n",
                vid, model, serial, firmware, mdts, namespaces);
        assertEquals("QEMU NVMe Ctrl", model);
        assertEquals(0x1b36, vid, "Red Hat's PCI vendor id, which QEMU's devices use");
        assertTrue(namespaces >= 1, "namespaces: " + namespaces);
    }

    @Test
    @Order(3)
    void identifyNamespaceAgreesWithTheScratchImage() {
        // run-in-guest.sh backs the namespace with a 1 GiB image unless told otherwise.
        long bytes = nsze * lbaSize;
        System.out.printf("namespace capacity: %d MiB%n", bytes >> 20);
        assertTrue(bytes >= 64L << 20 && bytes % (1 << 20) == 0, "capacity " + bytes);
    }

    @ParameterizedTest(name = "queue depth {0}")
    @ValueSource(ints = {1, 8, 32})
    @Order(4)
    void writeThenReadBackAtQueueDepth(int depth) throws Exception {
        int blocks = PAGE / lbaSize;
        long first = lbaRegion + (long) Integer.numberOfTrailingZeros(depth) * COMMANDS * blocks;
        MemorySegment written = arena.allocate((long) COMMANDS * PAGE, PAGE);
        MemorySegment read = arena.allocate((long) COMMANDS * PAGE, PAGE);
        // Each 4 KiB gets its own bytes, led by its LBA, so a block landing in the wrong place shows.
        SplittableRandom random = new SplittableRandom(depth * 7919L);
        byte[] chunk = new byte[PAGE];
        for (int c = 0; c < COMMANDS; c++) {
            random.nextBytes(chunk);
            MemorySegment.copy(chunk, 0, written, JAVA_BYTE, (long) c * PAGE, PAGE);
            written.set(JAVA_LONG_UNALIGNED, (long) c * PAGE, first + (long) c * blocks);
        }
        read.fill((byte) 0x5a);

        long t0 = System.nanoTime();
        int maxInFlight = pipeline(COMMANDS, depth, (sqe, c) ->
                NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                        .readWrite(NvmeUringCmd.OPC_WRITE, NSID, written.address() + (long) c * PAGE, PAGE,
                                first + (long) c * blocks, blocks));
        long t1 = System.nanoTime();
        pipeline(COMMANDS, depth, (sqe, c) ->
                NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                        .readWrite(NvmeUringCmd.OPC_READ, NSID, read.address() + (long) c * PAGE, PAGE,
                                first + (long) c * blocks, blocks));
        long t2 = System.nanoTime();
        System.out.printf("QD %2d: %d x 4 KiB written in %.1f ms, read in %.1f ms (max %d in flight)%n", depth,
                COMMANDS, (t1 - t0) / 1e6, (t2 - t1) / 1e6, maxInFlight);

        assertEquals(depth, maxInFlight, "commands in flight at once");
        long at = read.mismatch(written);
        if (at >= 0) {
            fail("read back differs from what was written at byte " + at + " (command " + at / PAGE + ", LBA "
                    + (first + at / PAGE * blocks) + "): wrote 0x"
                    + Integer.toHexString(Byte.toUnsignedInt(written.get(JAVA_BYTE, at))) + ", read 0x"
                    + Integer.toHexString(Byte.toUnsignedInt(read.get(JAVA_BYTE, at))));
        }
    }

    @Test
    @Order(5)
    void flush() throws Exception {
        int res = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                .flush(NSID));
        assertEquals(0, res, () -> "Flush: " + NvmeUringCmd.describe(res));
    }

    @Test
    @Order(6)
    void readPastTheEndGivesAnNvmeStatusNotAnErrno() throws Exception {
        MemorySegment buffer = arena.allocate(lbaSize, PAGE);
        int res = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                .readWrite(NvmeUringCmd.OPC_READ, NSID, buffer.address(), lbaSize, nsze, 1));
        System.out.println("read of LBA " + nsze + " (one past the end): res=" + res + ", "
                + NvmeUringCmd.describe(res));
        assertTrue(res > 0, "a device error arrives as the positive NVMe status, got " + res);
        assertEquals(0, NvmeUringCmd.statusCodeType(res), "generic command status");
        assertEquals(0x80, NvmeUringCmd.statusCode(res), "LBA Out of Range");
    }

    @Test
    @Order(7)
    void commandsOnTheWrongDeviceAreRefusedWithAnErrno() throws Exception {
        MemorySegment buffer = arena.allocate(NvmeUringCmd.IDENTIFY_SIZE, PAGE);
        // The kernel refuses these before the device sees them: -ENOTTY, not an NVMe status.
        int io = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ctrlFd).commandArea())
                .readWrite(NvmeUringCmd.OPC_READ, NSID, buffer.address(), lbaSize, lbaRegion, 1));
        int admin = runOne((sqe, i) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_ADMIN, ngFd).commandArea())
                .identify(NvmeUringCmd.CNS_CONTROLLER, 0, buffer.address()));
        System.out.println("NVME_URING_CMD_IO on " + CONTROLLER_DEVICE + ": " + NvmeUringCmd.describe(io)
                + "; NVME_URING_CMD_ADMIN on " + NAMESPACE_DEVICE + ": " + NvmeUringCmd.describe(admin));
        assertEquals("ENOTTY", Errno.name(io), "I/O command on the controller device");
        assertEquals("ENOTTY", Errno.name(admin), "admin command on the namespace's generic device");
    }

    @ParameterizedTest(name = "4 KiB random read, queue depth {0}")
    @ValueSource(ints = {1, 32})
    @Order(8)
    @EnabledIfEnvironmentVariable(named = "I2O2_GUEST_BENCH", matches = "1",
            disabledReason = "IOPS comparison with fio is opt-in (-Di2o2.guest.fio=true)")
    void randomReadIops(int depth) throws Exception {
        double seconds = Double.parseDouble(System.getenv().getOrDefault("I2O2_GUEST_BENCH_SECONDS", "5"));
        int blocks = PAGE / lbaSize;
        long pages = nsze / blocks;
        MemorySegment buffers = arena.allocate((long) depth * PAGE, PAGE);
        SplittableRandom random = new SplittableRandom(42);
        // Same shape as fio --rw=randread --bs=4k over the whole namespace: slot s reuses buffer s.
        Prep read = (sqe, slot) -> NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                .readWrite(NvmeUringCmd.OPC_READ, NSID, buffers.address() + (long) slot * PAGE, PAGE,
                        random.nextLong(pages) * blocks, blocks);
        pipelineFor(depth, read, (long) (seconds * 0.2e9));  // warm up the JIT on the same path
        long t0 = System.nanoTime();
        long done = pipelineFor(depth, read, (long) (seconds * 1e9));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double iops = done / elapsed;
        String line = String.format(Locale.ROOT, "ring qd=%d iops=%.0f ios=%d seconds=%.2f", depth, iops, done,
                elapsed);
        System.out.println(line);
        Files.writeString(Path.of("ring-bench.txt"), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        assertTrue(done > 0);
    }

    // ---- ring plumbing ----

    private int openat(String path) throws UringException {
        MemorySegment cpath = arena.allocateFrom(path);
        int fd = runOne((sqe, i) -> sqe.prepOpenat(Linux.AT_FDCWD, cpath.address(), Linux.O_RDWR | Linux.O_CLOEXEC, 0));
        assertTrue(fd >= 0, () -> "openat(" + path + "): " + Errno.format(-fd));
        return fd;
    }

    /** Runs one request and returns its {@code res}; its result dword 0 is left in {@link #lastExtra0}. */
    private int runOne(Prep prep) throws UringException {
        int[] res = new int[1];
        pipeline(1, 1, prep, res);
        return res[0];
    }

    /**
     * Runs requests 0..total-1 keeping up to {@code depth} in flight, and checks each completes exactly once with
     * res 0. Returns the most requests that were in flight at once.
     */
    private int pipeline(int total, int depth, Prep prep) throws UringException {
        int[] res = new int[total];
        int maxInFlight = pipeline(total, depth, prep, res);
        for (int c = 0; c < total; c++) {
            if (res[c] != 0) {
                fail("request " + c + " of " + total + ": " + NvmeUringCmd.describe(res[c]));
            }
        }
        return maxInFlight;
    }

    private int pipeline(int total, int depth, Prep prep, int[] res) throws UringException {
        int[] count = new int[total];
        int next = 0;
        int done = 0;
        int inFlight = 0;
        int maxInFlight = 0;
        while (done < total) {
            while (inFlight < depth && next < total) {
                Sqe sqe = ring.sq().next();
                if (sqe == null) {
                    break;
                }
                prep.fill(sqe, next);
                sqe.userData(next);
                next++;
                inFlight++;
            }
            maxInFlight = Math.max(maxInFlight, inFlight);
            int n = await();
            for (int k = 0; k < n; k++) {
                int c = (int) completions.userData[k];
                res[c] = completions.res[k];
                count[c]++;
            }
            done += n;
            inFlight -= n;
        }
        for (int c = 0; c < total; c++) {
            assertEquals(1, count[c], "completions of request " + c);
        }
        return maxInFlight;
    }

    /**
     * Keeps {@code depth} requests in flight for {@code nanos}, request slot {@code s} refilled as soon as it
     * completes; returns how many completed. Every one must succeed.
     */
    private long pipelineFor(int depth, Prep prep, long nanos) throws UringException {
        long deadline = System.nanoTime() + nanos;
        for (int slot = 0; slot < depth; slot++) {
            Sqe sqe = ring.sq().next();
            prep.fill(sqe, slot);
            sqe.userData(slot);
        }
        int inFlight = depth;
        long completed = 0;
        boolean stopping = false;
        while (inFlight > 0) {
            int n = await();
            completed += n;
            inFlight -= n;
            stopping |= System.nanoTime() >= deadline;
            for (int k = 0; k < n; k++) {
                if (completions.res[k] != 0) {
                    fail("read " + completed + ": " + NvmeUringCmd.describe(completions.res[k]));
                }
                if (!stopping) {
                    int slot = (int) completions.userData[k];
                    Sqe sqe = ring.sq().next();
                    prep.fill(sqe, slot);
                    sqe.userData(slot);
                    inFlight++;
                }
            }
        }
        return completed;
    }

    /** Submits what is queued, waits for at least one completion and collects all that are ready. */
    private int await() throws UringException {
        ring.submitAndWait(1, WAIT_NANOS);
        completions.count = 0;
        int n = ring.reap(completions, ENTRIES);
        if (n == 0) {
            fail("no completion within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_NANOS) + " s");
        }
        return n;
    }

    /** Collects a batch of CQEs without allocating, so the IOPS loop measures the ring and not the heap. */
    private final class Completions implements CompletionHandler {
        final long[] userData = new long[ENTRIES];
        final int[] res = new int[ENTRIES];
        int count;

        @Override
        public void onCompletion(long data, int result, int flags, long extra0, long extra1) {
            userData[count] = data;
            res[count] = result;
            count++;
            lastExtra0 = extra0;
        }
    }

    private static String ascii(MemorySegment id, long offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(id, JAVA_BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.US_ASCII).trim();
    }
}
