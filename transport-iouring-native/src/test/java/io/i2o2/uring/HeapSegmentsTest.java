package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public method that hands a {@link MemorySegment}'s address to the kernel refuses a heap segment at once:
 * its {@code address()} is an offset into a Java array (0 for a whole one), which the kernel would take for a
 * user address (EFAULT, or worse, someone else's memory).
 */
class HeapSegmentsTest extends OpenFileRingTest {
    private static final MemorySegment HEAP = MemorySegment.ofArray(new byte[4096]);

    @Test
    void registeringAHeapSegmentIsRefusedAndRegistersNothing() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.registerBuffers(List.of(arena.allocate(4096, 4096), HEAP)));
        assertTrue(e.getMessage().contains("buffers[1]") && e.getMessage().contains("native"), e.getMessage());
        // Nothing registered: the ring's one table is still free for native buffers.
        ring.registerBuffers(List.of(arena.allocate(4096, 4096)));
    }

    @Test
    void updatingASlotWithAHeapSegmentIsRefusedAndLeavesItEmpty() throws Exception {
        ring.registerBuffersSparse(2);
        assertThrows(IllegalArgumentException.class, () -> ring.updateBuffer(0, HEAP));
        ring.updateBuffer(0, arena.allocate(4096, 4096));
    }

    @Test
    void iovecArraysTimespecsAndOpenHowsForTheKernelMustBeNative() {
        assertThrows(IllegalArgumentException.class, () -> Iovec.set(MemorySegment.ofArray(new long[2]), 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> KernelTimespec.write(MemorySegment.ofArray(new long[2]), 1));
        Iovec.set(arena.allocate(Iovec.BYTES, 8), 0, 1, 1);
        KernelTimespec.write(arena.allocate(KernelTimespec.BYTES, 8), 1);
        assertThrows(IllegalArgumentException.class, () -> OpenHow.write(MemorySegment.ofArray(new long[3]), 0, 0, 0));
        OpenHow.write(arena.allocate(OpenHow.BYTES, 8), 0, 0, OpenHow.RESOLVE_BENEATH);
    }
}
