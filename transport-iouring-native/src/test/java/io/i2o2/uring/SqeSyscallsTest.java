package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.open_how;
import io.i2o2.uring.gen.statx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SqeSyscalls} against the kernel's io_uring, differentially: every case is one {@code prep*} call
 * written twice, once into a real {@link Ring}'s SQE and once into a {@link Sqe#detached} entry that the runner
 * executes, each over its own side (a directory with the same files, a descriptor on the same content, a
 * buffer). Both must give the same {@code res} and leave the same state behind: the directory tree (names,
 * types, sizes, permissions, contents), the side's buffer, and the main descriptor's file position.
 *
 * <p>Needs io_uring (the condition skips it loudly without); {@link SqeSyscallsWithoutRingTest} checks the
 * runner alone where there is none.
 */
class SqeSyscallsTest {
    static final int RWF_HIPRI = 0x01;
    static final int RWF_DSYNC = 0x02;
    static final int RWF_NOWAIT = 0x08;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    static final int SEEK_SET = 0;
    static final int SEEK_CUR = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle LSEEK = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("lseek"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));

    @TempDir
    Path tmp;
    private Ring ring;
    private Arena arena;
    private SqeSyscalls runner;
    private Side onRing;
    private Side onRunner;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** One side's world: its own directory, a file open read-write on identical content, a buffer. */
    final class Side {
        final Path root;
        final MemorySegment buf = arena.allocate(1 << 16, 4096);
        final MemorySegment stat = arena.allocate(statx.layout());
        int fd;

        Side(String name) throws IOException {
            root = Files.createDirectory(tmp.resolve(name));
            Path data = Files.write(root.resolve("data.bin"), FileIoOpsTest.random(10_000, 42));
            fd = open(data, Linux.O_RDWR);
        }

        int open(Path path, int flags) {
            int opened = TestLibc.open(path, flags);
            toClose.add(() -> TestLibc.close(opened));
            return opened;
        }

        /** A C string of the path under this side's root. */
        long path(String relative) {
            return arena.allocateFrom(root.resolve(relative).toString()).address();
        }

        long name(String relative) {
            return arena.allocateFrom(relative).address();
        }

        /** What the op may have changed, comparable across sides. */
        List<String> state() throws IOException {
            List<String> out = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted().toList()) {
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    String kind = a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isRegularFile() ? "f" : "o";
                    String content = a.isRegularFile() ? Integer.toHexString(Arrays.hashCode(Files.readAllBytes(p))) : "";
                    out.add(root.relativize(p) + " " + kind + " " + (a.isDirectory() ? "" : a.size()) + " "
                            + PosixFilePermissions.toString(a.permissions()) + " " + content);
                }
            }
            out.add("buf " + Integer.toHexString(Arrays.hashCode(buf.toArray(JAVA_BYTE))));
            out.add("position " + lseek(fd, 0, SEEK_CUR));
            return out;
        }
    }

    @FunctionalInterface
    interface Prep {
        void prep(Sqe sqe, Side side) throws Exception;
    }

    @BeforeEach
    void open() throws Exception {
        ring = Ring.open(RingParams.builder().entries(8).build());
        arena = Arena.ofConfined();
        runner = new SqeSyscalls();
        onRing = new Side("ring");
        onRunner = new Side("runner");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        ring.close();
        arena.close();
    }

    /** Runs {@code prep} on both sides; asserts equal {@code res} and equal state; returns the res. */
    private int same(String what, Prep prep) throws Exception {
        return same(what, prep, null);
    }

    private int same(String what, Prep prep, IntUnaryOperator fixedFiles) throws Exception {
        int[] res = both(what, prep, fixedFiles, ring, 64);
        assertEquals(describe(res[0]), describe(res[1]), what + ": ring and runner disagree");
        assertEquals(onRing.state(), onRunner.state(), what + ": the effects differ");
        assertEquals(0, runner.extra0(), what);
        return res[0];
    }

    /** For ops whose result is a new descriptor: both open one (or fail alike), with the same status flags. */
    private int sameFd(String what, Prep prep) throws Exception {
        int[] res = both(what, prep, null, ring, 64);
        assertEquals(res[0] >= 0, res[1] >= 0, what + ": ring " + describe(res[0]) + ", runner " + describe(res[1]));
        if (res[0] < 0) {
            assertEquals(res[0], res[1], what);
        } else {
            int ringFlags = Syscalls.fcntl(Syscalls.threadCallState(), res[0], LinuxUring.F_GETFL());
            int runnerFlags = Syscalls.fcntl(Syscalls.threadCallState(), res[1], LinuxUring.F_GETFL());
            assertEquals(Integer.toHexString(ringFlags), Integer.toHexString(runnerFlags), what + ": F_GETFL differs");
            assertTrue((runnerFlags & Linux.O_LARGEFILE) != 0 || (runnerFlags & Linux.O_PATH) != 0,
                    what + ": O_LARGEFILE forced on both (O_PATH drops it on both)");
            TestLibc.close(res[0]);
            TestLibc.close(res[1]);
        }
        assertEquals(onRing.state(), onRunner.state(), what + ": the effects differ");
        return res[1];
    }

    private int[] both(String what, Prep prep, IntUnaryOperator fixedFiles, Ring on, int sqeSize) throws Exception {
        int ringRes = TestRing.run(on, 1, s -> {
            try {
                prep.prep(s, onRing);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).res();
        Sqe detached = Sqe.detached(arena.allocate(sqeSize, 64), sqeSize);
        prep.prep(detached, onRunner);
        int runnerRes = runner.run(detached, fixedFiles);
        return new int[] {ringRes, runnerRes};
    }

    static String describe(int res) {
        return res < 0 ? Errno.format(res) : Integer.toString(res);
    }

    static long lseek(int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(fd, offset, whence);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void seekBoth(long offset) {
        assertEquals(offset, lseek(onRing.fd, offset, SEEK_SET));
        assertEquals(offset, lseek(onRunner.fd, offset, SEEK_SET));
    }

    // ---- the ops on an open file ----

    @Test
    void nop() throws Exception {
        assertEquals(0, same("NOP", (s, side) -> s.prepNop()));
        assertEquals(0, same("NOP with FIXED_FILE (no file: ignored)", (s, side) -> s.prepNop().flags(SqeFlags.FIXED_FILE)));
    }

    @Test
    void readsAtOffsetsShortAtTheEndAndZeroAtEof() throws Exception {
        assertEquals(4096, same("read at 100", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, 100)));
        assertEquals(1000, same("short read at EOF", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, 9000)));
        assertEquals(0, same("read at EOF", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, 10_000)));
        assertEquals(0, same("read past EOF", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, 1 << 20)));
        assertEquals(-Errno.EINVAL, same("negative offset", (s, side) -> s.prepRead(side.fd, side.buf.address(), 16, -2)));
    }

    @Test
    void offsetMinusOneUsesAndMovesTheFilePosition() throws Exception {
        seekBoth(300);
        assertEquals(4096, same("read at the position", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, -1)));
        assertEquals(4096, same("again, further on", (s, side) -> s.prepRead(side.fd, side.buf.address(), 4096, -1)));
        assertEquals(1000, same("write at the position", (s, side) -> s.prepWrite(side.fd, side.buf.address(), 1000, -1)));
        assertEquals(10_000 - 9492, same("readv at the position (to the end)", (s, side) ->
                s.prepReadv(side.fd, iovecs(side.buf, 100, 5000), 2, -1)));
        assertEquals(5100, same("writev at the position (extends the file)", (s, side) ->
                s.prepWritev(side.fd, iovecs(side.buf, 100, 5000), 2, -1)));
        int flagged = same("read with rw_flags at the position", (s, side) -> {
            lseek(side.fd, 0, SEEK_SET);
            s.prepRead(side.fd, side.buf.address(), 4096, -1).opFlags(RWF_NOWAIT);
        });
        // EOPNOTSUPP on both where the file system has no non-blocking reads (tmpfs before 6.6: the 6.1 guest).
        assertTrue(flagged == 4096 || flagged == -Errno.EOPNOTSUPP, describe(flagged));
    }

    @Test
    void writesAndVectors() throws Exception {
        MemorySegment pattern = MemorySegment.ofArray(FileIoOpsTest.random(1 << 16, 7));
        onRing.buf.copyFrom(pattern);
        onRunner.buf.copyFrom(pattern);
        assertEquals(5000, same("write at 8000 (extends)", (s, side) -> s.prepWrite(side.fd, side.buf.address(), 5000, 8000)));
        assertEquals(3 * 4096, same("writev at 0", (s, side) ->
                s.prepWritev(side.fd, iovecs(side.buf, 4096, 4096, 4096), 3, 0)));
        assertEquals(4096 + 100, same("readv at 1", (s, side) -> s.prepReadv(side.fd, iovecs(side.buf, 100, 4096), 2, 1)));
        assertEquals(-Errno.EINVAL, same("readv of -1 iovecs", (s, side) -> s.prepReadv(side.fd, iovecs(side.buf, 1), -1, 0)));
    }

    @Test
    void rwFlags() throws Exception {
        assertEquals(4096, same("RWF_DSYNC write", (s, side) ->
                s.prepWrite(side.fd, side.buf.address(), 4096, 0).opFlags(RWF_DSYNC)));
        int nowait = same("RWF_NOWAIT read of cached data", (s, side) ->
                s.prepRead(side.fd, side.buf.address(), 4096, 0).opFlags(RWF_NOWAIT));
        assertTrue(nowait == 4096 || nowait == -Errno.EAGAIN || nowait == -Errno.EOPNOTSUPP, describe(nowait));
        same("RWF_NOWAIT readv", (s, side) -> s.prepReadv(side.fd, iovecs(side.buf, 10, 20), 2, 5).opFlags(RWF_NOWAIT));
        same("RWF_DSYNC writev", (s, side) -> s.prepWritev(side.fd, iovecs(side.buf, 10, 20), 2, 5).opFlags(RWF_DSYNC));
        assertEquals(-Errno.EOPNOTSUPP, same("an unknown RWF bit", (s, side) ->
                s.prepRead(side.fd, side.buf.address(), 16, 0).opFlags(0x4000_0000)));
    }

    @Test
    void fixedBuffersRunOnTheirAddress() throws Exception {
        ring.registerBuffers(List.of(onRing.buf));
        assertEquals(4096, same("READ_FIXED", (s, side) -> s.prepReadFixed(side.fd, side.buf.address() + 4096, 4096, 77, 0)));
        assertEquals(5000, same("WRITE_FIXED", (s, side) -> s.prepWriteFixed(side.fd, side.buf.address(), 5000, 9000, 0)));
        assertEquals(100, same("READ_FIXED at the position", (s, side) ->
                s.prepReadFixed(side.fd, side.buf.address(), 100, -1, 0)));
    }

    @Test
    void badDescriptorsAndDirectories() throws Exception {
        assertEquals(-Errno.EBADF, same("read of fd 9999", (s, side) -> s.prepRead(9999, side.buf.address(), 16, 0)));
        assertEquals(-Errno.EBADF, same("write to fd -1", (s, side) -> s.prepWrite(-1, side.buf.address(), 16, 0)));
        assertEquals(-Errno.EBADF, same("fsync of fd -1", (s, side) -> s.prepFsync(-1, false)));
        int[] dirs = new int[2];
        same("open the root", (s, side) -> {
            int dirFd = side.open(side.root, Linux.O_RDONLY | Linux.O_DIRECTORY);
            dirs[side == onRing ? 0 : 1] = dirFd;
            s.prepNop();
        });
        assertEquals(-Errno.EISDIR, same("read a directory", (s, side) ->
                s.prepRead(dirs[side == onRing ? 0 : 1], side.buf.address(), 16, 0)));
        assertEquals(-Errno.EISDIR, same("read a directory at the position", (s, side) ->
                s.prepRead(dirs[side == onRing ? 0 : 1], side.buf.address(), 16, -1)));
        assertEquals(-Errno.EBADF, same("write a read-only descriptor", (s, side) -> {
            int ro = side.open(side.root.resolve("data.bin"), Linux.O_RDONLY);
            s.prepWrite(ro, side.buf.address(), 16, 0);
        }));
    }

    @Test
    void syncsAllocationTruncationAndAdvice() throws Exception {
        assertEquals(0, same("fsync", (s, side) -> s.prepFsync(side.fd, false)));
        assertEquals(0, same("fdatasync", (s, side) -> s.prepFsync(side.fd, true)));
        assertEquals(-Errno.EINVAL, same("an unknown fsync flag", (s, side) -> s.prepFsync(side.fd, false).opFlags(2)));
        assertEquals(0, same("sync_file_range", (s, side) ->
                s.prepSyncFileRange(side.fd, 8192, 0, Linux.SYNC_FILE_RANGE_WRITE_AND_WAIT)));
        assertEquals(-Errno.EINVAL, same("sync_file_range, bad flags", (s, side) -> s.prepSyncFileRange(side.fd, 10, 0, 0x40)));
        int falloc = same("fallocate grows", (s, side) -> s.prepFallocate(side.fd, 0, 4096, 12_288));
        if (falloc != -Errno.EOPNOTSUPP) {
            assertEquals(0, falloc);
            assertEquals(0, same("fallocate KEEP_SIZE", (s, side) ->
                    s.prepFallocate(side.fd, Linux.FALLOC_FL_KEEP_SIZE, 0, 1 << 20)));
            same("punch a hole", (s, side) -> s.prepFallocate(side.fd,
                    Linux.FALLOC_FL_PUNCH_HOLE | Linux.FALLOC_FL_KEEP_SIZE, 100, 5000));
            assertEquals(-Errno.EOPNOTSUPP, same("punch without KEEP_SIZE", (s, side) ->
                    s.prepFallocate(side.fd, Linux.FALLOC_FL_PUNCH_HOLE, 100, 5000)));
        }
        assertEquals(0, same("fadvise WILLNEED", (s, side) -> s.prepFadvise(side.fd, 0, 8192, Linux.POSIX_FADV_WILLNEED)));
        assertEquals(0, same("fadvise DONTNEED, whole file", (s, side) -> s.prepFadvise(side.fd, 0, 0, Linux.POSIX_FADV_DONTNEED)));
        assertEquals(-Errno.EINVAL, same("fadvise with bad advice", (s, side) -> s.prepFadvise(side.fd, 0, 8192, 999)));
        assertEquals(-Errno.EBADF, same("fadvise of fd -1", (s, side) -> s.prepFadvise(-1, 0, 8192, Linux.POSIX_FADV_NORMAL)));
        assertEquals(0, same("madvise", (s, side) -> s.prepMadvise(side.buf.address(), 8192, Linux.MADV_WILLNEED)));
        assertEquals(-Errno.EINVAL, same("madvise unaligned", (s, side) ->
                s.prepMadvise(side.buf.address() + 1, 4096, Linux.MADV_WILLNEED)));
        assertEquals(-Errno.EINVAL, same("madvise with bad advice", (s, side) -> s.prepMadvise(side.buf.address(), 4096, 999)));
        if (!KernelVersion.running().isBefore("6.7")) {   // 64-bit lengths: fadvise's in addr, madvise's in off
            assertEquals(0, same("fadvise64", (s, side) ->
                    s.prepFadvise(side.fd, 0, 0, Linux.POSIX_FADV_DONTNEED).addr(1L << 33)));
            assertEquals(-Errno.EINVAL, same("fadvise64, bad advice", (s, side) -> s.prepFadvise(side.fd, 0, 0, 999).addr(1)));
            assertEquals(0, same("madvise64", (s, side) ->
                    s.prepMadvise(side.buf.address(), 0, Linux.MADV_WILLNEED).off(8192)));
            assertEquals(-Errno.ENOMEM, same("madvise64 over a terabyte, mostly unmapped", (s, side) ->
                    s.prepMadvise(side.buf.address(), 0, Linux.MADV_WILLNEED).off(1L << 40)));
            assertEquals(-Errno.EINVAL, same("madvise64, bad advice", (s, side) -> s.prepMadvise(side.buf.address(), 0, 999).off(1)));
        }
        Assumptions.assumeTrue(ring.probe().supports(Opcode.FTRUNCATE),
                "IORING_OP_FTRUNCATE needs Linux 6.9; this is " + KernelVersion.running() + ": its comparison is skipped");
        assertEquals(0, same("ftruncate shrinks", (s, side) -> s.prepFtruncate(side.fd, 1234)));
        assertEquals(0, same("ftruncate grows", (s, side) -> s.prepFtruncate(side.fd, 50_000)));
        assertEquals(-Errno.EINVAL, same("ftruncate to a negative length", (s, side) -> s.prepFtruncate(side.fd, -1)));
        assertEquals(-Errno.EINVAL, same("ftruncate of a read-only descriptor", (s, side) ->
                s.prepFtruncate(side.open(side.root.resolve("data.bin"), Linux.O_RDONLY), 0)));
    }

    @Test
    void directIoMisalignedIsEinvalWhereTheFileSystemChecks() throws Exception {
        int[] direct = new int[2];
        try {
            same("open O_DIRECT", (s, side) -> {
                direct[side == onRing ? 0 : 1] = side.open(side.root.resolve("data.bin"), Linux.O_RDWR | Linux.O_DIRECT);
                s.prepNop();
            });
        } catch (IllegalStateException e) {
            Assumptions.abort("O_DIRECT refused by the file system under " + tmp + ": the O_DIRECT cases are SKIPPED");
        }
        same("aligned direct read", (s, side) -> s.prepRead(direct[side == onRing ? 0 : 1], side.buf.address(), 4096, 0));
        int misaligned = same("misaligned direct read", (s, side) ->
                s.prepRead(direct[side == onRing ? 0 : 1], side.buf.address() + 1, 4096, 0));
        same("misaligned direct write", (s, side) ->
                s.prepWrite(direct[side == onRing ? 0 : 1], side.buf.address() + 1, 4096, 0));
        Assumptions.assumeTrue(misaligned == -Errno.EINVAL, "the file system under " + tmp
                + " accepts misaligned O_DIRECT (" + describe(misaligned) + "): the EINVAL case is SKIPPED");
    }

    @Test
    void fixedFilesThroughTheRingsTableAndTheRunnersLookup() throws Exception {
        ring.registerFilesSparse(4);
        ring.updateFile(2, onRing.fd);
        IntUnaryOperator lookup = slot -> slot == 2 ? onRunner.fd : -1;
        assertEquals(4096, same("read through slot 2", (s, side) ->
                s.prepRead(2, side.buf.address(), 4096, 10).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(100, same("write through slot 2", (s, side) ->
                s.prepWrite(2, side.buf.address(), 100, 9950).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(0, same("fsync through slot 2", (s, side) -> s.prepFsync(2, true).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, same("read through empty slot 1", (s, side) ->
                s.prepRead(1, side.buf.address(), 16, 0).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, same("read through slot 9, past the table", (s, side) ->
                s.prepRead(9, side.buf.address(), 16, 0).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, same("close with FIXED_FILE", (s, side) -> s.prepClose(2).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, same("mkdirat with FIXED_FILE", (s, side) ->
                s.prepMkdirat(2, side.name("x"), 0755).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, same("statx with FIXED_FILE", (s, side) -> s.prepStatx(2, side.name("data.bin"), 0,
                Linux.STATX_SIZE, side.stat.address()).flags(SqeFlags.FIXED_FILE), lookup));
        assertEquals(-Errno.EBADF, sameFd("openat with FIXED_FILE", (s, side) ->
                s.prepOpenat(2, side.name("data.bin"), Linux.O_RDONLY, 0).flags(SqeFlags.FIXED_FILE)));
    }

    @Test
    void aPositionedReadOfAPipeReadsIt() throws Exception {
        byte[] hello = "through the pipe".getBytes();
        MemorySegment src = arena.allocateFrom(JAVA_BYTE, hello);
        int[] readEnds = new int[2];
        same("make pipes", (s, side) -> {
            TestPipe pipe = TestPipe.open();
            toClose.add(pipe);
            toClose.add(() -> TestLibc.close(pipe.writeFd()));
            assertEquals(hello.length, Syscalls.write(Syscalls.threadCallState(), pipe.writeFd(), src, hello.length));
            readEnds[side == onRing ? 0 : 1] = pipe.readFd();
            s.prepNop();
        });
        assertEquals(5, same("read at offset 0 of a pipe", (s, side) ->
                s.prepRead(readEnds[side == onRing ? 0 : 1], side.buf.address(), 5, 0)));
        int flagged = same("readv at offset 7 with rw_flags", (s, side) ->
                s.prepReadv(readEnds[side == onRing ? 0 : 1], iovecs(side.buf, 4), 1, 7).opFlags(RWF_NOWAIT));
        // EOPNOTSUPP on both where pipes have no non-blocking reads by flag (6.1): then nothing was read.
        assertTrue(flagged == 4 || flagged == -Errno.EOPNOTSUPP, describe(flagged));
        assertEquals(hello.length - 5 - Math.max(flagged, 0), same("the rest at the position", (s, side) ->
                s.prepRead(readEnds[side == onRing ? 0 : 1], side.buf.address(), 100, -1)));
        // Not compared: a read of an empty O_NONBLOCK pipe, which the ring parks until data comes (it polls)
        // while read(2) gives -EAGAIN at once (SqeSyscalls' class comment; SqeSyscallsWithoutRingTest).
    }

    // ---- the ops on paths ----

    @Test
    void openatAndClose() throws Exception {
        int flags = Linux.O_CREAT | Linux.O_EXCL | Linux.O_WRONLY | Linux.O_CLOEXEC;
        sameFd("create", (s, side) -> s.prepOpenat(Linux.AT_FDCWD, side.path("new.txt"), flags, 0640));
        assertEquals(-Errno.EEXIST, sameFd("create again", (s, side) ->
                s.prepOpenat(Linux.AT_FDCWD, side.path("new.txt"), flags, 0640)));
        assertEquals(-Errno.ENOENT, sameFd("open a missing file", (s, side) ->
                s.prepOpenat(Linux.AT_FDCWD, side.path("missing"), Linux.O_RDONLY, 0)));
        sameFd("open relative to a directory descriptor", (s, side) -> s.prepOpenat(
                side.open(side.root, Linux.O_RDONLY | Linux.O_DIRECTORY), side.name("data.bin"), Linux.O_RDWR | Linux.O_APPEND, 0));
        sameFd("open O_PATH", (s, side) -> s.prepOpenat(Linux.AT_FDCWD, side.path("data.bin"), Linux.O_PATH, 0));
        sameFd("open O_DIRECT|O_SYNC", (s, side) -> s.prepOpenat(Linux.AT_FDCWD, side.path("data.bin"),
                Linux.O_RDONLY | Linux.O_DIRECT | Linux.O_SYNC, 0));
        Files.createSymbolicLink(onRing.root.resolve("link"), Path.of("data.bin"));
        Files.createSymbolicLink(onRunner.root.resolve("link"), Path.of("data.bin"));
        assertEquals(-Errno.ELOOP, sameFd("O_NOFOLLOW on a symlink", (s, side) ->
                s.prepOpenat(Linux.AT_FDCWD, side.path("link"), Linux.O_RDONLY | Linux.O_NOFOLLOW, 0)));
        assertEquals(-Errno.ENXIO, same("openat into a direct descriptor slot (no table)", (s, side) ->
                s.prepOpenat(Linux.AT_FDCWD, side.path("data.bin"), Linux.O_RDONLY, 0).fileIndex(1)));
        assertEquals(-Errno.EFAULT, sameFd("a NULL path", (s, side) -> s.prepOpenat(Linux.AT_FDCWD, 0, Linux.O_RDONLY, 0)));

        int[] extra = new int[2];
        same("open one more each", (s, side) -> {
            extra[side == onRing ? 0 : 1] = TestLibc.open(side.root.resolve("data.bin"), Linux.O_RDONLY);
            s.prepNop();
        });
        assertEquals(0, same("close it", (s, side) -> s.prepClose(extra[side == onRing ? 0 : 1])));
        assertEquals(-Errno.EBADF, same("close it again", (s, side) -> s.prepClose(extra[side == onRing ? 0 : 1])));
        assertEquals(-Errno.ENXIO, same("close a slot without a table", (s, side) -> s.prepCloseFixed(0)));
    }

    @Test
    void openat2() throws Exception {
        Files.createDirectory(onRing.root.resolve("sub"));
        Files.createDirectory(onRunner.root.resolve("sub"));
        Files.createSymbolicLink(onRing.root.resolve("sub/link"), Path.of("../data.bin"));
        Files.createSymbolicLink(onRunner.root.resolve("sub/link"), Path.of("../data.bin"));
        int[] subs = new int[2];
        same("open sub", (s, side) -> {
            subs[side == onRing ? 0 : 1] = side.open(side.root.resolve("sub"), Linux.O_RDONLY | Linux.O_DIRECTORY);
            s.prepNop();
        });
        sameFd("openat2 creates", (s, side) -> s.prepOpenat2(subs[side == onRing ? 0 : 1], side.name("made"),
                how(Linux.O_CREAT | Linux.O_RDWR, 0600, RESOLVE_BENEATH)));
        assertEquals(-Errno.EXDEV, sameFd("RESOLVE_BENEATH escaping", (s, side) -> s.prepOpenat2(
                subs[side == onRing ? 0 : 1], side.name("../data.bin"), how(Linux.O_RDONLY, 0, RESOLVE_BENEATH))));
        assertEquals(-Errno.ELOOP, sameFd("RESOLVE_NO_SYMLINKS", (s, side) -> s.prepOpenat2(
                subs[side == onRing ? 0 : 1], side.name("link"), how(Linux.O_RDONLY, 0, RESOLVE_NO_SYMLINKS))));
        assertEquals(-Errno.EINVAL, sameFd("a mode without O_CREAT", (s, side) -> s.prepOpenat2(
                Linux.AT_FDCWD, side.path("data.bin"), how(Linux.O_RDONLY, 0600, 0))));
        assertEquals(-Errno.EINVAL, sameFd("a bad open_how size", (s, side) -> s.prepOpenat2(
                Linux.AT_FDCWD, side.path("data.bin"), how(Linux.O_RDONLY, 0, 0)).len(8)));
        assertEquals(-Errno.ENXIO, same("openat2 into a slot (no table)", (s, side) -> s.prepOpenat2(
                Linux.AT_FDCWD, side.path("data.bin"), how(Linux.O_RDONLY, 0, 0)).fileIndex(3)));
    }

    @Test
    void statxFillsTheSameFields() throws Exception {
        Files.setPosixFilePermissions(onRing.root.resolve("data.bin"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(onRunner.root.resolve("data.bin"), PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, same("statx by path", (s, side) -> s.prepStatx(Linux.AT_FDCWD, side.path("data.bin"), 0,
                Linux.STATX_BASIC_STATS, side.stat.address())));
        assertStatsEqual();
        assertEquals(0, same("statx of the descriptor (AT_EMPTY_PATH)", (s, side) -> s.prepStatx(side.fd,
                side.name(""), Linux.AT_EMPTY_PATH, Linux.STATX_SIZE | Linux.STATX_MODE, side.stat.address())));
        assertStatsEqual();
        assertEquals(-Errno.ENOENT, same("statx of a missing path", (s, side) -> s.prepStatx(Linux.AT_FDCWD,
                side.path("missing"), 0, Linux.STATX_SIZE, side.stat.address())));
        assertEquals(-Errno.EINVAL, same("statx with a bad flag", (s, side) -> s.prepStatx(Linux.AT_FDCWD,
                side.path("data.bin"), 0x4000_0000, Linux.STATX_SIZE, side.stat.address())));
    }

    private void assertStatsEqual() {
        MemorySegment a = onRing.stat;
        MemorySegment b = onRunner.stat;
        assertEquals(statx.stx_mask(a), statx.stx_mask(b), "mask");
        assertEquals(statx.stx_mode(a), statx.stx_mode(b), "mode");
        assertEquals(statx.stx_size(a), statx.stx_size(b), "size");
        assertEquals(statx.stx_nlink(a), statx.stx_nlink(b), "nlink");
        assertEquals(statx.stx_uid(a), statx.stx_uid(b), "uid");
        assertEquals(statx.stx_gid(a), statx.stx_gid(b), "gid");
        assertEquals(statx.stx_blksize(a), statx.stx_blksize(b), "blksize");
        assertEquals(10_000L, statx.stx_size(b));
    }

    @Test
    void mkdirRenameUnlink() throws Exception {
        assertEquals(0, same("mkdirat", (s, side) -> s.prepMkdirat(Linux.AT_FDCWD, side.path("made"), 0750)));
        assertEquals(-Errno.EEXIST, same("mkdirat twice", (s, side) -> s.prepMkdirat(Linux.AT_FDCWD, side.path("made"), 0750)));
        assertEquals(-Errno.ENOENT, same("mkdirat under a missing parent", (s, side) ->
                s.prepMkdirat(Linux.AT_FDCWD, side.path("no/made"), 0750)));
        assertEquals(0, same("renameat", (s, side) ->
                s.prepRenameat(Linux.AT_FDCWD, side.path("data.bin"), Linux.AT_FDCWD, side.path("made/moved.bin"), 0)));
        Files.writeString(onRing.root.resolve("other"), "other");
        Files.writeString(onRunner.root.resolve("other"), "other");
        assertEquals(-Errno.EEXIST, same("RENAME_NOREPLACE onto a file", (s, side) -> s.prepRenameat(Linux.AT_FDCWD,
                side.path("other"), Linux.AT_FDCWD, side.path("made/moved.bin"), Linux.RENAME_NOREPLACE)));
        assertEquals(0, same("RENAME_EXCHANGE", (s, side) -> s.prepRenameat(Linux.AT_FDCWD,
                side.path("other"), Linux.AT_FDCWD, side.path("made/moved.bin"), Linux.RENAME_EXCHANGE)));
        assertEquals(-Errno.ENOENT, same("rename a missing file", (s, side) ->
                s.prepRenameat(Linux.AT_FDCWD, side.path("missing"), Linux.AT_FDCWD, side.path("x"), 0)));
        assertEquals(-Errno.EISDIR, same("unlink a directory", (s, side) -> s.prepUnlinkat(Linux.AT_FDCWD, side.path("made"), 0)));
        assertEquals(0, same("unlink a file", (s, side) -> s.prepUnlinkat(Linux.AT_FDCWD, side.path("made/moved.bin"), 0)));
        assertEquals(-Errno.ENOENT, same("unlink it again", (s, side) ->
                s.prepUnlinkat(Linux.AT_FDCWD, side.path("made/moved.bin"), 0)));
        assertEquals(-Errno.EINVAL, same("unlink with a bad flag", (s, side) -> s.prepUnlinkat(Linux.AT_FDCWD, side.path("other"), 1)));
        assertEquals(0, same("rmdir", (s, side) -> s.prepUnlinkat(Linux.AT_FDCWD, side.path("made"), Linux.AT_REMOVEDIR)));
        assertFalse(Files.exists(onRunner.root.resolve("made")));
    }

    // ---- URING_CMD ----

    @Test
    void uringCmdOnARegularFileIsEopnotsupp() throws Exception {
        try (Ring big = Ring.open(RingParams.builder().entries(4).require(SetupFlag.SQE128, SetupFlag.CQE32).build())) {
            for (int cmdOp : new int[] {NvmeUringCmd.CMD_IO, NvmeUringCmd.CMD_IO_VEC, NvmeUringCmd.CMD_ADMIN,
                    NvmeUringCmd.CMD_ADMIN_VEC, 0x1234}) {
                int[] res = both("uring_cmd " + Integer.toHexString(cmdOp), (s, side) -> {
                    s.prepUringCmd(cmdOp, side.fd);
                    NvmeUringCmd.over(s.commandArea()).readWrite(NvmeUringCmd.OPC_READ, 1, side.buf.address(), 4096, 0, 8);
                }, null, big, 128);
                assertEquals(-Errno.EOPNOTSUPP, res[0], "ring, cmd_op " + Integer.toHexString(cmdOp));
                assertEquals(-Errno.EOPNOTSUPP, res[1], "runner (ENOTTY mapped), cmd_op " + Integer.toHexString(cmdOp));
                assertEquals(0, runner.extra0());
            }
            int[] bad = both("uring_cmd on fd -1", (s, side) -> s.prepUringCmd(NvmeUringCmd.CMD_IO, -1), null, big, 128);
            assertEquals(bad[0], bad[1], "EBADF alike");
        }
        assertEquals(-Errno.EOPNOTSUPP, same("uring_cmd in a 64-byte SQE", (s, side) ->
                s.prepUringCmd(NvmeUringCmd.CMD_IO, side.fd)));
    }

    /** {@code struct iovec[]} over consecutive pieces of {@code buf}. */
    private long iovecs(MemorySegment buf, int... sizes) {
        MemorySegment v = arena.allocate(16L * sizes.length, 8);
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            v.set(JAVA_LONG, 16L * i, buf.address() + at);
            v.set(JAVA_LONG, 16L * i + 8, sizes[i]);
            at += sizes[i];
        }
        return v.address();
    }

    private long how(int flags, long mode, long resolve) {
        MemorySegment how = arena.allocate(open_how.layout());
        open_how.flags(how, Integer.toUnsignedLong(flags));
        open_how.mode(how, mode);
        open_how.resolve(how, resolve);
        return how.address();
    }
}
