package io.i2o2.file;

import io.i2o2.uring.Iovec;
import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * What the kernel needs to know about a {@link ByteBuf} (its address, the memory regions of an op's bytes),
 * the op's reference to it, and the checks that keep the kernel from ever seeing one it must not touch. Every
 * check returns the exception to fail with, or null, so the success path allocates nothing.
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

    /**
     * Why a buffer retained for the op ({@link #retain}) cannot take part in a transfer, or null: a read into its
     * writable bytes ({@code into}) or a write of its readable bytes. Heap memory, a read-only buffer to read
     * into and no bytes to move are refused.
     */
    static RuntimeException checkTransfer(ByteBuf buf, boolean into) {
        if (!buf.isDirect()) {
            return new IllegalArgumentException("heap buffer: the kernel needs native memory, allocate with "
                    + "ByteBufAllocator.directBuffer(): " + buf);
        }
        if (into && buf.isReadOnly()) {
            return new IllegalArgumentException("cannot read into a read-only buffer: " + buf);
        }
        if (length(buf, into) == 0) {
            return new IllegalArgumentException(into ? "buffer has no writable bytes: " + buf
                    : "buffer has no readable bytes: " + buf);
        }
        return null;
    }

    /**
     * {@link #checkTransfer(ByteBuf, boolean)} for a buffer of one memory region moving its bytes at file
     * {@code offset} of {@code file}, in one pass: the buffer, the offset, and O_DIRECT's alignment of the
     * buffer's address, offset and length.
     */
    static RuntimeException checkTransfer(ByteBuf buf, boolean into, long offset, OpenFile file) {
        RuntimeException bad = checkTransfer(buf, into);
        if (bad == null) {
            bad = checkOffset(offset);
        }
        if (bad == null && file.isDirect()) {
            bad = checkDirectAlignment(file, address(buf, start(buf, into)), length(buf, into), offset);
        }
        return bad;
    }

    /** Why an O_DIRECT transfer of {@code length} bytes at {@code address}/{@code offset} is misaligned, or null. */
    static RuntimeException checkDirectAlignment(OpenFile file, long address, long length, long offset) {
        int mem = file.memoryAlignment();
        int off = file.offsetAlignment();
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

    // ---- the memory regions of an op's bytes ----

    /** The most iovecs one op takes ({@code UIO_MAXIOV}). */
    static final int MAX_IOVECS = 1024;

    /** Where the op's bytes of {@code buf} start: its writer index for a read into it, else its reader index. */
    static int start(ByteBuf buf, boolean into) {
        return into ? buf.writerIndex() : buf.readerIndex();
    }

    /** How many of {@code buf}'s bytes the op uses: its writable bytes for a read into it, else its readable ones. */
    static int length(ByteBuf buf, boolean into) {
        return into ? buf.writableBytes() : buf.readableBytes();
    }

    /** Why one of the buffers of a vectored op, each retained for it, cannot take part in it, or null. */
    static RuntimeException checkTransfers(ByteBuf[] bufs, boolean into) {
        for (ByteBuf b : bufs) {
            RuntimeException bad = checkTransfer(b, into);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    /**
     * Why the op cannot take iovecs over the regions of its bytes ({@link #split}), or null: more than
     * {@link #MAX_IOVECS} of them, or (with {@code alignedFor}, an O_DIRECT file) one misaligned. Looks up every
     * address, so that none throws after the claim.
     */
    static RuntimeException checkRegions(ByteBuf[] bufs, ByteBuffer[][] split, boolean into, long offset,
                                         OpenFile alignedFor) {
        int regions = regionCount(bufs, split);
        return regions > MAX_IOVECS ? new IllegalArgumentException("the op's bytes lie in " + regions
                + " memory regions, more than the kernel takes in one op (" + MAX_IOVECS + ", UIO_MAXIOV); use fewer"
                + " or larger buffers, or consolidate the CompositeByteBuf")
                : iovecs(bufs, split, into, offset, alignedFor, null);
    }

    /**
     * The memory regions of the bytes the op uses, for each buffer that has several (a {@code CompositeByteBuf}:
     * only the components those bytes cover); null where a buffer is one region, and null throughout when all are.
     */
    static ByteBuffer[][] split(ByteBuf[] bufs, boolean into) {
        ByteBuffer[][] split = null;
        for (int i = 0; i < bufs.length; i++) {
            ByteBuf b = bufs[i];
            if (b.nioBufferCount() != 1) {
                if (split == null) {
                    split = new ByteBuffer[bufs.length][];
                }
                split[i] = b.nioBuffers(start(b, into), length(b, into));
            }
        }
        return split;
    }

    /** The iovecs the op needs: one per region of {@link #split}, one per unsplit buffer. */
    static int regionCount(ByteBuf[] bufs, ByteBuffer[][] split) {
        int regions = 0;
        for (int i = 0; i < bufs.length; i++) {
            regions += split == null || split[i] == null ? 1 : split[i].length;
        }
        return regions;
    }

    /**
     * Walks the regions of the bytes the op uses, in order (from file {@code offset} on): writes one iovec each
     * into {@code array} when it is not null, and with {@code alignedFor} (an O_DIRECT file) checks each against
     * its rules.
     *
     * @return why a region is misaligned, or null
     */
    static RuntimeException iovecs(ByteBuf[] bufs, ByteBuffer[][] split, boolean into, long offset,
                                   OpenFile alignedFor, MemorySegment array) {
        int n = 0;
        long at = offset;
        for (int i = 0; i < bufs.length; i++) {
            ByteBuf b = bufs[i];
            ByteBuffer[] regions = split == null ? null : split[i];
            int count = regions == null ? 1 : regions.length;
            for (int j = 0; j < count; j++) {
                long address = regions == null ? address(b, start(b, into))
                        : MemorySegment.ofBuffer(regions[j]).address();
                int length = regions == null ? length(b, into) : regions[j].remaining();
                RuntimeException misaligned = alignedFor != null
                        ? checkDirectAlignment(alignedFor, address, length, at) : null;
                if (misaligned != null) {
                    return misaligned;
                }
                if (array != null) {
                    Iovec.set(array, n++, address, length);
                }
                at += length;
            }
        }
        return null;
    }
}
