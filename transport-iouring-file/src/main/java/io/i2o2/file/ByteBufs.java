package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * What the kernel needs to know about a {@link ByteBuf}, and the checks that keep it from ever seeing one
 * it must not touch. Every check returns the exception to fail with, or null, so the success path
 * allocates nothing.
 */
final class ByteBufs {
    private ByteBufs() {
    }

    /** The native address of byte {@code index} of a direct buffer with a single memory region. */
    static long address(ByteBuf buf, int index) {
        if (buf.hasMemoryAddress()) {
            return buf.memoryAddress() + index;
        }
        ByteBuffer nio = buf.internalNioBuffer(index, 0);
        return MemorySegment.ofBuffer(nio).address();
    }

    /** Why {@code buf} cannot receive a read into its writable bytes, or null. */
    static RuntimeException checkReadInto(ByteBuf buf) {
        RuntimeException e = checkUsable(buf);
        if (e != null) {
            return e;
        }
        if (buf.isReadOnly()) {
            return new IllegalArgumentException("cannot read into a read-only buffer: " + buf);
        }
        if (buf.writableBytes() == 0) {
            return new IllegalArgumentException("buffer has no writable bytes: " + buf);
        }
        return null;
    }

    /** Why {@code buf}'s readable bytes cannot be written out, or null. */
    static RuntimeException checkWriteFrom(ByteBuf buf) {
        RuntimeException e = checkUsable(buf);
        if (e != null) {
            return e;
        }
        if (buf.readableBytes() == 0) {
            return new IllegalArgumentException("buffer has no readable bytes: " + buf);
        }
        return null;
    }

    private static RuntimeException checkUsable(ByteBuf buf) {
        if (buf.refCnt() == 0) {
            return new IllegalReferenceCountException("buffer already released: " + buf);
        }
        if (!buf.isDirect()) {
            return new IllegalArgumentException("heap buffer: the kernel needs native memory, allocate with "
                    + "ByteBufAllocator.directBuffer(): " + buf);
        }
        return null;
    }

    /** Why an O_DIRECT transfer of {@code length} bytes at {@code address}/{@code offset} is misaligned, or null. */
    static RuntimeException checkDirectAlignment(IoUringFile file, long address, long length, long offset) {
        int mem = file.directMemoryAlignment();
        int off = file.directIoAlignment();
        if (address % mem != 0) {
            return new IllegalArgumentException("O_DIRECT buffer address 0x" + Long.toHexString(address)
                    + " is not aligned to " + mem + " bytes (" + file + ")");
        }
        if (offset % off != 0 || length % off != 0) {
            return new IllegalArgumentException("O_DIRECT offset " + offset + " and length " + length
                    + " must be multiples of " + off + " (" + file + ")");
        }
        return null;
    }

    static RuntimeException checkOffset(long offset) {
        return offset < 0 ? new IllegalArgumentException("offset must be >= 0: " + offset) : null;
    }
}
