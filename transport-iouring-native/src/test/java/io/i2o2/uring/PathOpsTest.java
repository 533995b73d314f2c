package io.i2o2.uring;

import io.i2o2.uring.gen.statx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code prep*} methods that take a path (openat, statx, mkdirat, renameat, unlinkat) and close, run
 * through the ring on a real temp directory. Paths are C strings in an {@link Arena}; results are checked
 * with {@link Files}.
 */
class PathOpsTest {
    @TempDir
    Path dir;
    private Ring ring;
    private Arena arena;

    @BeforeEach
    void open() throws Exception {
        ring = Ring.open(RingParams.builder().entries(8).build());
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        ring.close();
        arena.close();
    }

    @Test
    void openatCreatesAFileTheRingCanWriteThenCloseReleasesIt() throws Exception {
        Path file = dir.resolve("created.txt");
        long path = TestRing.cString(arena, file);
        int flags = Linux.O_CREAT | Linux.O_EXCL | Linux.O_WRONLY | Linux.O_CLOEXEC;
        int fd = TestRing.run(ring, 1, s -> s.prepOpenat(Linux.AT_FDCWD, path, flags, 0600)).ok();
        assertTrue(fd >= 0 && Files.exists(file));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file), "the mode field reached the kernel");

        byte[] hello = "hello, ring".getBytes();
        MemorySegment src = arena.allocateFrom(JAVA_BYTE, hello);
        assertEquals(hello.length, TestRing.run(ring, 2, s -> s.prepWrite(fd, src.address(), hello.length, 0)).ok());
        assertEquals(0, TestRing.run(ring, 3, s -> s.prepClose(fd)).ok());
        assertArrayEquals(hello, Files.readAllBytes(file));
        assertEquals(-Errno.EBADF, TestRing.run(ring, 4, s -> s.prepClose(fd)).res(), "the fd is gone");
        assertEquals(-Errno.EEXIST, TestRing.run(ring, 5, s -> s.prepOpenat(Linux.AT_FDCWD, path, flags, 0600)).res(),
                "O_EXCL in the open flags reached the kernel");
    }

    @Test
    void openatRelativeToADirectoryFd() throws Exception {
        Files.writeString(dir.resolve("inner.txt"), "x");
        long dirPath = TestRing.cString(arena, dir);
        int dirFd = TestRing.run(ring, 1,
                s -> s.prepOpenat(Linux.AT_FDCWD, dirPath, Linux.O_RDONLY | Linux.O_DIRECTORY, 0)).ok();
        long name = arena.allocateFrom("inner.txt").address();
        int fd = TestRing.run(ring, 2, s -> s.prepOpenat(dirFd, name, Linux.O_RDONLY, 0)).ok();
        assertTrue(fd >= 0);
        TestRing.run(ring, 3, s -> s.prepClose(fd)).ok();
        TestRing.run(ring, 4, s -> s.prepClose(dirFd)).ok();
    }

    @Test
    void statxReportsTheSize() throws Exception {
        Path file = Files.write(dir.resolve("sized.bin"), new byte[12_345]);
        long path = TestRing.cString(arena, file);
        MemorySegment buf = arena.allocate(statx.layout());
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepStatx(Linux.AT_FDCWD, path, 0, Linux.STATX_SIZE,
                buf.address())).ok());
        assertTrue((statx.stx_mask(buf) & Linux.STATX_SIZE) != 0, "the kernel filled the size");
        assertEquals(12_345L, statx.stx_size(buf));
        assertEquals(-Errno.ENOENT, TestRing.run(ring, 2, s -> s.prepStatx(Linux.AT_FDCWD,
                TestRing.cString(arena, dir.resolve("missing")), 0, Linux.STATX_SIZE, buf.address())).res());
    }

    @Test
    void mkdiratRenameatUnlinkat() throws Exception {
        Path made = dir.resolve("made");
        long madePath = TestRing.cString(arena, made);
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepMkdirat(Linux.AT_FDCWD, madePath, 0755)).ok());
        assertTrue(Files.isDirectory(made));
        assertEquals(-Errno.EEXIST, TestRing.run(ring, 2, s -> s.prepMkdirat(Linux.AT_FDCWD, madePath, 0755)).res());

        Path from = Files.writeString(made.resolve("a.txt"), "payload");
        Path to = made.resolve("b.txt");
        long fromPath = TestRing.cString(arena, from);
        long toPath = TestRing.cString(arena, to);
        assertEquals(0, TestRing.run(ring, 3,
                s -> s.prepRenameat(Linux.AT_FDCWD, fromPath, Linux.AT_FDCWD, toPath, 0)).ok());
        assertFalse(Files.exists(from));
        assertEquals("payload", Files.readString(to));
        Files.writeString(from, "again");
        assertEquals(-Errno.EEXIST, TestRing.run(ring, 4, s -> s.prepRenameat(Linux.AT_FDCWD, fromPath,
                Linux.AT_FDCWD, toPath, Linux.RENAME_NOREPLACE)).res(), "the rename flags reached the kernel");

        assertEquals(0, TestRing.run(ring, 5, s -> s.prepUnlinkat(Linux.AT_FDCWD, toPath, 0)).ok());
        assertEquals(0, TestRing.run(ring, 6, s -> s.prepUnlinkat(Linux.AT_FDCWD, fromPath, 0)).ok());
        assertEquals(-Errno.EISDIR, TestRing.run(ring, 7, s -> s.prepUnlinkat(Linux.AT_FDCWD, madePath, 0)).res(),
                "a directory needs AT_REMOVEDIR");
        assertEquals(0, TestRing.run(ring, 8, s -> s.prepUnlinkat(Linux.AT_FDCWD, madePath, Linux.AT_REMOVEDIR)).ok());
        assertFalse(Files.exists(made));
    }
}
