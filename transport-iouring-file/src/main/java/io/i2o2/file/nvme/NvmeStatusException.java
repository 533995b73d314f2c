package io.i2o2.file.nvme;

import io.i2o2.file.FileIoException;
import io.i2o2.uring.Errno;

/**
 * The device completed an NVMe command with an error status: the CQE's {@code res} was the positive NVMe
 * status field. {@link #errno()} is {@code EIO}, as the block layer would report it; the NVMe status is
 * decoded here: status code type and code (named for the generic, command-specific, media and path codes of
 * NVMe 2.0, zoned namespace codes included), Do Not Retry, More and Command Retry Delay. The field is the CQE's
 * Status Field without its phase bit, as Linux reports it: SC bits 0-7, SCT 8-10, CRD 11-12, M 13, DNR 14.
 */
public class NvmeStatusException extends FileIoException {
    private static final long serialVersionUID = 1L;

    /** The NVMe status field, as {@link #status()} returns it. */
    private final int status;

    /**
     * An NVMe error status for command {@code op}; the message names the LBA and the decoded status.
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
     * @return the CQE's Status Field without the phase bit: SC bits 0-7, SCT 8-10, CRD 11-12, M 13, DNR 14
     */
    public int status() {
        return status;
    }

    /**
     * Status code type: 0 generic, 1 command specific, 2 media and data integrity, 3 path related.
     *
     * @return SCT, bits 8-10 of the status, 0 to 7
     */
    public int statusCodeType() {
        return (status >>> 8) & 0x7;
    }

    /**
     * Status code within its type.
     *
     * @return SC, bits 0-7 of the status, 0 to 255
     */
    public int statusCode() {
        return status & 0xff;
    }

    /**
     * Whether the device says retrying the same command will fail again (DNR, bit 14).
     *
     * @return true when Do Not Retry is set
     */
    public boolean doNotRetry() {
        return (status & 0x4000) != 0;
    }

    /**
     * Whether the controller has more status in the Error Information log page (M, bit 13).
     *
     * @return true when More is set; {@link NvmeController#errorLog(int)} reads the page
     */
    public boolean more() {
        return (status & 0x2000) != 0;
    }

    /**
     * Command Retry Delay (CRD, bits 11-12): 0 means retry at once; 1 to 3 pick the delay Identify Controller's
     * CRDT1 to CRDT3 give (in units of 100 ms). Meaningful only when {@link #doNotRetry()} is false.
     *
     * @return CRD, 0 to 3
     */
    public int commandRetryDelay() {
        return (status >>> 11) & 0x3;
    }

    /**
     * The status's name: {@code "LBA Out of Range"}; {@code "NVMe status"} for one this class does not name.
     *
     * @param status a status field, as {@link #status()} holds it (only SCT and SC count)
     * @return the NVMe 2.0 name of its status code type and code
     */
    public static String name(int status) {
        int sct = (status >>> 8) & 0x7;
        int sc = status & 0xff;
        return switch (sct << 8 | sc) {
            case 0x000 -> "Successful Completion";
            case 0x001 -> "Invalid Command Opcode";
            case 0x002 -> "Invalid Field in Command";
            case 0x003 -> "Command ID Conflict";
            case 0x004 -> "Data Transfer Error";
            case 0x005 -> "Commands Aborted due to Power Loss Notification";
            case 0x006 -> "Internal Error";
            case 0x007 -> "Command Abort Requested";
            case 0x008 -> "Command Aborted due to SQ Deletion";
            case 0x009 -> "Command Aborted due to Failed Fused Command";
            case 0x00a -> "Command Aborted due to Missing Fused Command";
            case 0x00b -> "Invalid Namespace or Format";
            case 0x00c -> "Command Sequence Error";
            case 0x00d -> "Invalid SGL Segment Descriptor";
            case 0x00e -> "Invalid Number of SGL Descriptors";
            case 0x00f -> "Data SGL Length Invalid";
            case 0x010 -> "Metadata SGL Length Invalid";
            case 0x011 -> "SGL Descriptor Type Invalid";
            case 0x012 -> "Invalid Use of Controller Memory Buffer";
            case 0x013 -> "PRP Offset Invalid";
            case 0x014 -> "Atomic Write Unit Exceeded";
            case 0x015 -> "Operation Denied";
            case 0x016 -> "SGL Offset Invalid";
            case 0x018 -> "Host Identifier Inconsistent Format";
            case 0x019 -> "Keep Alive Timer Expired";
            case 0x01a -> "Keep Alive Timeout Invalid";
            case 0x01b -> "Command Aborted due to Preempt and Abort";
            case 0x01c -> "Sanitize Failed";
            case 0x01d -> "Sanitize In Progress";
            case 0x01e -> "SGL Data Block Granularity Invalid";
            case 0x01f -> "Command Not Supported for Queue in CMB";
            case 0x020 -> "Namespace is Write Protected";
            case 0x021 -> "Command Interrupted";
            case 0x022 -> "Transient Transport Error";
            case 0x023 -> "Command Prohibited by Command and Feature Lockdown";
            case 0x024 -> "Admin Command Media Not Ready";
            case 0x080 -> "LBA Out of Range";
            case 0x081 -> "Capacity Exceeded";
            case 0x082 -> "Namespace Not Ready";
            case 0x083 -> "Reservation Conflict";
            case 0x084 -> "Format In Progress";
            // Command specific (SCT 1): admin, then I/O commands, then zoned namespace commands.
            case 0x100 -> "Completion Queue Invalid";
            case 0x101 -> "Invalid Queue Identifier";
            case 0x102 -> "Invalid Queue Size";
            case 0x103 -> "Abort Command Limit Exceeded";
            case 0x105 -> "Asynchronous Event Request Limit Exceeded";
            case 0x106 -> "Invalid Firmware Slot";
            case 0x107 -> "Invalid Firmware Image";
            case 0x108 -> "Invalid Interrupt Vector";
            case 0x109 -> "Invalid Log Page";
            case 0x10a -> "Invalid Format";
            case 0x10b -> "Firmware Activation Requires Conventional Reset";
            case 0x10c -> "Invalid Queue Deletion";
            case 0x10d -> "Feature Identifier Not Saveable";
            case 0x10e -> "Feature Not Changeable";
            case 0x10f -> "Feature Not Namespace Specific";
            case 0x110 -> "Firmware Activation Requires NVM Subsystem Reset";
            case 0x111 -> "Firmware Activation Requires Controller Level Reset";
            case 0x112 -> "Firmware Activation Requires Maximum Time Violation";
            case 0x113 -> "Firmware Activation Prohibited";
            case 0x114 -> "Overlapping Range";
            case 0x115 -> "Namespace Insufficient Capacity";
            case 0x116 -> "Namespace Identifier Unavailable";
            case 0x118 -> "Namespace Already Attached";
            case 0x119 -> "Namespace Is Private";
            case 0x11a -> "Namespace Not Attached";
            case 0x11b -> "Thin Provisioning Not Supported";
            case 0x11c -> "Controller List Invalid";
            case 0x11d -> "Device Self-test In Progress";
            case 0x11e -> "Boot Partition Write Prohibited";
            case 0x11f -> "Invalid Controller Identifier";
            case 0x180 -> "Conflicting Attributes";
            case 0x181 -> "Invalid Protection Information";
            case 0x182 -> "Attempted Write to Read Only Range";
            case 0x183 -> "Command Size Limit Exceeded";
            case 0x1b8 -> "Zone Boundary Error";
            case 0x1b9 -> "Zone Is Full";
            case 0x1ba -> "Zone Is Read Only";
            case 0x1bb -> "Zone Is Offline";
            case 0x1bc -> "Zone Invalid Write";
            case 0x1bd -> "Too Many Active Zones";
            case 0x1be -> "Too Many Open Zones";
            case 0x1bf -> "Invalid Zone State Transition";
            case 0x280 -> "Write Fault";
            case 0x281 -> "Unrecovered Read Error";
            case 0x282 -> "End-to-end Guard Check Error";
            case 0x283 -> "End-to-end Application Tag Check Error";
            case 0x284 -> "End-to-end Reference Tag Check Error";
            case 0x285 -> "Compare Failure";
            case 0x286 -> "Access Denied";
            case 0x287 -> "Deallocated or Unwritten Logical Block";
            case 0x300 -> "Internal Path Error";
            case 0x301 -> "Asymmetric Access Persistent Loss";
            case 0x302 -> "Asymmetric Access Inaccessible";
            case 0x303 -> "Asymmetric Access Transition";
            case 0x360 -> "Controller Pathing Error";
            case 0x370 -> "Host Pathing Error";
            case 0x371 -> "Command Aborted By Host";
            default -> "NVMe status";
        };
    }

    /**
     * {@code "LBA Out of Range (status 0x4080, sct 0, sc 0x80, dnr)"}, with {@code more} and {@code crd N} too.
     *
     * @param status a status field, as {@link #status()} holds it
     * @return its name, then the raw field, SCT, SC and whichever of DNR, More and CRD are set
     */
    public static String describe(int status) {
        int sct = (status >>> 8) & 0x7;
        int sc = status & 0xff;
        int crd = (status >>> 11) & 0x3;
        return name(status) + " (status 0x" + Integer.toHexString(status) + ", sct " + sct + ", sc 0x"
                + Integer.toHexString(sc) + ((status & 0x4000) != 0 ? ", dnr" : "")
                + ((status & 0x2000) != 0 ? ", more" : "") + (crd != 0 ? ", crd " + crd : "") + ")";
    }
}
