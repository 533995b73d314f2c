package io.i2o2.file;

/**
 * What some engines can do and others cannot, beyond the operations every engine runs. An engine that lacks
 * one says why in {@link EngineTraits#lacking}; the API refuses with that message
 * ({@link FileIoCore#refusal}), naming what to use instead.
 */
enum EngineFeature {
    /** {@code uring_cmd}: 128-byte SQEs. */
    URING_CMD,
    /**
     * {@code uring_cmd}s of any {@code cmd_op}, beyond the NVMe passthrough commands that have an ioctl
     * ({@code NVME_URING_CMD_IO}, {@code _IO_VEC}, {@code _ADMIN}: {@link io.i2o2.uring.SqeSyscalls#runsUringCmd}):
     * {@code NVME_URING_CMD_ADMIN_VEC}, socket commands, other drivers' commands. An engine that has
     * {@link #URING_CMD} but lacks this refuses those before submission ({@link FileIoCore#uringCmdRefusal}).
     */
    ANY_URING_CMD,
    /** Registered buffers ({@code readFixed}, {@code writeFixed}, {@code fixedBuffers()}). */
    FIXED_BUFFERS,
    /** Files opened into registered slots ({@code REGISTER}). */
    FIXED_FILES,
    /** Linked chains ({@code link()}): links that reach the kernel back to back. */
    LINKED_CHAINS,
    /** Raw SQEs ({@code submitRaw}): entries the user writes, which only a ring can run. */
    RAW_SQES
}
