package io.i2o2.uring;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Registered files: sparse slots filled with {@link Ring#updateFile}, reads through
 * {@link SqeFlags#FIXED_FILE} on the slot index, {@code CLOSE} of a slot, unregister, and the errors for
 * empty and out-of-range slots.
 */
class RegisteredFilesTest {
    @TempDir
    Path dir;
    private Path file;
    private byte[] data;
    private Ring ring;
    private Arena arena;

    @BeforeEach
    void open() throws Exception {
        data = FileIoOpsTest.random(4096, 21);
        file = Files.write(dir.resolve("data.bin"), data);
        ring = Ring.open(RingParams.builder().entries(8).build());
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        ring.close();
        arena.close();
    }

    @Test
    void readThroughASlotIndex() throws Exception {
        ring.registerFilesSparse(8);
        int fd = TestLibc.open(file, Linux.O_RDONLY);
        ring.updateFile(5, fd);
        // The table holds its own reference: the descriptor can go.
        TestLibc.close(fd);
        MemorySegment buf = arena.allocate(4096);
        assertEquals(4096, readSlot(1, 5, buf), "slot 5 reads the file");
        assertArrayEquals(data, buf.toArray(JAVA_BYTE));
        assertEquals(-Errno.EBADF, readSlot(2, 4, buf), "slot 4 is empty");
    }

    @Test
    void closeOfASlotFreesIt() throws Exception {
        ring.registerFilesSparse(2);
        int fd = TestLibc.open(file, Linux.O_RDONLY);
        ring.updateFile(0, fd);
        TestLibc.close(fd);
        assertEquals(0, TestRing.run(ring, 1, s -> s.prepCloseFixed(0)).ok());
        assertEquals(-Errno.EBADF, readSlot(2, 0, arena.allocate(16)), "the slot is empty after CLOSE");
    }

    @Test
    void updateWithMinusOneEmptiesASlot() throws Exception {
        ring.registerFilesSparse(2);
        int fd = TestLibc.open(file, Linux.O_RDONLY);
        ring.updateFile(1, fd);
        TestLibc.close(fd);
        ring.updateFile(1, -1);
        assertEquals(-Errno.EBADF, readSlot(1, 1, arena.allocate(16)));
    }

    @Test
    void updateOutOfRangeIsEinval() throws Exception {
        ring.registerFilesSparse(2);
        UringException e = assertThrows(UringException.class, () -> ring.updateFile(2, 0));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertEquals("EINVAL", e.errnoName());
    }

    @Test
    void unregisterDropsTheTable() throws Exception {
        ring.registerFilesSparse(2);
        ring.unregisterFiles();
        UringException e = assertThrows(UringException.class, () -> ring.updateFile(0, 0));
        assertEquals(Errno.ENXIO, e.errno(), "no table to update: " + e.getMessage());
        assertThrows(UringException.class, ring::unregisterFiles);
        ring.registerFilesSparse(2);
    }

    @Test
    void withoutSparseRegistrationTheTableOfMinusOnesIsUsed() throws Exception {
        // As on a kernel before 5.13: FILES2 refused, so the ring registers a table of empty (-1) slots.
        KernelFaults faults = KernelFaults.plan().failRegister(RegisterOp.FILES2, Errno.EINVAL, 1);
        try (Ring old = Ring.open(RingParams.builder().entries(4).faults(faults).build())) {
            old.registerFilesSparse(4);
            int fd = TestLibc.open(file, Linux.O_RDONLY);
            old.updateFile(3, fd);
            TestLibc.close(fd);
            MemorySegment buf = arena.allocate(4096);
            assertEquals(4096, TestRing.run(old, 1, s -> s.prepRead(3, buf.address(), 4096, 0)
                    .addFlags(SqeFlags.FIXED_FILE)).ok());
            assertArrayEquals(data, buf.toArray(JAVA_BYTE));
        }
    }

    private int readSlot(long userData, int slot, MemorySegment buf) throws UringException {
        return TestRing.run(ring, userData, s -> s.prepRead(slot, buf.address(), (int) buf.byteSize(), 0)
                .flags(SqeFlags.FIXED_FILE)).res();
    }
}
