package io.i2o2.file;

/**
 * The completion of a {@code uring_cmd}: the result and the 16 extra bytes of the 32-byte CQE.
 *
 * @param res    what the driver returned (for NVMe: 0, or a positive NVMe status)
 * @param extra0 first 8 extra bytes (for NVMe: the completion's result dword(s))
 * @param extra1 last 8 extra bytes
 */
public record UringCmdResult(int res, long extra0, long extra1) {
}
