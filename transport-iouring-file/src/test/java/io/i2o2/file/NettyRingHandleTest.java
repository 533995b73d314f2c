package io.i2o2.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.i2o2.uring.Sqe;
import io.netty.channel.uring.IoUringIoOps;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The read/write fast path on Netty's loop builds exactly the entry the encoder writes. */
class NettyRingHandleTest {

    private static OpSlot slot(OpKind kind) {
        OpSlot op = new OpSlot(1234, Arena.ofAuto().allocate(OpTable.SCRATCH_BYTES));
        op.kind = kind;
        op.fd = 17;
        op.addr = 0x7f00_1234_5000L;
        op.len = 4096;
        op.offset = 1L << 33;
        return op;
    }

    /** What the general path hands Netty: the kind's encoding into a scratch entry, read back. */
    private static String encoded(OpSlot op) {
        Sqe sqe = Sqe.detached(Arena.ofAuto().allocate(64, 64));
        op.kind.encode(sqe, op);
        return sqe.readBack((opcode, flags, ioprio, fd, off, addr, len, opFlags, bufIndex, personality, fileIndex,
                addr3) -> new IoUringIoOps(opcode, flags, ioprio, fd, off, addr, len, opFlags, (short) op.index,
                bufIndex, personality, fileIndex, addr3)).toString();
    }

    @Test
    void readsAndWritesAreTheEncodedEntryFieldForField() {
        for (OpKind kind : new OpKind[] {OpKind.READ, OpKind.WRITE}) {
            OpSlot op = slot(kind);
            assertEquals(encoded(op), NettyRingHandle.readOrWrite(op).toString(), kind.name());
        }
    }

    @Test
    void everythingElseTakesTheGeneralPath() {
        assertNull(NettyRingHandle.readOrWrite(slot(OpKind.NOP)));
        assertNull(NettyRingHandle.readOrWrite(slot(OpKind.READV)));
        OpSlot linked = slot(OpKind.READ);
        linked.sqeFlags = 4;
        assertNull(NettyRingHandle.readOrWrite(linked), "an op with SQE flags of its own (a link) is not the plain pair");
    }
}
