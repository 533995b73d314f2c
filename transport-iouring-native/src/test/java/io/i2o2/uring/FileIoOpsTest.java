package io.i2o2.uring;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code prep*} methods for operations on an open file, each run against the kernel on a real temp
 * file: the bytes or sizes the kernel produced are checked with plain Java file APIs, so a field written
 * to the wrong place in the SQE shows up as wrong data or a wrong result.
 */
class FileIoOpsTest extends OpenFileRingTest {

    @Test
    void writeThenReadAtAnOffset() throws Exception {
        byte[] data = random(10_000, 1);
        MemorySegment src = arena.allocateFrom(JAVA_BYTE, data);
        assertEquals(data.length, TestRing.run(ring, 1, s -> s.prepWrite(fd, src.address(), data.length, 100)).ok());
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(100 + data.length, onDisk.length);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 100, onDisk.length));

        MemorySegment dst = arena.allocate(4096);
        assertEquals(4096, TestRing.run(ring, 2, s -> s.prepRead(fd, dst.address(), 4096, 1100)).ok());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 5096), dst.toArray(JAVA_BYTE));
    }

    @Test
    void readPastTheEndReturnsWhatIsThere() throws Exception {
        Files.write(file, random(100, 2));
        MemorySegment dst = arena.allocate(4096);
        assertEquals(40, TestRing.run(ring, 1, s -> s.prepRead(fd, dst.address(), 4096, 60)).ok());
        assertEquals(0, TestRing.run(ring, 2, s -> s.prepRead(fd, dst.address(), 4096, 100)).ok(), "EOF reads 0");
    }

    @Test
    void writevThenReadvAcrossSeveralBuffers() throws Exception {
        int[] sizes = {1, 511, 4096, 3000};
        byte[] data = random(Arrays.stream(sizes).sum(), 3);
        List<MemorySegment> parts = split(arena.allocateFrom(JAVA_BYTE, data), sizes);
        MemorySegment out = iovecs(parts);
        assertEquals(data.length, TestRing.run(ring, 1, s -> s.prepWritev(fd, out.address(), sizes.length, 0)).ok());
        assertArrayEquals(data, Files.readAllBytes(file));

        List<MemorySegment> back = split(arena.allocate(data.length), sizes);
        MemorySegment in = iovecs(back);
        assertEquals(data.length, TestRing.run(ring, 2, s -> s.prepReadv(fd, in.address(), sizes.length, 0)).ok());
        byte[] joined = new byte[data.length];
        int at = 0;
        for (MemorySegment part : back) {
            byte[] bytes = part.toArray(JAVA_BYTE);
            System.arraycopy(bytes, 0, joined, at, bytes.length);
            at += bytes.length;
        }
        assertArrayEquals(data, joined, "each iovec was filled in order");
    }

    @Test
    void fsyncAndFdatasyncSucceedOnAWrittenFile() throws Exception {
        Files.write(file, random(8192, 4));
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepFsync(fd, false)).ok());
        assertEquals(0, TestRing.run(ring, 2, s -> s.prepFsync(fd, true)).ok());
        assertEquals(-Errno.EBADF, TestRing.run(ring, 3, s -> s.prepFsync(-1, false)).res(), "the fd field is used");
    }

    @Test
    void fallocateGrowsTheFileUnlessKeepSize() throws Exception {
        int res = TestRing.run(ring, 1, s -> s.prepFallocate(fd, 0, 4096, 12_288)).res();
        Assumptions.assumeFalse(res == -Errno.EOPNOTSUPP, "the file system under " + dir + " has no fallocate");
        assertEquals(0, res);
        assertEquals(16_384, Files.size(file), "offset + len");
        assertEquals(0, TestRing.run(ring, 2, s -> s.prepFallocate(fd, Linux.FALLOC_FL_KEEP_SIZE, 0, 1 << 20)).ok());
        assertEquals(16_384, Files.size(file), "KEEP_SIZE allocates without growing");
    }

    @Test
    void ftruncateSetsTheLength() throws Exception {
        Assumptions.assumeTrue(ring.probe().supports(Opcode.FTRUNCATE),
                "IORING_OP_FTRUNCATE needs Linux 6.9; this is " + KernelVersion.running());
        Files.write(file, random(10_000, 5));
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepFtruncate(fd, 1234)).ok());
        assertEquals(1234, Files.size(file));
        assertEquals(0, TestRing.run(ring, 2, s -> s.prepFtruncate(fd, 50_000)).ok());
        assertEquals(50_000, Files.size(file));
    }

    @Test
    void syncFileRangeAndFadviseSucceed() throws Exception {
        Files.write(file, random(8192, 6));
        assertEquals(0, TestRing.run(ring, 1,
                s -> s.prepSyncFileRange(fd, 8192, 0, Linux.SYNC_FILE_RANGE_WRITE_AND_WAIT)).ok());
        assertEquals(0, TestRing.run(ring, 2, s -> s.prepFadvise(fd, 0, 8192, Linux.POSIX_FADV_WILLNEED)).ok());
        assertEquals(-Errno.EINVAL, TestRing.run(ring, 3, s -> s.prepFadvise(fd, 0, 8192, 999)).res(),
                "the advice field is read by the kernel");
    }

    @Test
    void madviseOnOwnMemory() throws Exception {
        MemorySegment page = arena.allocate(8192, 4096);
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepMadvise(page.address(), 8192, Linux.MADV_WILLNEED)).ok());
        assertEquals(-Errno.EINVAL, TestRing.run(ring, 2, s -> s.prepMadvise(page.address() + 1, 4096,
                Linux.MADV_WILLNEED)).res(), "an unaligned address is refused, so addr reached the kernel");
    }

    @Test
    void linkedWriteThenFsyncRunInOrder() throws Exception {
        byte[] data = random(4096, 7);
        MemorySegment src = arena.allocateFrom(JAVA_BYTE, data);
        ring.sq().next().prepWrite(fd, src.address(), data.length, 0).flags(SqeFlags.IO_LINK).userData(1);
        ring.sq().next().prepFsync(fd, false).userData(2);
        List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 2);
        assertEquals(List.of(1L, 2L), cqes.stream().map(TestRing.Cqe::userData).toList(), "the link keeps order");
        assertEquals(data.length, cqes.get(0).ok());
        assertEquals(0, cqes.get(1).ok());
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void aFailedLinkCancelsTheRestOfTheChain() throws Exception {
        MemorySegment src = arena.allocate(16);
        ring.sq().next().prepWrite(-1, src.address(), 16, 0).flags(SqeFlags.IO_LINK).userData(1);
        ring.sq().next().prepFsync(fd, false).userData(2);
        List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 2);
        assertEquals(-Errno.EBADF, TestRing.find(cqes, 1).res());
        assertEquals(-Errno.ECANCELED, TestRing.find(cqes, 2).res(), "IO_LINK reached the kernel");
    }

    /** {@code struct iovec[]}: 16 bytes each, {@code iov_base} then {@code iov_len}. */
    private MemorySegment iovecs(List<MemorySegment> buffers) {
        MemorySegment v = arena.allocate(16L * buffers.size(), 8);
        for (int i = 0; i < buffers.size(); i++) {
            v.set(JAVA_LONG, 16L * i, buffers.get(i).address());
            v.set(JAVA_LONG, 16L * i + 8, buffers.get(i).byteSize());
        }
        return v;
    }

    private static List<MemorySegment> split(MemorySegment whole, int[] sizes) {
        MemorySegment[] parts = new MemorySegment[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = whole.asSlice(at, sizes[i]);
            at += sizes[i];
        }
        return List.of(parts);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
