package io.i2o2.file.nvme;

import io.i2o2.file.IoUringIOException;
import io.i2o2.uring.Errno;

/**
 * The device completed an NVMe command with an error status: the CQE's {@code res} was the positive NVMe
 * status field. {@link #errno()} is {@code EIO}, as the block layer would report it; the NVMe status is
 * decoded here.
 */
public class NvmeStatusException extends IoUringIOException {
    private static final long serialVersionUID = 1L;

    /** The raw NVMe status field. */
    private final int status;

    /**
     * A command that completed with an NVMe error status.
     *
     * @param op     the command, e.g. {@code "nvme read"}
     * @param status the NVMe status field from {@code res} (status code type and status code, DNR, More)
     * @param fd     the device descriptor
     * @param lba    the first LBA, or -1
     */
    public NvmeStatusException(String op, int status, int fd, long lba) {
        super(op, Errno.EIO, fd, -1, "lba=" + lba + ", " + describe(status));
        this.status = status;
    }

    /**
     * The raw status field.
     *
     * @return the raw status field
     */
    public int status() {
        return status;
    }

    /**
     * Status code type: 0 generic, 1 command specific, 2 media and data integrity, 3 path related.
     *
     * @return the status code type: 0 generic, 1 command specific, 2 media and data integrity, 3 path related
     */
    public int statusCodeType() {
        return (status >>> 8) & 0x7;
    }

    /**
     * Status code within its type.
     *
     * @return the status code within its type
     */
    public int statusCode() {
        return status & 0xff;
    }

    /**
     * Whether the device says retrying the same command will fail again (DNR).
     *
     * @return whether the device says retrying the same command will fail again (DNR)
     */
    public boolean doNotRetry() {
        return (status & 0x4000) != 0;
    }

    /**
     * {@code "LBA Out of Range (sct 0, sc 0x80, dnr)"}.
     *
     * @param status the NVMe status field
     * @return a description such as {@code "LBA Out of Range (sct 0, sc 0x80, dnr)"}
     */
    public static String describe(int status) {
        int sct = (status >>> 8) & 0x7;
        int sc = status & 0xff;
        String name = switch (sct << 8 | sc) {
            case 0x001 -> "Invalid Command Opcode";
            case 0x002 -> "Invalid Field in Command";
            case 0x004 -> "Data Transfer Error";
            case 0x006 -> "Internal Error";
            case 0x007 -> "Command Abort Requested";
            case 0x00b -> "Invalid Namespace or Format";
            case 0x080 -> "LBA Out of Range";
            case 0x081 -> "Capacity Exceeded";
            case 0x082 -> "Namespace Not Ready";
            case 0x280 -> "Write Fault";
            case 0x281 -> "Unrecovered Read Error";
            case 0x282 -> "End-to-end Guard Check Error";
            case 0x286 -> "Access Denied";
            case 0x287 -> "Deallocated or Unwritten Logical Block";
            default -> "NVMe status";
        };
        return name + " (status 0x" + Integer.toHexString(status) + ", sct " + sct + ", sc 0x" + Integer.toHexString(sc)
                + ((status & 0x4000) != 0 ? ", dnr" : "") + ")";
    }
}
