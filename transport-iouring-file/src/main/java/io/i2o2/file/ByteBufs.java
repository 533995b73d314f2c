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

    /**
     * Takes the op's reference to {@code buf}, or says why not: it was released, perhaps by another thread just
     * now. Retaining first makes "is it still alive" and "keep it alive" one atomic step ({@code retain()} throws
     * once the count is 0), so no check can pass on a buffer that is freed before the kernel sees it; every
     * later refusal gives this reference back.
     *
     * @return null when retained, else the refusal (nothing retained)
     */
    static RuntimeException retain(ByteBuf buf) {
        try {
            buf.retain();
            return null;
        } catch (IllegalReferenceCountException e) {
            return new IllegalReferenceCountException("buffer already released: " + buf);
        }
    }

    /** {@link #retain} for every buffer, or for none (those retained before a released one are given back). */
    static RuntimeException retainAll(ByteBuf[] bufs) {
        for (int i = 0; i < bufs.length; i++) {
            RuntimeException released = retain(bufs[i]);
            if (released != null) {
                for (int j = 0; j < i; j++) {
                    bufs[j].release();
                }
                return released;
            }
        }
        return null;
    }

    /** Gives back what {@link #retain} or {@link #retainAll} took: {@code buf} and every one of {@code bufs}, each may be null. */
    static void release(ByteBuf buf, ByteBuf[] bufs) {
        if (buf != null) {
            buf.release();
        }
        if (bufs != null) {
            for (ByteBuf b : bufs) {
                b.release();
            }
        }
    }

    /** Why a buffer retained for the op ({@link #retain}) cannot receive a read into its writable bytes, or null. */
    static RuntimeException checkReadInto(ByteBuf buf) {
        RuntimeException e = checkDirect(buf);
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

    /** Why the readable bytes of a buffer retained for the op ({@link #retain}) cannot be written out, or null. */
    static RuntimeException checkWriteFrom(ByteBuf buf) {
        RuntimeException e = checkDirect(buf);
        if (e != null) {
            return e;
        }
        if (buf.readableBytes() == 0) {
            return new IllegalArgumentException("buffer has no readable bytes: " + buf);
        }
        return null;
    }

    private static RuntimeException checkDirect(ByteBuf buf) {
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
