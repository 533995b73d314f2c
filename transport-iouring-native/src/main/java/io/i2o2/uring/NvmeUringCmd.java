package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.nvme_uring_cmd;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A typed writer over the 72-byte {@code struct nvme_uring_cmd} ({@code <linux/nvme_ioctl.h>}) that an NVMe
 * passthrough request carries in {@link Sqe#commandArea()} of a 128-byte SQE.
 *
 * <p>An NVMe passthrough request is an {@code IORING_OP_URING_CMD} on a ring with {@link SetupFlag#SQE128}
 * and {@link SetupFlag#CQE32}: {@link #CMD_IO} to a namespace's generic device {@code /dev/ngXnY},
 * {@link #CMD_ADMIN} to the controller's {@code /dev/nvmeX} (6.0+); the wrong pairing fails with
 * {@code -ENOTTY}. Its CQE's {@code res} is 0 on success, the NVMe status field (status code type and
 * status code, {@code > 0}) when the device failed the command, or {@code -errno} when the kernel refused it;
 * the command's result dword 0 arrives in the first 8 extra bytes of the 32-byte CQE
 * ({@link CompletionHandler} {@code extra0}).
 *
 * <pre>{@code
 * Sqe sqe = ring.sq().next().prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).userData(7);
 * NvmeUringCmd.over(sqe.commandArea())
 *         .readWrite(NvmeUringCmd.OPC_READ, nsid, buffer.address(), (int) buffer.byteSize(), slba, blocks);
 * }</pre>
 *
 * <p>Offsets come from the jextract layout of the header's struct; the setters write the fields in place,
 * so the entry must still be the current one ({@link SubmissionQueue#next()} zeroed it). The data buffer
 * must stay valid until the CQE arrives.
 */
public final class NvmeUringCmd {
    /** {@code NVME_URING_CMD_IO}: an I/O command on a namespace's generic device. The int bit pattern of 0xC0484E80. */
    public static final int CMD_IO = (int) LinuxUring.NVME_URING_CMD_IO();
    /** {@code NVME_URING_CMD_IO_VEC}: an I/O command whose {@code addr} is an iovec array. */
    public static final int CMD_IO_VEC = (int) LinuxUring.NVME_URING_CMD_IO_VEC();
    /** {@code NVME_URING_CMD_ADMIN}: an admin command (needs {@code CAP_SYS_ADMIN}). */
    public static final int CMD_ADMIN = (int) LinuxUring.NVME_URING_CMD_ADMIN();
    /** {@code NVME_URING_CMD_ADMIN_VEC}: an admin command whose {@code addr} is an iovec array. */
    public static final int CMD_ADMIN_VEC = (int) LinuxUring.NVME_URING_CMD_ADMIN_VEC();

    /** NVM command set opcode: Flush. */
    public static final int OPC_FLUSH = 0x00;
    /** NVM command set opcode: Write. */
    public static final int OPC_WRITE = 0x01;
    /** NVM command set opcode: Read. */
    public static final int OPC_READ = 0x02;
    /** Admin opcode: Identify. */
    public static final int OPC_IDENTIFY = 0x06;
    /** Identify CNS value: the namespace data structure of {@code nsid}. */
    public static final int CNS_NAMESPACE = 0x00;
    /** Identify CNS value: the controller data structure. */
    public static final int CNS_CONTROLLER = 0x01;
    /** The size of every Identify data structure. */
    public static final int IDENTIFY_SIZE = 4096;

    /** {@code sizeof(struct nvme_uring_cmd)}: 72. */
    public static final long SIZE = nvme_uring_cmd.sizeof();

    private static final long OPCODE = nvme_uring_cmd.opcode$offset();
    private static final long FLAGS = nvme_uring_cmd.flags$offset();
    private static final long NSID = nvme_uring_cmd.nsid$offset();
    private static final long CDW2 = nvme_uring_cmd.cdw2$offset();
    private static final long CDW3 = nvme_uring_cmd.cdw3$offset();
    private static final long METADATA = nvme_uring_cmd.metadata$offset();
    private static final long ADDR = nvme_uring_cmd.addr$offset();
    private static final long METADATA_LEN = nvme_uring_cmd.metadata_len$offset();
    private static final long DATA_LEN = nvme_uring_cmd.data_len$offset();
    private static final long CDW10 = nvme_uring_cmd.cdw10$offset();
    private static final long TIMEOUT_MS = nvme_uring_cmd.timeout_ms$offset();

    private final MemorySegment cmd;

    private NvmeUringCmd(MemorySegment cmd) {
        this.cmd = cmd;
    }

    /**
     * A writer over the command at the start of {@code area}, normally {@link Sqe#commandArea()}.
     *
     * @param area the memory area
     * @return this command, for chaining
     * @throws IllegalArgumentException when {@code area} is shorter than {@link #SIZE} (a 64-byte SQE's
     *                                  area is 16 bytes: the ring needs {@link SetupFlag#SQE128})
     */
    public static NvmeUringCmd over(MemorySegment area) {
        Objects.requireNonNull(area, "area");
        if (area.byteSize() < SIZE) {
            throw new IllegalArgumentException("nvme_uring_cmd needs " + SIZE + " bytes, the area has "
                    + area.byteSize() + ": NVMe passthrough needs a ring with SQE128");
        }
        return new NvmeUringCmd(area);
    }

    /**
     * The command's memory.
     *
     * @return the command's memory
     */
    public MemorySegment segment() {
        return cmd.asSlice(0, SIZE);
    }

    /**
     * {@code opcode}: the NVMe command opcode (8 bits).
     *
     * @param opcode the opcode
     * @return this command, for chaining
     */
    public NvmeUringCmd opcode(int opcode) {
        cmd.set(JAVA_BYTE, OPCODE, (byte) opcode);
        return this;
    }

    /**
     * {@code flags}: the NVMe command flags byte (fused operation, PRP/SGL selection; normally 0).
     *
     * @param flags the flag bits
     * @return this command, for chaining
     */
    public NvmeUringCmd flags(int flags) {
        cmd.set(JAVA_BYTE, FLAGS, (byte) flags);
        return this;
    }

    /**
     * {@code nsid}: the namespace id (unsigned 32 bits, as an int bit pattern).
     *
     * @param nsid the NVMe namespace id
     * @return this command, for chaining
     */
    public NvmeUringCmd nsid(int nsid) {
        cmd.set(JAVA_INT, NSID, nsid);
        return this;
    }

    /**
     * {@code cdw2}.
     *
     * @param value the value
     * @return this command, for chaining
     */
    public NvmeUringCmd cdw2(int value) {
        cmd.set(JAVA_INT, CDW2, value);
        return this;
    }

    /**
     * {@code cdw3}.
     *
     * @param value the value
     * @return this command, for chaining
     */
    public NvmeUringCmd cdw3(int value) {
        cmd.set(JAVA_INT, CDW3, value);
        return this;
    }

    /**
     * {@code metadata} and {@code metadata_len}: a separate metadata buffer, for formats that have one.
     *
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @return this command, for chaining
     */
    public NvmeUringCmd metadata(long addr, int len) {
        cmd.set(JAVA_LONG, METADATA, addr);
        cmd.set(JAVA_INT, METADATA_LEN, len);
        return this;
    }

    /**
     * {@code addr} and {@code data_len}: the data buffer (or iovec array and count, for the _VEC ops).
     *
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @return this command, for chaining
     */
    public NvmeUringCmd data(long addr, int len) {
        cmd.set(JAVA_LONG, ADDR, addr);
        cmd.set(JAVA_INT, DATA_LEN, len);
        return this;
    }

    /**
     * Command dword {@code 10 + (index - 10)}: {@code cdw(10, v)} through {@code cdw(15, v)}.
     *
     * @param index the index
     * @param value the value
     * @return this command, for chaining
     * @throws IllegalArgumentException for an index outside 10..15
     */
    public NvmeUringCmd cdw(int index, int value) {
        if (index < 10 || index > 15) {
            throw new IllegalArgumentException("command dwords 10..15 live here, not " + index);
        }
        cmd.set(JAVA_INT, CDW10 + (long) (index - 10) * Integer.BYTES, value);
        return this;
    }

    /**
     * {@code timeout_ms}: the kernel's timeout for this command; 0 for the driver's default.
     *
     * @param millis the time in milliseconds
     * @return this command, for chaining
     */
    public NvmeUringCmd timeoutMs(int millis) {
        cmd.set(JAVA_INT, TIMEOUT_MS, millis);
        return this;
    }

    /**
     * {@code timeout_ms} as written: what {@link #timeoutMs(int)} set (an unsigned 32-bit value as an int bit
     * pattern), 0 when none.
     *
     * @return the command's {@code timeout_ms}
     */
    public int timeoutMs() {
        return cmd.get(JAVA_INT, TIMEOUT_MS);
    }

    /**
     * {@code addr} as written: the data buffer's address, or the iovec array's for the _VEC ops.
     *
     * @return the command's {@code addr}
     */
    public long dataAddress() {
        return cmd.get(JAVA_LONG, ADDR);
    }

    /**
     * {@code data_len} as written: bytes, or the iovec count for the _VEC ops.
     *
     * @return the command's {@code data_len}
     */
    public int dataLength() {
        return cmd.get(JAVA_INT, DATA_LEN);
    }

    /**
     * {@code opcode} as written.
     *
     * @return the NVMe opcode, 0 to 255
     */
    public int opcodeValue() {
        return cmd.get(JAVA_BYTE, OPCODE) & 0xff;
    }

    /**
     * Command dword {@code index} (10 to 15) as written.
     *
     * @param index the dword, 10 to 15
     * @return its value
     * @throws IllegalArgumentException for an index outside 10..15
     */
    public int cdwValue(int index) {
        if (index < 10 || index > 15) {
            throw new IllegalArgumentException("command dwords 10..15 live here, not " + index);
        }
        return cmd.get(JAVA_INT, CDW10 + (long) (index - 10) * Integer.BYTES);
    }

    // ---- whole commands ----

    /**
     * An NVM Read, Write or other LBA-range command: {@code blocks} logical blocks from {@code slba}
     * (CDW10/11: starting LBA, CDW12: 0-based block count) with data at {@code addr}, {@code len} bytes.
     *
     * @param opcode the opcode
     * @param nsid the NVMe namespace id
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param slba the first logical block
     * @param blocks the number of logical blocks
     * @return this command, for chaining
     * @throws IllegalArgumentException when {@code blocks} is not 1..65536
     */
    public NvmeUringCmd readWrite(int opcode, int nsid, long addr, int len, long slba, int blocks) {
        if (blocks < 1 || blocks > 65536) {
            throw new IllegalArgumentException("an NVMe command moves 1..65536 blocks: " + blocks);
        }
        return opcode(opcode).nsid(nsid).data(addr, len)
                .cdw(10, (int) slba).cdw(11, (int) (slba >>> 32)).cdw(12, blocks - 1);
    }

    /**
     * An NVM Flush of namespace {@code nsid}: makes completed writes durable.
     *
     * @param nsid the NVMe namespace id
     * @return this command, for chaining
     */
    public NvmeUringCmd flush(int nsid) {
        return opcode(OPC_FLUSH).nsid(nsid);
    }

    /**
     * An admin Identify: {@code cns} ({@link #CNS_CONTROLLER}, {@link #CNS_NAMESPACE}, ...) for {@code nsid}
     * into the {@link #IDENTIFY_SIZE}-byte buffer at {@code addr}.
     *
     * @param cns the Identify CNS value
     * @param nsid the NVMe namespace id
     * @param addr the address of the memory the kernel reads or writes
     * @return this command, for chaining
     */
    public NvmeUringCmd identify(int cns, int nsid, long addr) {
        return opcode(OPC_IDENTIFY).nsid(nsid).data(addr, IDENTIFY_SIZE).cdw(10, cns & 0xff);
    }

    /**
     * Status code type (bits 8..10) of a positive {@code res}: 0 generic, 1 command specific, 2 media.
     *
     * @param res a CQE result: the value, or a negative errno
     * @return the status code type (bits 8..10): 0 generic, 1 command specific, 2 media
     */
    public static int statusCodeType(int res) {
        return (res >>> 8) & 0x7;
    }

    /**
     * Status code (bits 0..7) of a positive {@code res}, e.g. 0x80 "LBA Out of Range" in the generic type.
     *
     * @param res a CQE result: the value, or a negative errno
     * @return the status code (bits 0..7)
     */
    public static int statusCode(int res) {
        return res & 0xff;
    }

    /**
     * {@code "NVMe status 0x4080 (sct 0, sc 0x80, dnr)"}, or the errno name for a negative {@code res}.
     *
     * @param res a CQE result: the value, or a negative errno
     * @return a description such as {@code "NVMe status 0x4080 (sct 0, sc 0x80, dnr)"}, or the errno name
     */
    public static String describe(int res) {
        if (res < 0) {
            return Errno.format(-res);
        }
        return "NVMe status 0x" + Integer.toHexString(res) + " (sct " + statusCodeType(res) + ", sc 0x"
                + Integer.toHexString(statusCode(res)) + ((res & 0x4000) != 0 ? ", dnr" : "") + ")";
    }
}
