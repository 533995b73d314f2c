package io.i2o2.uring;

import io.i2o2.uring.gen.io_uring_sqe;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A writer over one submission queue entry in the ring's mapped SQE array.
 *
 * <p>{@link SubmissionQueue#next()} hands out the same writer each time, positioned on a freshly zeroed
 * entry, so writing an SQE allocates nothing. Use it right away, on the ring's thread, before the next
 * call to {@code next()}. Field offsets come from the jextract layout of {@code struct io_uring_sqe}.
 *
 * <p>The {@code prep*} methods fill the fields one opcode uses, as liburing's {@code io_uring_prep_*} do;
 * the field setters reach the rest. {@link #userData(long)} is the caller's to set after a prep. Raw
 * addresses handed to the kernel must stay valid until the request's CQE arrives: that is the caller's
 * contract, which the file module keeps by pinning buffers.
 */
public final class Sqe {
    // Field accesses use the *_UNALIGNED layouts: every offset here is aligned by the struct's layout, and the
    // aligned layouts would check that again on each access of the hot path.
    private static final long OPCODE = io_uring_sqe.opcode$offset();
    private static final long FLAGS = io_uring_sqe.flags$offset();
    private static final long IOPRIO = io_uring_sqe.ioprio$offset();
    private static final long FD = io_uring_sqe.fd$offset();
    private static final long OFF = io_uring_sqe.off$offset();
    private static final long CMD_OP = io_uring_sqe.cmd_op$offset();
    private static final long ADDR = io_uring_sqe.addr$offset();
    private static final long LEN = io_uring_sqe.len$offset();
    private static final long OP_FLAGS = io_uring_sqe.rw_flags$offset();
    private static final long URING_CMD_FLAGS = io_uring_sqe.uring_cmd_flags$offset();
    private static final long USER_DATA = io_uring_sqe.user_data$offset();
    private static final long BUF_INDEX = io_uring_sqe.buf_index$offset();
    private static final long PERSONALITY = io_uring_sqe.personality$offset();
    private static final long FILE_INDEX = io_uring_sqe.file_index$offset();
    private static final long ADDR3 = io_uring_sqe.addr3$offset();
    /** Where the {@code uring_cmd} payload starts: 16 bytes in a 64-byte SQE, 80 in a 128-byte one. */
    public static final long COMMAND_OFFSET = io_uring_sqe.cmd$offset();

    /** One segment per entry, made once: positioning the writer allocates nothing. */
    private final MemorySegment[] entries;
    private final int size;
    private MemorySegment entry;

    Sqe(MemorySegment sqes, int size) {
        this.size = size;
        this.entries = new MemorySegment[(int) (sqes.byteSize() / size)];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = sqes.asSlice((long) i * size, size);
        }
    }

    /**
     * A writer over one 64-byte entry of plain memory rather than a ring: for handing an SQE's fields to
     * a ring this library does not own (Netty's), through {@link #readBack}.
     *
     * @param entry at least 64 bytes: native memory, or a heap segment (the kernel never reads it)
     * @return a writer positioned on it (zeroed)
     */
    public static Sqe detached(MemorySegment entry) {
        return detached(entry, 64);
    }

    /**
     * A writer over one entry of plain memory of either size: 128 bytes for a {@code uring_cmd} whose payload
     * needs the big entry ({@link NvmeUringCmd}), to run through {@link SqeSyscalls} or copy to an
     * {@link SetupFlag#SQE128} ring.
     *
     * @param entry at least {@code size} bytes
     * @param size  64, or 128 for an {@link SetupFlag#SQE128} entry
     * @return a writer positioned on it (zeroed)
     * @throws IllegalArgumentException for another size, or an entry shorter than {@code size}
     */
    public static Sqe detached(MemorySegment entry, int size) {
        if (size != 64 && size != 128) {
            throw new IllegalArgumentException("an SQE is 64 or 128 bytes, not " + size);
        }
        if (entry.byteSize() < size) {
            throw new IllegalArgumentException("a " + size + "-byte SQE in " + entry.byteSize() + " bytes");
        }
        Sqe sqe = new Sqe(entry.asSlice(0, size), size);
        sqe.moveTo(0);
        return sqe;
    }

    /** Zeroes the entry for the next op (a {@link #detached} writer is reused). */
    public void clear() {
        entry.fill((byte) 0);
    }

    /**
     * The fields of an SQE as a ring's submit call takes them, {@code user_data} left to that ring.
     *
     * @param <T> what is built from the fields
     */
    @FunctionalInterface
    public interface Fields<T> {
        /**
         * Builds something from an entry's fields.
         *
         * @param opcode {@code opcode}
         * @param flags {@code flags}
         * @param ioprio {@code ioprio}
         * @param fd {@code fd}
         * @param off {@code off} / {@code addr2}
         * @param addr {@code addr}
         * @param len {@code len}
         * @param opFlags {@code rw_flags} and its union
         * @param bufIndex {@code buf_index}
         * @param personality {@code personality}
         * @param fileIndex {@code file_index} / {@code splice_fd_in}
         * @param addr3 {@code addr3}
         * @return what was built
         */
        T of(byte opcode, byte flags, short ioprio, int fd, long off, long addr, int len, int opFlags,
             short bufIndex, short personality, int fileIndex, long addr3);
    }

    /**
     * Reads this 64-byte entry back as its fields.
     *
     * @param fields what to build from them
     * @param <T> what is built
     * @return {@code fields}' result
     */
    public <T> T readBack(Fields<T> fields) {
        return fields.of(entry.get(JAVA_BYTE, OPCODE), entry.get(JAVA_BYTE, FLAGS),
                entry.get(JAVA_SHORT_UNALIGNED, IOPRIO), entry.get(JAVA_INT_UNALIGNED, FD),
                entry.get(JAVA_LONG_UNALIGNED, OFF), entry.get(JAVA_LONG_UNALIGNED, ADDR),
                entry.get(JAVA_INT_UNALIGNED, LEN), entry.get(JAVA_INT_UNALIGNED, OP_FLAGS),
                entry.get(JAVA_SHORT_UNALIGNED, BUF_INDEX), entry.get(JAVA_SHORT_UNALIGNED, PERSONALITY),
                entry.get(JAVA_INT_UNALIGNED, FILE_INDEX), entry.get(JAVA_LONG_UNALIGNED, ADDR3));
    }

    /** Positions the writer on entry {@code index} and zeroes it (one bulk fill, not a store per field). */
    void moveTo(int index) {
        entry = entries[index];
        entry.fill((byte) 0);
    }

    /**
     * The entry size: 64 bytes, or 128 on an {@link SetupFlag#SQE128} ring.
     *
     * @return the entry size
     */
    public int size() {
        return size;
    }

    /**
     * The command area of a {@code uring_cmd} ({@code sqe->cmd}): 80 bytes on a 128-byte ring, 16 on a
     * 64-byte one. Valid until the next {@link SubmissionQueue#next()}.
     *
     * @return the command area of a {@code uring_cmd} ({@code sqe->cmd})
     */
    public MemorySegment commandArea() {
        return entry.asSlice(COMMAND_OFFSET, size - COMMAND_OFFSET);
    }

    /**
     * Copies the first {@code bytes} of the command area into {@code dst} without making a slice
     * ({@link SqeSyscalls}' NVMe command copy); the caller checked that the entry is big enough.
     */
    void copyCommand(MemorySegment dst, long bytes) {
        MemorySegment.copy(entry, COMMAND_OFFSET, dst, 0, bytes);
    }

    // ---- fields ----

    /**
     * {@code sqe->opcode}.
     *
     * @param opcode the opcode
     * @return this writer, for chaining
     */
    public Sqe opcode(int opcode) {
        entry.set(JAVA_BYTE, OPCODE, (byte) opcode);
        return this;
    }

    /**
     * {@code sqe->flags}: {@link SqeFlags}.
     *
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe flags(int flags) {
        entry.set(JAVA_BYTE, FLAGS, (byte) flags);
        return this;
    }

    /**
     * Adds {@link SqeFlags} to those already set.
     *
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe addFlags(int flags) {
        entry.set(JAVA_BYTE, FLAGS, (byte) (entry.get(JAVA_BYTE, FLAGS) | flags));
        return this;
    }

    /**
     * {@code sqe->ioprio}.
     *
     * @param ioprio the I/O priority
     * @return this writer, for chaining
     */
    public Sqe ioprio(int ioprio) {
        entry.set(JAVA_SHORT_UNALIGNED, IOPRIO, (short) ioprio);
        return this;
    }

    /**
     * {@code sqe->fd}: a file descriptor, or a registered file index with {@link SqeFlags#FIXED_FILE}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @return this writer, for chaining
     */
    public Sqe fd(int fd) {
        entry.set(JAVA_INT_UNALIGNED, FD, fd);
        return this;
    }

    /**
     * {@code sqe->off} (also {@code addr2}).
     *
     * @param off the offset
     * @return this writer, for chaining
     */
    public Sqe off(long off) {
        entry.set(JAVA_LONG_UNALIGNED, OFF, off);
        return this;
    }

    /**
     * {@code sqe->addr}.
     *
     * @param addr the address of the memory the kernel reads or writes
     * @return this writer, for chaining
     */
    public Sqe addr(long addr) {
        entry.set(JAVA_LONG_UNALIGNED, ADDR, addr);
        return this;
    }

    /**
     * {@code sqe->len}.
     *
     * @param len the length in bytes
     * @return this writer, for chaining
     */
    public Sqe len(int len) {
        entry.set(JAVA_INT_UNALIGNED, LEN, len);
        return this;
    }

    /**
     * The per-opcode flags word ({@code rw_flags}, {@code fsync_flags}, {@code open_flags}, ...).
     *
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe opFlags(int flags) {
        entry.set(JAVA_INT_UNALIGNED, OP_FLAGS, flags);
        return this;
    }

    /**
     * {@code sqe->user_data}: comes back unchanged in the request's CQE.
     *
     * @param userData the {@code user_data} the CQE carries back
     * @return this writer, for chaining
     */
    public Sqe userData(long userData) {
        entry.set(JAVA_LONG_UNALIGNED, USER_DATA, userData);
        return this;
    }

    /**
     * {@code sqe->buf_index}: the registered buffer of a fixed read or write.
     *
     * @param index the index
     * @return this writer, for chaining
     */
    public Sqe bufIndex(int index) {
        entry.set(JAVA_SHORT_UNALIGNED, BUF_INDEX, (short) index);
        return this;
    }

    /**
     * {@code sqe->personality}.
     *
     * @param personality the registered personality id
     * @return this writer, for chaining
     */
    public Sqe personality(int personality) {
        entry.set(JAVA_SHORT_UNALIGNED, PERSONALITY, (short) personality);
        return this;
    }

    /**
     * {@code sqe->file_index} (also {@code splice_fd_in}).
     *
     * @param index the index
     * @return this writer, for chaining
     */
    public Sqe fileIndex(int index) {
        entry.set(JAVA_INT_UNALIGNED, FILE_INDEX, index);
        return this;
    }

    /**
     * {@code sqe->addr3}.
     *
     * @param addr3 the value for {@code sqe->addr3}
     * @return this writer, for chaining
     */
    public Sqe addr3(long addr3) {
        entry.set(JAVA_LONG_UNALIGNED, ADDR3, addr3);
        return this;
    }

    /**
     * {@code sqe->cmd_op}, a 32-bit pattern ({@code NVME_URING_CMD_IO} is 0xC0484E80: pass it as an int).
     *
     * @param cmdOp the {@code cmd_op} of the command (a 32-bit pattern)
     * @return this writer, for chaining
     */
    public Sqe cmdOp(int cmdOp) {
        entry.set(JAVA_INT_UNALIGNED, CMD_OP, cmdOp);
        return this;
    }

    // ---- reading the fields back (what SqeSyscalls runs) ----

    /**
     * {@code sqe->opcode}, 0 to 255.
     *
     * @return the opcode
     */
    public int opcode() {
        return entry.get(JAVA_BYTE, OPCODE) & 0xff;
    }

    /**
     * {@code sqe->flags}: the {@link SqeFlags} bits, 0 to 255.
     *
     * @return the flag bits
     */
    public int flags() {
        return entry.get(JAVA_BYTE, FLAGS) & 0xff;
    }

    /**
     * {@code sqe->fd}: a file descriptor, or a registered file index with {@link SqeFlags#FIXED_FILE}.
     *
     * @return the fd field
     */
    public int fd() {
        return entry.get(JAVA_INT_UNALIGNED, FD);
    }

    /**
     * {@code sqe->off} (also {@code addr2}).
     *
     * @return the offset field
     */
    public long off() {
        return entry.get(JAVA_LONG_UNALIGNED, OFF);
    }

    /**
     * {@code sqe->addr}.
     *
     * @return the address field
     */
    public long addr() {
        return entry.get(JAVA_LONG_UNALIGNED, ADDR);
    }

    /**
     * {@code sqe->len}, an unsigned 32-bit value as an int bit pattern.
     *
     * @return the length field
     */
    public int len() {
        return entry.get(JAVA_INT_UNALIGNED, LEN);
    }

    /**
     * The per-opcode flags word ({@code rw_flags}, {@code fsync_flags}, {@code open_flags}, ...).
     *
     * @return the flags word
     */
    public int opFlags() {
        return entry.get(JAVA_INT_UNALIGNED, OP_FLAGS);
    }

    /**
     * {@code sqe->buf_index}, 0 to 65535.
     *
     * @return the registered buffer index
     */
    public int bufIndex() {
        return entry.get(JAVA_SHORT_UNALIGNED, BUF_INDEX) & 0xffff;
    }

    /**
     * {@code sqe->file_index} (also {@code splice_fd_in}).
     *
     * @return the file index field
     */
    public int fileIndex() {
        return entry.get(JAVA_INT_UNALIGNED, FILE_INDEX);
    }

    /**
     * {@code sqe->addr3}.
     *
     * @return the addr3 field
     */
    public long addr3() {
        return entry.get(JAVA_LONG_UNALIGNED, ADDR3);
    }

    /**
     * {@code sqe->cmd_op}, a 32-bit pattern ({@code NVME_URING_CMD_IO} reads back as 0xC0484E80).
     *
     * @return the {@code cmd_op} field
     */
    public int cmdOp() {
        return entry.get(JAVA_INT_UNALIGNED, CMD_OP);
    }

    // ---- preps, one per opcode ----

    /**
     * The common read/write shape: {@code opcode, fd, addr, len, off}.
     *
     * @param opcode the opcode
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param off the offset
     * @return this writer, for chaining
     */
    public Sqe prepRw(int opcode, int fd, long addr, int len, long off) {
        entry.set(JAVA_BYTE, OPCODE, (byte) opcode);
        entry.set(JAVA_INT_UNALIGNED, FD, fd);
        entry.set(JAVA_LONG_UNALIGNED, OFF, off);
        entry.set(JAVA_LONG_UNALIGNED, ADDR, addr);
        entry.set(JAVA_INT_UNALIGNED, LEN, len);
        return this;
    }

    /**
     * Rewrites an entry that may be half written (a user's filler threw midway) as a plain NOP with every
     * field cleared and {@code user_data} 0, so the kernel runs nothing from it and its CQE matches no op.
     *
     * @return this entry
     */
    public Sqe neutralize() {
        entry.fill((byte) 0);
        return prepNop();
    }

    /** The size in bytes of a {@code uring_cmd} payload on a 128-byte SQE ({@link #commandArea()}). */
    public static final int URING_CMD_BYTES = 80;

    /**
     * {@code IORING_OP_NOP}.
     *
     * @return this writer, for chaining
     */
    public Sqe prepNop() {
        return prepRw(Opcode.NOP, -1, 0, 0, 0);
    }

    /**
     * {@code IORING_OP_READ}: {@code pread(fd, addr, len, offset)}; offset -1 reads at the file position.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param offset the file offset in bytes
     * @return this writer, for chaining
     */
    public Sqe prepRead(int fd, long addr, int len, long offset) {
        return prepRw(Opcode.READ, fd, addr, len, offset);
    }

    /**
     * {@code IORING_OP_WRITE}: {@code pwrite(fd, addr, len, offset)}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param offset the file offset in bytes
     * @return this writer, for chaining
     */
    public Sqe prepWrite(int fd, long addr, int len, long offset) {
        return prepRw(Opcode.WRITE, fd, addr, len, offset);
    }

    /**
     * {@code IORING_OP_READV} over {@code count} iovecs at {@code iovecs}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param iovecs the address of the {@code struct iovec} array
     * @param count the number of entries
     * @param offset the file offset in bytes
     * @return this writer, for chaining
     */
    public Sqe prepReadv(int fd, long iovecs, int count, long offset) {
        return prepRw(Opcode.READV, fd, iovecs, count, offset);
    }

    /**
     * {@code IORING_OP_WRITEV} over {@code count} iovecs at {@code iovecs}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param iovecs the address of the {@code struct iovec} array
     * @param count the number of entries
     * @param offset the file offset in bytes
     * @return this writer, for chaining
     */
    public Sqe prepWritev(int fd, long iovecs, int count, long offset) {
        return prepRw(Opcode.WRITEV, fd, iovecs, count, offset);
    }

    /**
     * {@code IORING_OP_READ_FIXED} into registered buffer {@code bufIndex} (addr must lie inside it).
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param offset the file offset in bytes
     * @param bufIndex the registered buffer index
     * @return this writer, for chaining
     */
    public Sqe prepReadFixed(int fd, long addr, int len, long offset, int bufIndex) {
        return prepRw(Opcode.READ_FIXED, fd, addr, len, offset).bufIndex(bufIndex);
    }

    /**
     * {@code IORING_OP_WRITE_FIXED} from registered buffer {@code bufIndex}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param offset the file offset in bytes
     * @param bufIndex the registered buffer index
     * @return this writer, for chaining
     */
    public Sqe prepWriteFixed(int fd, long addr, int len, long offset, int bufIndex) {
        return prepRw(Opcode.WRITE_FIXED, fd, addr, len, offset).bufIndex(bufIndex);
    }

    /**
     * {@code IORING_OP_FSYNC}; {@code datasync} makes it {@code fdatasync}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param datasync whether to sync data only ({@code fdatasync})
     * @return this writer, for chaining
     */
    public Sqe prepFsync(int fd, boolean datasync) {
        return prepRw(Opcode.FSYNC, fd, 0, 0, 0).opFlags(datasync ? Linux.IORING_FSYNC_DATASYNC : 0);
    }

    /**
     * {@code IORING_OP_SYNC_FILE_RANGE}: {@code sync_file_range(fd, offset, len, flags)}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param len the length in bytes
     * @param offset the file offset in bytes
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepSyncFileRange(int fd, int len, long offset, int flags) {
        return prepRw(Opcode.SYNC_FILE_RANGE, fd, 0, len, offset).opFlags(flags);
    }

    /**
     * {@code IORING_OP_FALLOCATE}: {@code fallocate(fd, mode, offset, len)}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param mode the mode bits
     * @param offset the file offset in bytes
     * @param len the length in bytes
     * @return this writer, for chaining
     */
    public Sqe prepFallocate(int fd, int mode, long offset, long len) {
        // The kernel takes the length in addr and the mode in len.
        return prepRw(Opcode.FALLOCATE, fd, len, mode, offset);
    }

    /**
     * {@code IORING_OP_FTRUNCATE} (6.9): {@code ftruncate(fd, length)}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param length the length in bytes
     * @return this writer, for chaining
     */
    public Sqe prepFtruncate(int fd, long length) {
        return prepRw(Opcode.FTRUNCATE, fd, 0, 0, length);
    }

    /**
     * {@code IORING_OP_FADVISE}: {@code posix_fadvise(fd, offset, len, advice)}.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param offset the file offset in bytes
     * @param len the length in bytes
     * @param advice the advice ({@code POSIX_FADV_*} or {@code MADV_*})
     * @return this writer, for chaining
     */
    public Sqe prepFadvise(int fd, long offset, int len, int advice) {
        return prepRw(Opcode.FADVISE, fd, 0, len, offset).opFlags(advice);
    }

    /**
     * {@code IORING_OP_MADVISE}: {@code madvise(addr, len, advice)}.
     *
     * @param addr the address of the memory the kernel reads or writes
     * @param len the length in bytes
     * @param advice the advice ({@code POSIX_FADV_*} or {@code MADV_*})
     * @return this writer, for chaining
     */
    public Sqe prepMadvise(long addr, int len, int advice) {
        return prepRw(Opcode.MADVISE, -1, addr, len, 0).opFlags(advice);
    }

    /**
     * {@code IORING_OP_OPENAT}: {@code openat(dirfd, path, flags, mode)}; {@code path} is a C string.
     *
     * @param dirfd the directory descriptor the path is relative to, or {@link Linux#AT_FDCWD}
     * @param path the path, as NUL-terminated native memory
     * @param flags the flag bits
     * @param mode the mode bits
     * @return this writer, for chaining
     */
    public Sqe prepOpenat(int dirfd, long path, int flags, int mode) {
        return prepRw(Opcode.OPENAT, dirfd, path, mode, 0).opFlags(flags);
    }

    /** {@code IORING_OP_OPENAT2} (Linux 5.6; opcode 28). */
    public static final int OPENAT2 = 28;
    /** Size of {@code struct open_how}: {@code u64 flags, u64 mode, u64 resolve}. */
    public static final int OPEN_HOW_BYTES = 24;

    /**
     * {@code IORING_OP_OPENAT2}: {@code openat2(dirfd, path, how, sizeof(how))}; {@code path} is a C string,
     * {@code how} the address of a 24-byte {@code struct open_how}. Both must stay valid until the CQE.
     *
     * @param dirfd the directory the path is resolved from
     * @param path the address of the NUL-terminated path
     * @param how the address of the {@code struct open_how}
     * @return this writer, for chaining
     */
    public Sqe prepOpenat2(int dirfd, long path, long how) {
        return prepRw(OPENAT2, dirfd, path, OPEN_HOW_BYTES, how);
    }

    /**
     * {@code IORING_OP_CLOSE} of a plain file descriptor.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @return this writer, for chaining
     */
    public Sqe prepClose(int fd) {
        return prepRw(Opcode.CLOSE, fd, 0, 0, 0);
    }

    /**
     * {@code IORING_OP_CLOSE} of a registered file slot (frees the slot).
     *
     * @param slot the slot index
     * @return this writer, for chaining
     */
    public Sqe prepCloseFixed(int slot) {
        return prepRw(Opcode.CLOSE, 0, 0, 0, 0).fileIndex(slot + 1);
    }

    /**
     * {@code IORING_OP_STATX}: {@code statx(dirfd, path, flags, mask, statxbuf)}.
     *
     * @param dirfd the directory descriptor the path is relative to, or {@link Linux#AT_FDCWD}
     * @param path the path, as NUL-terminated native memory
     * @param flags the flag bits
     * @param mask the mask bits
     * @param statxBuf the address of a {@code struct statx} to fill
     * @return this writer, for chaining
     */
    public Sqe prepStatx(int dirfd, long path, int flags, int mask, long statxBuf) {
        return prepRw(Opcode.STATX, dirfd, path, mask, statxBuf).opFlags(flags);
    }

    /**
     * {@code IORING_OP_UNLINKAT}: {@code unlinkat(dirfd, path, flags)}.
     *
     * @param dirfd the directory descriptor the path is relative to, or {@link Linux#AT_FDCWD}
     * @param path the path, as NUL-terminated native memory
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepUnlinkat(int dirfd, long path, int flags) {
        return prepRw(Opcode.UNLINKAT, dirfd, path, 0, 0).opFlags(flags);
    }

    /**
     * {@code IORING_OP_RENAMEAT}: {@code renameat2(olddirfd, oldpath, newdirfd, newpath, flags)}.
     *
     * @param oldDirfd the directory descriptor {@code oldPath} is relative to
     * @param oldPath the existing path, as NUL-terminated native memory
     * @param newDirfd the directory descriptor {@code newPath} is relative to
     * @param newPath the new path, as NUL-terminated native memory
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepRenameat(int oldDirfd, long oldPath, int newDirfd, long newPath, int flags) {
        return prepRw(Opcode.RENAMEAT, oldDirfd, oldPath, newDirfd, newPath).opFlags(flags);
    }

    /**
     * {@code IORING_OP_MKDIRAT}: {@code mkdirat(dirfd, path, mode)}.
     *
     * @param dirfd the directory descriptor the path is relative to, or {@link Linux#AT_FDCWD}
     * @param path the path, as NUL-terminated native memory
     * @param mode the mode bits
     * @return this writer, for chaining
     */
    public Sqe prepMkdirat(int dirfd, long path, int mode) {
        return prepRw(Opcode.MKDIRAT, dirfd, path, mode, 0);
    }

    /**
     * {@code IORING_OP_TIMEOUT}: completes with {@code -ETIME} when the {@code __kernel_timespec} at
     * {@code timespec} has passed, or with 0 after {@code count} other completions (0: time only).
     *
     * @param timespec the address of a {@code struct __kernel_timespec}
     * @param count the number of entries
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepTimeout(long timespec, int count, int flags) {
        return prepRw(Opcode.TIMEOUT, -1, timespec, 1, count).opFlags(flags);
    }

    /**
     * {@code IORING_OP_LINK_TIMEOUT}: bounds the previous, linked entry.
     *
     * @param timespec the address of a {@code struct __kernel_timespec}
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepLinkTimeout(long timespec, int flags) {
        return prepRw(Opcode.LINK_TIMEOUT, -1, timespec, 1, 0).opFlags(flags);
    }

    /**
     * {@code IORING_OP_ASYNC_CANCEL} of the request submitted with {@code targetUserData}.
     *
     * @param targetUserData the {@code user_data} to match
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepCancel(long targetUserData, int flags) {
        return prepRw(Opcode.ASYNC_CANCEL, -1, targetUserData, 0, 0).opFlags(flags);
    }

    /**
     * {@code IORING_OP_MSG_RING}: posts a CQE with {@code res} and {@code userData} to ring {@code ringFd}.
     *
     * @param ringFd the target ring's descriptor
     * @param res a CQE result: the value, or a negative errno
     * @param userData the {@code user_data} the CQE carries back
     * @param flags the flag bits
     * @return this writer, for chaining
     */
    public Sqe prepMsgRing(int ringFd, int res, long userData, int flags) {
        return prepRw(Opcode.MSG_RING, ringFd, Linux.IORING_MSG_DATA, res, userData).opFlags(flags);
    }

    /**
     * {@code IORING_OP_URING_CMD}: {@code cmdOp} for the driver behind {@code fd}; write the payload into
     * {@link #commandArea()}.
     *
     * @param cmdOp the {@code cmd_op} of the command (a 32-bit pattern)
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @return this writer, for chaining
     */
    public Sqe prepUringCmd(int cmdOp, int fd) {
        return prepRw(Opcode.URING_CMD, fd, 0, 0, 0).cmdOp(cmdOp);
    }

    /**
     * {@code sqe->uring_cmd_flags}: {@link Linux#IORING_URING_CMD_FIXED} says the command's data lies in the
     * registered buffer {@code sqe->buf_index} ({@link #bufIndex}); 6.1+. Kernels before 6.1 refuse any bit
     * here with {@code -EINVAL}, as every kernel refuses a bit it does not know.
     *
     * @param flags the {@code IORING_URING_CMD_*} bits
     * @return this writer, for chaining
     */
    public Sqe uringCmdFlags(int flags) {
        entry.set(JAVA_INT_UNALIGNED, URING_CMD_FLAGS, flags);
        return this;
    }

    /**
     * {@code IORING_OP_URING_CMD} whose data is in registered buffer {@code bufIndex}
     * ({@link Linux#IORING_URING_CMD_FIXED}, 6.1+): {@link #prepUringCmd} plus the flag and the index.
     *
     * @param cmdOp the {@code cmd_op} of the command (a 32-bit pattern)
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @param bufIndex the registered buffer the command's data address lies in
     * @return this writer, for chaining
     */
    public Sqe prepUringCmdFixed(int cmdOp, int fd, int bufIndex) {
        return prepUringCmd(cmdOp, fd).uringCmdFlags(Linux.IORING_URING_CMD_FIXED).bufIndex(bufIndex);
    }
}
