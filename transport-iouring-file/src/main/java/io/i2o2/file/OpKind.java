package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.i2o2.uring.NvmeUringCmd;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.Statx;
import io.netty.buffer.ByteBuf;

/**
 * Every operation the loop runs, each knowing how to write its SQE from an {@link OpSlot} (one small method
 * per opcode, through the ring's typed writer) and what its result means.
 *
 * <p>Field use is local to each kind and documented at its {@code encode}: for example a read keeps the
 * buffer address in {@code addr}, a rename the new path in {@code addr2}.
 */
enum OpKind {
    NOP("nop", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepNop();
        }
    },
    READ("read", Result.INT, true, Moves.INTO_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepRead(op.fd, op.addr, op.len, op.offset);
        }

    },
    WRITE("write", Result.INT, true, Moves.OUT_OF_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepWrite(op.fd, op.addr, op.len, op.offset);
        }

    },
    READ_FIXED("read_fixed", Result.INT, true, Moves.INTO_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepReadFixed(op.fd, op.addr, op.len, op.offset, op.bufIndex);
        }

    },
    WRITE_FIXED("write_fixed", Result.INT, true, Moves.OUT_OF_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepWriteFixed(op.fd, op.addr, op.len, op.offset, op.bufIndex);
        }

    },
    /**
     * {@code addr}: iovec array, {@code len}: iovec count; the buffers: {@code buf} when one (a composite),
     * else {@code bufs}.
     */
    READV("readv", Result.INT, true, Moves.INTO_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepReadv(op.fd, op.addr, op.len, op.offset);
        }

    },
    WRITEV("writev", Result.INT, true, Moves.OUT_OF_BUFFERS) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepWritev(op.fd, op.addr, op.len, op.offset);
        }

    },
    FSYNC("fsync", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepFsync(op.fd, false);
        }
    },
    FDATASYNC("fdatasync", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepFsync(op.fd, true);
        }
    },
    /** {@code arg}: flags. */
    SYNC_FILE_RANGE("sync_file_range", Result.INT, true, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepSyncFileRange(op.fd, op.len, op.offset, op.syncFlags());
        }
    },
    /** {@code arg}: mode, {@code addr2}: length. */
    FALLOCATE("fallocate", Result.INT, true, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepFallocate(op.fd, op.fallocateMode(), op.offset, op.fallocateLength());
        }
    },
    /** {@code offset}: the new length. */
    FTRUNCATE("ftruncate", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepFtruncate(op.fd, op.offset);
        }
    },
    /** {@code arg}: advice. */
    FADVISE("fadvise", Result.INT, true, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepFadvise(op.fd, op.offset, op.len, op.advice());
        }
    },
    /** {@code addr}, {@code len}: the range, {@code arg}: advice. */
    MADVISE("madvise", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepMadvise(op.addr, op.len, op.advice());
        }
    },
    /** {@code addr}: path, {@code arg}: flags, {@code arg2}: mode; result: an {@link IoUringFile}. */
    OPENAT("openat", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepOpenat(Linux.AT_FDCWD, op.addr, op.openFlags(), op.openMode());
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return core.adoptOpened(res, op.openFlags(), false, op.opening);
        }
    },
    /** {@link #OPENAT}, then the new file goes into one of the loop's registered-file slots. */
    OPENAT_REGISTERED("openat", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepOpenat(Linux.AT_FDCWD, op.addr, op.openFlags(), op.openMode());
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return core.adoptOpened(res, op.openFlags(), true, op.opening);
        }
    },
    /**
     * {@code fd}: the directory's descriptor (never a registered slot: openat2 takes none), {@code addr}: the
     * relative path, the {@code open_how} in the scratch, {@code arg}: the flags again; result: an
     * {@link IoUringFile}.
     */
    OPENAT2("openat2", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepOpenat2(op.fd, op.addr, op.scratch.address());
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return core.adoptOpened(res, op.openFlags(), false, op.opening);
        }
    },
    /** {@link #OPENAT2}, then the new file goes into one of the loop's registered-file slots. */
    OPENAT2_REGISTERED("openat2", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepOpenat2(op.fd, op.addr, op.scratch.address());
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return core.adoptOpened(res, op.openFlags(), true, op.opening);
        }
    },
    CLOSE("close", Result.VOID, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepClose(op.fd);
        }
    },
    /** {@code fd}/{@code addr}: file or path, {@code arg}: flags; result: a {@link FileStat} from the scratch. */
    STATX("statx", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepStatx(op.fd, op.addr, op.pathFlags(), Statx.MASK_ALL, op.scratch.address());
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return FileStat.of(Statx.read(op.scratch));
        }
    },
    /** {@code addr}: path, {@code arg}: flags. */
    UNLINKAT("unlinkat", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepUnlinkat(Linux.AT_FDCWD, op.addr, op.pathFlags());
        }
    },
    /** {@code addr}: old path, {@code addr2}: new path, {@code arg}: flags. */
    RENAMEAT("renameat", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepRenameat(Linux.AT_FDCWD, op.addr, Linux.AT_FDCWD, op.newPath(), op.pathFlags());
        }
    },
    /** {@code addr}: path, {@code arg}: mode. */
    MKDIRAT("mkdirat", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepMkdirat(Linux.AT_FDCWD, op.addr, op.mkdirMode());
        }
    },
    /** A timer: the timespec is in the scratch; expiry ({@code -ETIME}) is success. */
    TIMEOUT("timeout", Result.VOID, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepTimeout(op.scratch.address(), 0, 0);
        }

        @Override
        boolean succeeded(int res) {
            return res >= 0 || res == -Errno.ETIME;
        }
    },
    /** Bounds the previous link of a chain: the timespec is in the scratch; expiry cancels that link. */
    LINK_TIMEOUT("link_timeout", Result.VOID, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            sqe.prepLinkTimeout(op.scratch.address(), 0);
        }

        @Override
        boolean succeeded(int res) {
            // -ECANCELED: the linked op finished first; -ETIME: it fired. Both are the timer doing its job.
            return res >= 0 || res == -Errno.ETIME || res == -Errno.ECANCELED || res == -Errno.EALREADY;
        }
    },
    /**
     * {@code cmdOp}: the command; its 80-byte image waits in the scratch (a vectored command's iovec array after
     * it, or in {@code memory}); {@code cmdFlags} non-zero: the data is in registered buffer {@code bufIndex};
     * result: a {@link UringCmdResult}.
     */
    URING_CMD("uring_cmd", Result.VALUE, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            if (op.cmdFlags != 0) {
                sqe.prepUringCmd(op.cmdOp, op.fd).uringCmdFlags(op.cmdFlags).bufIndex(op.bufIndex);
            } else {
                sqe.prepUringCmd(op.cmdOp, op.fd);
            }
            sqe.commandArea().copyFrom(op.scratch.asSlice(0, sqe.commandArea().byteSize()));
        }

        @Override
        Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
            return new UringCmdResult(res, x0, x1);
        }
    },
    /** An entry written by the user's {@link SqeFiller} ({@code filler}); {@code guard}/{@code closeable} hold the guard. */
    RAW("raw", Result.INT, false, Moves.NOTHING) {
        @Override
        void encode(Sqe sqe, OpSlot op) {
            op.filler.fill(sqe);
        }
    };

    /** What a promise for this op completes with. */
    enum Result {
        /** The {@code int} result itself ({@code Future<Integer>}). */
        INT {
            @Override
            Object of(int res, Object value) {
                return res;
            }
        },
        /** Nothing ({@code Future<Void>}). */
        VOID {
            @Override
            Object of(int res, Object value) {
                return null;
            }
        },
        /** The object {@link #onSuccess} returns. */
        VALUE {
            @Override
            Object of(int res, Object value) {
                return value;
            }
        };

        /** What a promise of this result completes with, given the op's {@code res} and {@link #onSuccess}'s value. */
        abstract Object of(int res, Object value);
    }

    /** Which JFR event ({@link FileEvents}) an op of this kind records. */
    enum Events {
        NONE, READ, WRITE, SYNC
    }

    /** What a successful op does to its buffers' indexes. */
    enum Moves {
        /** It has no buffers, or leaves them alone. */
        NOTHING,
        /** A read: writer indexes advance by the bytes read. */
        INTO_BUFFERS,
        /** A write: reader indexes advance by the bytes written. */
        OUT_OF_BUFFERS
    }

    private final String opName;
    private final Result result;
    private final boolean hasOffset;
    private final Moves moves;

    OpKind(String opName, Result result, boolean hasOffset, Moves moves) {
        this.opName = opName;
        this.result = result;
        this.hasOffset = hasOffset;
        this.moves = moves;
    }

    /**
     * Whether {@code op} may go to the polled ring of an IOPOLL loop: O_DIRECT reads and writes, and NVMe
     * I/O passthrough commands. Everything else (opens, stats, syncs, timers, admin commands) the kernel
     * refuses on a polled ring.
     */
    boolean pollable(OpSlot op) {
        return switch (this) {
            case READ, WRITE, READ_FIXED, WRITE_FIXED, READV, WRITEV -> op.file != null && op.file.isDirect();
            case URING_CMD -> op.cmdOp == NvmeUringCmd.CMD_IO || op.cmdOp == NvmeUringCmd.CMD_IO_VEC;
            default -> false;
        };
    }

    /** Which JFR event an op of this kind records: reads and writes by what they move, syncs by name. */
    Events events() {
        if (moves == Moves.INTO_BUFFERS) {
            return Events.READ;
        }
        if (moves == Moves.OUT_OF_BUFFERS) {
            return Events.WRITE;
        }
        return this == FSYNC || this == FDATASYNC || this == SYNC_FILE_RANGE ? Events.SYNC : Events.NONE;
    }

    /** What a promise for this op completes with. */
    Result result() {
        return result;
    }

    /** Whether {@code OpSlot.memory} holds a path (for error messages). */
    boolean takesPath() {
        return this == OPENAT || this == OPENAT_REGISTERED || this == OPENAT2 || this == OPENAT2_REGISTERED
                || this == STATX || this == UNLINKAT || this == RENAMEAT || this == MKDIRAT;
    }

    /** Whether {@code OpSlot.offset} is a file offset worth reporting in errors. */
    boolean hasOffset() {
        return hasOffset;
    }

    /** The name used in errors, e.g. {@code "read"}. */
    String opName() {
        return opName;
    }

    /**
     * Moves the op's buffers past the {@code res} bytes transferred: writer indexes for reads, reader indexes
     * for writes, filling (or draining) the buffers of a vectored op in order.
     */
    static void advance(OpSlot op, int res, boolean read) {
        if (op.bufs != null) {
            int left = res;
            for (ByteBuf b : op.bufs) {
                left -= move(b, left, read);
            }
        } else {
            move(op.buf, res, read);
        }
    }

    private static int move(ByteBuf b, int max, boolean read) {
        int n = Math.min(max, read ? b.writableBytes() : b.readableBytes());
        if (read) {
            b.writerIndex(b.writerIndex() + n);
        } else {
            b.readerIndex(b.readerIndex() + n);
        }
        return n;
    }

    /** Writes this op's fields into a zeroed SQE; the loop adds flags and {@code user_data}. */
    abstract void encode(Sqe sqe, OpSlot op);

    /** Whether {@code res} means success for this op. */
    boolean succeeded(int res) {
        return res >= 0;
    }

    /**
     * Applies a successful result (advances buffer indexes) and returns the value of a non-{@code int}
     * result (a file, a stat), or null when the value is {@code res} itself. Runs on the loop thread.
     */
    Object onSuccess(FileIoCore core, OpSlot op, int res, long x0, long x1) {
        if (moves != Moves.NOTHING) {
            advance(op, res, moves == Moves.INTO_BUFFERS);
        }
        return null;
    }
}
