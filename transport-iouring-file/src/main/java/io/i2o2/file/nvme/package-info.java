/**
 * NVMe passthrough over {@code IORING_OP_URING_CMD} on a namespace's generic character device
 * ({@code /dev/ngXnY}): identify controller and namespace, read, write, flush, write-zeroes and trim by
 * LBA, with NVMe status decoded into {@link io.i2o2.file.nvme.NvmeStatusException}. On a loop of the portable
 * engine (no io_uring) the same commands go as the NVMe driver's passthrough ioctls on the same devices.
 */
package io.i2o2.file.nvme;
