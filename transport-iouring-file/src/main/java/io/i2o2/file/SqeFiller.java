package io.i2o2.file;

import io.i2o2.uring.Sqe;

/**
 * Fills a raw SQE for an opcode this library does not wrap ({@link FileIo#submitRaw}). Called on
 * the loop's thread when the operation is written into the ring; {@code user_data} is set afterwards.
 *
 * <p>This is the unchecked escape hatch: every address written here must stay valid until the operation
 * completes, which is what the guard passed with it is for.
 */
@FunctionalInterface
public interface SqeFiller {
    /**
     * Fills the entry's fields.
     *
     * @param sqe the zeroed entry to fill
     */
    void fill(Sqe sqe);
}
