package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

/** The {@code io_uring_register(2)} opcodes this library uses, for {@link KernelFaults#failRegister}. */
public final class RegisterOp {
    /** Register buffers (the classic call). */
    public static final int BUFFERS = LinuxUring.IORING_REGISTER_BUFFERS();
    /** Unregister all buffers. */
    public static final int UNREGISTER_BUFFERS = LinuxUring.IORING_UNREGISTER_BUFFERS();
    /** Register files (the classic call). */
    public static final int FILES = LinuxUring.IORING_REGISTER_FILES();
    /** Unregister all files. */
    public static final int UNREGISTER_FILES = LinuxUring.IORING_UNREGISTER_FILES();
    /** Report supported opcodes. */
    public static final int PROBE = LinuxUring.IORING_REGISTER_PROBE();
    /** Enable a ring created with {@code R_DISABLED}. */
    public static final int ENABLE_RINGS = LinuxUring.IORING_REGISTER_ENABLE_RINGS();
    /** Register files, possibly sparse. */
    public static final int FILES2 = LinuxUring.IORING_REGISTER_FILES2();
    /** Update registered file slots. */
    public static final int FILES_UPDATE = LinuxUring.IORING_REGISTER_FILES_UPDATE();
    /** Register buffers, possibly sparse. */
    public static final int BUFFERS2 = LinuxUring.IORING_REGISTER_BUFFERS2();
    /** Update registered buffer slots. */
    public static final int BUFFERS_UPDATE = LinuxUring.IORING_REGISTER_BUFFERS_UPDATE();
    /** Register the ring fd itself, so {@code io_uring_enter} skips the fd lookup. */
    public static final int RING_FDS = LinuxUring.IORING_REGISTER_RING_FDS();
    /** Post a {@code MSG_RING} without a source ring (6.13). */
    public static final int SEND_MSG_RING = LinuxUring.I2O2_IORING_REGISTER_SEND_MSG_RING();

    private RegisterOp() {
    }
}
