package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Registered buffers: {@code READ_FIXED}/{@code WRITE_FIXED} through slots filled by
 * {@link Ring#registerBuffers}, or reserved sparse and filled by {@link Ring#updateBuffer}; and the errors
 * the kernel gives for slots that are empty or out of range.
 */
class RegisteredBuffersTest extends OpenFileRingTest {

    @Test
    void writeFixedThenReadFixedRoundTrip() throws Exception {
        MemorySegment out = arena.allocate(8192, 4096);
        MemorySegment in = arena.allocate(8192, 4096);
        ring.registerBuffers(List.of(out, in));
        byte[] data = FileIoOpsTest.random(8192, 11);
        out.copyFrom(MemorySegment.ofArray(data));

        assertEquals(8192, TestRing.run(ring, 1, s -> s.prepWriteFixed(fd, out.address(), 8192, 0, 0)).ok());
        assertArrayEquals(data, Files.readAllBytes(file));
        // A slice inside a registered buffer is fine: addr only has to lie within slot 1.
        assertEquals(4096, TestRing.run(ring, 2,
                s -> s.prepReadFixed(fd, in.address() + 4096, 4096, 1000, 1)).ok());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 5096), in.asSlice(4096, 4096).toArray(JAVA_BYTE));
    }

    @Test
    void aBufferOutsideItsSlotIsRefused() throws Exception {
        MemorySegment registered = arena.allocate(4096, 4096);
        MemorySegment other = arena.allocate(4096, 4096);
        ring.registerBuffers(List.of(registered));
        assertEquals(-Errno.EFAULT, TestRing.run(ring, 1, s -> s.prepReadFixed(fd, other.address(), 4096, 0, 0)).res(),
                "buf_index reached the kernel and its range was checked");
        assertEquals(-Errno.EFAULT, TestRing.run(ring, 2,
                s -> s.prepReadFixed(fd, registered.address(), 4096, 0, 5)).res(), "no slot 5");
    }

    @Test
    void sparseSlotsFilledByUpdate() throws Exception {
        ring.registerBuffersSparse(4);
        MemorySegment buf = arena.allocate(4096, 4096);
        assertEquals(-Errno.EFAULT, TestRing.run(ring, 1, s -> s.prepReadFixed(fd, buf.address(), 4096, 0, 2)).res(),
                "an empty slot holds no buffer");
        ring.updateBuffer(2, buf);
        byte[] data = FileIoOpsTest.random(4096, 12);
        Files.write(file, data);
        assertEquals(4096, TestRing.run(ring, 2, s -> s.prepReadFixed(fd, buf.address(), 4096, 0, 2)).ok());
        assertArrayEquals(data, buf.toArray(JAVA_BYTE));
    }

    @Test
    void updateOutOfRangeIsEinval() throws Exception {
        ring.registerBuffersSparse(2);
        UringException e = assertThrows(UringException.class, () -> ring.updateBuffer(2, arena.allocate(4096)));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertEquals("EINVAL", e.errnoName());
    }

    @Test
    void unregisterEmptiesTheTableAndASecondUnregisterIsEnxio() throws Exception {
        MemorySegment buf = arena.allocate(4096, 4096);
        ring.registerBuffers(List.of(buf));
        assertThrows(UringException.class, () -> ring.registerBuffers(List.of(buf)), "one table per ring");
        ring.unregisterBuffers();
        assertEquals(-Errno.EFAULT, TestRing.run(ring, 1, s -> s.prepReadFixed(fd, buf.address(), 4096, 0, 0)).res());
        UringException e = assertThrows(UringException.class, ring::unregisterBuffers);
        assertEquals(Errno.ENXIO, e.errno(), e.getMessage());
        ring.registerBuffers(List.of(buf));
    }
}
