package io.i2o2.file;

/**
 * What some engines can do and others cannot, beyond the operations every engine runs. An engine that lacks
 * one says why in {@link EngineTraits#lacking}; the API refuses with that message
 * ({@link FileIoCore#refusal}), naming what to use instead.
 */
enum EngineFeature {
    /** {@code uring_cmd}: 128-byte SQEs. */
    URING_CMD,
    /** Registered buffers ({@code readFixed}, {@code writeFixed}, {@code fixedBuffers()}). */
    FIXED_BUFFERS,
    /** Files opened into registered slots ({@code REGISTER}). */
    FIXED_FILES,
    /** Linked chains ({@code link()}): links that reach the kernel back to back. */
    LINKED_CHAINS,
    /** Raw SQEs ({@code submitRaw}): entries the user writes, which only a ring can run. */
    RAW_SQES
}
