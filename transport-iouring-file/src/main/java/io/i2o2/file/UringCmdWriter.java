package io.i2o2.file;

import java.lang.foreign.MemorySegment;

/**
 * Writes the command of a {@code uring_cmd}: called once, on the submitting thread, before the operation is
 * handed to the loop.
 */
@FunctionalInterface
public interface UringCmdWriter {
    /**
     * Writes the command.
     *
     * @param command     the 80-byte command area, zeroed (for NVMe, a {@code struct nvme_uring_cmd})
     * @param dataAddress the address of the pinned data buffer's readable (writes) or writable (reads) bytes,
     *                    or 0 when there is none
     * @param dataLength  its length in bytes
     */
    void write(MemorySegment command, long dataAddress, int dataLength);
}
