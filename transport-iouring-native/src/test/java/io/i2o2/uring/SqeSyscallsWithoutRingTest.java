package io.i2o2.uring;

import io.i2o2.uring.gen.open_how;
import io.i2o2.uring.gen.statx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SqeSyscalls} alone, with no ring anywhere: each opcode {@link SqeSyscalls#runs} accepts gives the
 * documented result and effect, checked with plain Java file APIs. Marked {@link WithoutIoUring}, so the
 * portable engine's core is tested on exactly the machines that need it ({@link SqeSyscallsTest} compares
 * it with the ring where there is one).
 */
@WithoutIoUring
class SqeSyscallsWithoutRingTest {
    @TempDir
    Path dir;
    private Path file;
    private byte[] data;
    private int fd;
    private Arena arena;
    private Sqe sqe;
    private SqeSyscalls runner;
    private MemorySegment buf;

    @BeforeEach
    void open() throws Exception {
        data = FileIoOpsTest.random(10_000, 5);
        file = Files.write(dir.resolve("data.bin"), data);
        fd = TestLibc.open(file, Linux.O_RDWR);
        arena = Arena.ofConfined();
        sqe = Sqe.detached(arena.allocate(64, 64));
        runner = new SqeSyscalls();
        buf = arena.allocate(1 << 16, 4096);
    }

    @AfterEach
    void close() {
        TestLibc.close(fd);
        arena.close();
    }

    private Sqe fresh() {
        sqe.clear();
        return sqe;
    }

    private int run(Sqe entry) {
        return runner.run(entry, null);
    }

    private long path(String name) {
        return arena.allocateFrom(dir.resolve(name).toString()).address();
    }

    @Test
    void theOpcodesItRunsAndTheProbeAgree() {
        List<Integer> expected = List.of(Opcode.NOP, Opcode.READV, Opcode.WRITEV, Opcode.FSYNC, Opcode.READ_FIXED,
                Opcode.WRITE_FIXED, Opcode.SYNC_FILE_RANGE, Opcode.FALLOCATE, Opcode.OPENAT, Opcode.CLOSE, Opcode.STATX,
                Opcode.READ, Opcode.WRITE, Opcode.FADVISE, Opcode.MADVISE, Sqe.OPENAT2, Opcode.RENAMEAT,
                Opcode.UNLINKAT, Opcode.MKDIRAT, Opcode.URING_CMD, Opcode.FTRUNCATE);
        Probe probe = SqeSyscalls.probe();
        for (int op = -1; op < 300; op++) {
            assertEquals(expected.contains(op), SqeSyscalls.runs(op), Opcode.name(op));
            assertEquals(expected.contains(op), probe.supports(op), Opcode.name(op));
        }
        assertEquals(Opcode.FTRUNCATE + 1, probe.lastOpcode());
        assertEquals(expected.size(), probe.supportedNames().size(), probe.toString());
    }

    @Test
    void anOpcodeItDoesNotRunIsEinvalAsOnTheRing() {
        for (int op : new int[] {Opcode.TIMEOUT, Opcode.ASYNC_CANCEL, Opcode.LINK_TIMEOUT, Opcode.MSG_RING, 200, 255}) {
            assertFalse(SqeSyscalls.runs(op));
            assertEquals(-Errno.EINVAL, run(fresh().prepRw(op, fd, buf.address(), 1, 0)), Opcode.name(op));
        }
    }

    @Test
    void nopAndTransfers() throws Exception {
        assertEquals(0, run(fresh().prepNop()));
        assertEquals(4096, run(fresh().prepRead(fd, buf.address(), 4096, 100)));
        assertArrayEquals(Arrays.copyOfRange(data, 100, 4196), buf.asSlice(0, 4096).toArray(JAVA_BYTE));
        assertEquals(1000, run(fresh().prepRead(fd, buf.address(), 4096, 9000)), "short at the end");
        assertEquals(0, run(fresh().prepRead(fd, buf.address(), 4096, 10_000)), "0 at EOF");

        assertEquals(10, run(fresh().prepRead(fd, buf.address(), 10, -1)), "-1: the file position");
        assertEquals(10, SqeSyscallsTest.lseek(fd, 0, SqeSyscallsTest.SEEK_CUR), "which moved");
        assertEquals(10, run(fresh().prepReadFixed(fd, buf.address(), 10, -1, 3)), "READ_FIXED needs no table here");
        assertArrayEquals(Arrays.copyOfRange(data, 10, 20), buf.asSlice(0, 10).toArray(JAVA_BYTE));

        byte[] hello = "hello".getBytes();
        buf.copyFrom(MemorySegment.ofArray(hello));
        assertEquals(5, run(fresh().prepWrite(fd, buf.address(), 5, 10_000)));
        assertEquals(5, run(fresh().prepWriteFixed(fd, buf.address(), 5, 10_005, 0)));
        assertEquals(5, run(fresh().prepWrite(fd, buf.address(), 5, 0).opFlags(SqeSyscallsTest.RWF_DSYNC)),
                "with rw_flags: pwritev2");
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(10_010, onDisk.length);
        assertArrayEquals(hello, Arrays.copyOfRange(onDisk, 10_005, 10_010));
        assertArrayEquals(hello, Arrays.copyOfRange(onDisk, 0, 5));

        MemorySegment iov = arena.allocate(32, 8);
        iov.set(JAVA_LONG, 0, buf.address());
        iov.set(JAVA_LONG, 8, 3);
        iov.set(JAVA_LONG, 16, buf.address() + 100);
        iov.set(JAVA_LONG, 24, 4);
        assertEquals(7, run(fresh().prepWritev(fd, iov.address(), 2, 20)));
        int nowait = run(fresh().prepReadv(fd, iov.address(), 2, 20).opFlags(SqeSyscallsTest.RWF_NOWAIT));
        assertEquals(nowaitRefused() ? -Errno.EOPNOTSUPP : 7, nowait, "RWF_NOWAIT, as this file system takes it");
        assertEquals(-Errno.EOPNOTSUPP, run(fresh().prepRead(fd, buf.address(), 1, 0).opFlags(0x4000_0000)),
                "an unknown RWF bit");
    }

    @Test
    void errorsComeBackAsNegativeErrno() throws Exception {
        assertEquals(-Errno.EBADF, run(fresh().prepRead(-1, buf.address(), 16, 0)));
        assertEquals(-Errno.EBADF, run(fresh().prepWrite(9999, buf.address(), 16, 0)));
        assertEquals(-Errno.EINVAL, run(fresh().prepRead(fd, buf.address(), 16, -2)), "a negative offset");
        int dirFd = TestLibc.open(dir, Linux.O_RDONLY | Linux.O_DIRECTORY);
        try {
            assertEquals(-Errno.EISDIR, run(fresh().prepRead(dirFd, buf.address(), 16, 0)));
        } finally {
            TestLibc.close(dirFd);
        }
        int direct;
        try {
            direct = TestLibc.open(file, Linux.O_RDONLY | Linux.O_DIRECT);
        } catch (IllegalStateException refused) {
            // tmpfs before 6.6 (the 6.1 guest's /dev/shm) has no O_DIRECT: probed, not assumed.
            System.err.println("SqeSyscallsWithoutRingTest: O_DIRECT refused under " + dir
                    + ": the misaligned O_DIRECT case is SKIPPED");
            return;
        }
        try {
            int misaligned = run(fresh().prepRead(direct, buf.address() + 1, 4096, 0));
            assertTrue(misaligned == -Errno.EINVAL || misaligned >= 0, SqeSyscallsTest.describe(misaligned));
        } finally {
            TestLibc.close(direct);
        }
    }

    @Test
    void aPipeIsReadAtItsPositionAndAnEmptyNonBlockingOneIsEagain() {
        try (TestPipe pipe = TestPipe.open()) {
            MemorySegment src = arena.allocateFrom(JAVA_BYTE, "abc".getBytes());
            assertEquals(3, Syscalls.write(Syscalls.threadCallState(), pipe.writeFd(), src, 3));
            assertEquals(3, run(fresh().prepRead(pipe.readFd(), buf.address(), 10, 0)), "the offset is ignored");
            assertEquals(-Errno.EAGAIN, run(fresh().prepRead(pipe.readFd(), buf.address(), 10, 0)),
                    "at once (the ring would wait for data)");
            TestLibc.close(pipe.writeFd());
        }
    }

    @Test
    void fixedFilesResolveThroughTheLookup() {
        IntUnaryOperator lookup = slot -> slot == 4 ? fd : -1;
        assertEquals(16, runner.run(fresh().prepRead(4, buf.address(), 16, 0).flags(SqeFlags.FIXED_FILE), lookup));
        assertArrayEquals(Arrays.copyOf(data, 16), buf.asSlice(0, 16).toArray(JAVA_BYTE));
        assertEquals(-Errno.EBADF, runner.run(fresh().prepRead(3, buf.address(), 16, 0).flags(SqeFlags.FIXED_FILE), lookup),
                "an empty slot");
        assertEquals(-Errno.EBADF, runner.run(fresh().prepRead(4, buf.address(), 16, 0).flags(SqeFlags.FIXED_FILE), null),
                "no table at all");
        assertEquals(-Errno.EBADF, runner.run(fresh().prepStatx(4, path("data.bin"), 0, Linux.STATX_SIZE,
                buf.address()).flags(SqeFlags.FIXED_FILE), lookup), "path ops refuse FIXED_FILE");
        assertEquals(-Errno.EBADF, runner.run(fresh().prepClose(4).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(0, runner.run(fresh().prepNop().flags(SqeFlags.FIXED_FILE), lookup), "NOP has no file");
        assertEquals(16, runner.run(fresh().prepRead(fd, buf.address(), 16, 0)
                .flags(SqeFlags.IO_LINK | SqeFlags.IO_HARDLINK | SqeFlags.ASYNC | SqeFlags.IO_DRAIN), lookup),
                "link, async and drain flags are the caller's");
    }

    @Test
    void syncAllocateTruncateAdvise() throws Exception {
        assertEquals(0, run(fresh().prepFsync(fd, false)));
        assertEquals(0, run(fresh().prepFsync(fd, true)));
        assertEquals(-Errno.EINVAL, run(fresh().prepFsync(fd, false).opFlags(2)));
        assertEquals(0, run(fresh().prepSyncFileRange(fd, 4096, 0, Linux.SYNC_FILE_RANGE_WRITE)));
        int falloc = run(fresh().prepFallocate(fd, 0, 8192, 8192));
        assertTrue(falloc == 0 || falloc == -Errno.EOPNOTSUPP, SqeSyscallsTest.describe(falloc));
        if (falloc == 0) {
            assertEquals(16_384, Files.size(file), "offset + len: the length came from addr, the mode from len");
            assertEquals(0, run(fresh().prepFallocate(fd, Linux.FALLOC_FL_KEEP_SIZE, 0, 1 << 20)));
            assertEquals(16_384, Files.size(file));
        }
        assertEquals(0, run(fresh().prepFtruncate(fd, 1234)));
        assertEquals(1234, Files.size(file));
        assertEquals(0, run(fresh().prepFadvise(fd, 0, 4096, Linux.POSIX_FADV_SEQUENTIAL)));
        assertEquals(0, run(fresh().prepFadvise(fd, 0, 0, Linux.POSIX_FADV_DONTNEED).addr(1L << 33)),
                "a 64-bit length in addr (fadvise64)");
        assertEquals(-Errno.EINVAL, run(fresh().prepFadvise(fd, 0, 4096, 999)), "posix_fadvise's own error number");
        assertEquals(-Errno.EBADF, run(fresh().prepFadvise(-1, 0, 4096, Linux.POSIX_FADV_NORMAL)));
        assertEquals(0, run(fresh().prepMadvise(buf.address(), 8192, Linux.MADV_WILLNEED)));
        assertEquals(0, run(fresh().prepMadvise(buf.address(), 0, Linux.MADV_WILLNEED).off(4096)),
                "a 64-bit length in off (madvise64)");
        assertEquals(-Errno.EINVAL, run(fresh().prepMadvise(buf.address() + 1, 4096, Linux.MADV_WILLNEED)));
    }

    @Test
    void pathOps() throws Exception {
        int flags = Linux.O_CREAT | Linux.O_EXCL | Linux.O_RDWR | Linux.O_CLOEXEC;
        int created = run(fresh().prepOpenat(Linux.AT_FDCWD, path("new.txt"), flags, 0640));
        assertTrue(created >= 0, SqeSyscallsTest.describe(created));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new.txt"))));
        assertTrue((FileDescriptors.statusFlags(created) & Linux.O_LARGEFILE) != 0, "O_LARGEFILE, as the kernel forces");
        assertEquals(0, run(fresh().prepClose(created)));
        assertEquals(-Errno.EBADF, run(fresh().prepClose(created)));
        assertEquals(-Errno.ENXIO, run(fresh().prepCloseFixed(0)), "no slot table to free");
        assertEquals(-Errno.EEXIST, run(fresh().prepOpenat(Linux.AT_FDCWD, path("new.txt"), flags, 0640)));
        assertEquals(-Errno.ENOENT, run(fresh().prepOpenat(Linux.AT_FDCWD, path("missing"), Linux.O_RDONLY, 0)));
        assertEquals(-Errno.ENXIO, run(fresh().prepOpenat(Linux.AT_FDCWD, path("new.txt"), Linux.O_RDONLY, 0).fileIndex(1)));

        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("sub/link"), Path.of("../data.bin"));
        int sub = TestLibc.open(dir.resolve("sub"), Linux.O_RDONLY | Linux.O_DIRECTORY);
        try {
            assertEquals(-Errno.EXDEV, run(fresh().prepOpenat2(sub, arena.allocateFrom("../data.bin").address(),
                    how(Linux.O_RDONLY, SqeSyscallsTest.RESOLVE_BENEATH))));
            assertEquals(-Errno.ELOOP, run(fresh().prepOpenat2(sub, arena.allocateFrom("link").address(),
                    how(Linux.O_RDONLY, SqeSyscallsTest.RESOLVE_NO_SYMLINKS))));
            int viaLink = run(fresh().prepOpenat2(sub, arena.allocateFrom("link").address(), how(Linux.O_RDONLY, 0)));
            assertTrue(viaLink >= 0, SqeSyscallsTest.describe(viaLink));
            assertEquals(0, run(fresh().prepClose(viaLink)));
        } finally {
            TestLibc.close(sub);
        }

        MemorySegment st = arena.allocate(statx.layout());
        assertEquals(0, run(fresh().prepStatx(Linux.AT_FDCWD, path("data.bin"), 0, Linux.STATX_SIZE, st.address())));
        assertEquals(10_000L, statx.stx_size(st));
        assertEquals(-Errno.ENOENT, run(fresh().prepStatx(Linux.AT_FDCWD, path("missing"), 0, Linux.STATX_SIZE, st.address())));

        assertEquals(0, run(fresh().prepMkdirat(Linux.AT_FDCWD, path("made"), 0700)));
        assertEquals(-Errno.EEXIST, run(fresh().prepMkdirat(Linux.AT_FDCWD, path("made"), 0700)));
        assertEquals(0, run(fresh().prepRenameat(Linux.AT_FDCWD, path("new.txt"), Linux.AT_FDCWD, path("made/n.txt"), 0)));
        assertTrue(Files.exists(dir.resolve("made/n.txt")));
        assertEquals(-Errno.EEXIST, run(fresh().prepRenameat(Linux.AT_FDCWD, path("data.bin"), Linux.AT_FDCWD,
                path("made/n.txt"), Linux.RENAME_NOREPLACE)));
        assertEquals(-Errno.EISDIR, run(fresh().prepUnlinkat(Linux.AT_FDCWD, path("made"), 0)));
        assertEquals(0, run(fresh().prepUnlinkat(Linux.AT_FDCWD, path("made/n.txt"), 0)));
        assertEquals(0, run(fresh().prepUnlinkat(Linux.AT_FDCWD, path("made"), Linux.AT_REMOVEDIR)));
        assertFalse(Files.exists(dir.resolve("made")));
    }

    @Test
    void uringCmdOnARegularFileIsEopnotsupp() {
        Sqe big = Sqe.detached(arena.allocate(128, 64), 128);
        for (int cmdOp : new int[] {NvmeUringCmd.CMD_IO, NvmeUringCmd.CMD_IO_VEC, NvmeUringCmd.CMD_ADMIN,
                NvmeUringCmd.CMD_ADMIN_VEC, 0}) {
            big.clear();
            big.prepUringCmd(cmdOp, fd);
            NvmeUringCmd.over(big.commandArea()).readWrite(NvmeUringCmd.OPC_READ, 1, buf.address(), 4096, 0, 8);
            assertEquals(-Errno.EOPNOTSUPP, run(big), "ENOTTY mapped, cmd_op " + Integer.toHexString(cmdOp));
            assertEquals(0, runner.extra0());
        }
        big.clear();
        assertEquals(-Errno.EBADF, run(big.prepUringCmd(NvmeUringCmd.CMD_IO, -1)));
        assertEquals(-Errno.EOPNOTSUPP, run(fresh().prepUringCmd(NvmeUringCmd.CMD_IO, fd)), "a 64-byte SQE");
    }

    /** Whether this test's file system refuses reads with {@code RWF_NOWAIT} (tmpfs before 6.6), probed. */
    private boolean nowaitRefused() {
        return run(fresh().prepRead(fd, buf.address(), 1, 0).opFlags(SqeSyscallsTest.RWF_NOWAIT)) == -Errno.EOPNOTSUPP;
    }

    @Test
    void readsAndWritesAllocateNothing() {
        // What compiled code allocates is a property of C2's escape analysis: a JVM held to C1 (the guest runs,
        // -XX:TieredStopAtLevel=1) allocates for every downcall, as LibraryGuestIT says of AllocationTest.
        org.junit.jupiter.api.Assumptions.assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments()
                .stream().anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")),
                "no C2 in this JVM (-XX:TieredStopAtLevel): the allocation check is SKIPPED");
        Sqe read = Sqe.detached(arena.allocate(64, 64)).prepRead(fd, buf.address(), 512, 0);
        Sqe write = Sqe.detached(arena.allocate(64, 64)).prepWrite(7, buf.address(), 512, 4096).flags(SqeFlags.FIXED_FILE);
        // preadv2 with a flag this file system takes (RWF_HIPRI is ignored by a buffered read; tmpfs before 6.6
        // refuses RWF_NOWAIT).
        Sqe flagged = Sqe.detached(arena.allocate(64, 64)).prepRead(fd, buf.address(), 512, 0)
                .opFlags(nowaitRefused() ? SqeSyscallsTest.RWF_HIPRI : SqeSyscallsTest.RWF_NOWAIT);
        int target = fd;
        IntUnaryOperator lookup = slot -> slot == 7 ? target : -1;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long allocated = Long.MAX_VALUE;
        // The JIT needs a while to compile the loop and the downcalls; the last rounds must allocate nothing.
        for (int round = 0; round < 20 && allocated > 0; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++) {
                if (runner.run(read, null) != 512 || runner.run(write, lookup) != 512 || runner.run(flagged, null) != 512) {
                    throw new AssertionError("a transfer failed");
                }
            }
            allocated = threads.getThreadAllocatedBytes(tid) - before;
        }
        assertEquals(0, allocated, "bytes allocated by 60,000 compiled calls");
    }

    private long how(int flags, long resolve) {
        MemorySegment how = arena.allocate(open_how.layout());
        open_how.flags(how, Integer.toUnsignedLong(flags));
        open_how.resolve(how, resolve);
        return how.address();
    }
}
