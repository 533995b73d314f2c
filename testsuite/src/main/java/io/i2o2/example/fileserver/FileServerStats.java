package io.i2o2.example.fileserver;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of a {@link FileServer}: connections, the bytes of file chunks it holds in memory (read
 * or being read into a buffer, not yet written to a socket), which the streaming keeps bounded, and how
 * often a request's file operations crossed between the handler's loop and a file loop. Thread-safe.
 */
public final class FileServerStats {
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong peakOpen = new AtomicLong();
    private final AtomicLong chunkBytes = new AtomicLong();
    private final AtomicLong peakChunkBytes = new AtomicLong();
    private final LongAdder handOvers = new LongAdder();
    private final LongAdder handBacks = new LongAdder();

    void connectionOpened() {
        accepted.incrementAndGet();
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    void chunkAllocated(int bytes) {
        peakChunkBytes.accumulateAndGet(chunkBytes.addAndGet(bytes), Math::max);
    }

    void chunkGone(int bytes) {
        chunkBytes.addAndGet(-bytes);
    }

    void handedOver() {
        handOvers.increment();
    }

    void handedBack() {
        handBacks.increment();
    }

    /**
     * Hand-overs of file work to another loop since the start: a request's chained operations sent to a
     * file loop, or one operation submitted from a thread that does not own its ring. The chunk reads of a
     * streamed body ({@code IoUringChunkedFile}) are not counted: each is one hand-over and one completion
     * back by design, as {@code ChunkedWriteHandler} writes on the channel's loop.
     */
    public long fileHandOvers() {
        return handOvers.sum();
    }

    /** Completions of file work that came back to the loop that handed it over, since the start. */
    public long fileHandBacks() {
        return handBacks.sum();
    }

    /** Connections accepted since the start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections open now. */
    public long openConnections() {
        return open.get();
    }

    /** The most connections that were open at once (since the start or {@link #resetPeaks()}). */
    public long peakOpenConnections() {
        return peakOpen.get();
    }

    /** Bytes of file chunks allocated and not yet written out or released, now. */
    public long outstandingChunkBytes() {
        return chunkBytes.get();
    }

    /** The most {@link #outstandingChunkBytes()} seen (since the start or {@link #resetPeaks()}). */
    public long peakOutstandingChunkBytes() {
        return peakChunkBytes.get();
    }

    /** Starts the peaks again from the current values. */
    public void resetPeaks() {
        peakOpen.set(open.get());
        peakChunkBytes.set(chunkBytes.get());
    }

    @Override
    public String toString() {
        return "FileServerStats[accepted=" + accepted + ", open=" + open + ", peakOpen=" + peakOpen
                + ", chunkBytes=" + chunkBytes + ", peakChunkBytes=" + peakChunkBytes + ", fileHandOvers=" + handOvers
                + ", fileHandBacks=" + handBacks + "]";
    }
}
