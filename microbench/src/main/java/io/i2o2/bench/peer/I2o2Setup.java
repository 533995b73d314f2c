package io.i2o2.bench.peer;

import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.file.IoUringConfig;

/**
 * How the i2o2 backend sizes its one loop for a trial: the ring and the loop's in-flight bound must hold
 * every op the trial keeps in flight at once, or the trial would measure overload errors and SQ-full
 * submits instead of the op path.
 */
final class I2o2Setup {
    /** Smallest SQ asked for (the library's default ring size). */
    static final int MIN_RING = 256;
    /** The kernel's (and the library's) largest SQ. */
    static final int MAX_RING = 32768;
    /** In-flight room beyond the trial's ops: the open, a seqwrite's fdatasync, the close. */
    static final int SLACK = 8;
    /** The most worker threads a portable loop may have ({@code IoUringConfig.Builder.portableWorkers}). */
    static final int MAX_PORTABLE_WORKERS = 4096;

    private I2o2Setup() {
    }

    /**
     * The most ops the trial has in flight at once: the QD on the loop's own thread, every producer's
     * window for NOPs handed over from producer threads, or every querying thread's whole query.
     *
     * @param t the trial
     * @return ops in flight
     */
    static int inFlight(Trial t) {
        if (t.workload().query()) {
            return t.threads() * t.qd();
        }
        return t.crossThread() ? t.threads() * t.perProducerWindow() : Math.max(1, t.qd());
    }

    /**
     * SQ entries: a power of two that holds every op in flight plus the slack, at least {@link #MIN_RING}.
     *
     * @param t the trial
     * @return the ring size
     */
    static int ringEntries(Trial t) {
        int need = inFlight(t) + SLACK;
        int pow2 = need <= MIN_RING ? MIN_RING : Integer.highestOneBit(need - 1) << 1;
        return Math.min(MAX_RING, pow2);
    }

    /**
     * The loop's configuration: the ring sized by {@link #ringEntries}, the in-flight bound at the trial's
     * ops plus the slack, and for a registered trial one registered buffer of the block size per op in
     * flight and one registered-file slot.
     *
     * @param t the trial
     * @return the configuration
     */
    static IoUringConfig config(Trial t) {
        return builder(t).build();
    }

    private static IoUringConfig.Builder builder(Trial t) {
        IoUringConfig.Builder b = IoUringConfig.builder()
                .ringEntries(ringEntries(t))
                .maxInFlight(inFlight(t) + SLACK);
        if (t.registered()) {
            b.fixedBuffers(t.qd(), t.workload().blockSize()).fixedFileSlots(1);
        }
        return b;
    }

    /**
     * A portable loop's configuration: {@link #config} (its bound on ops; registered buffers and the file
     * slot, which the portable engine emulates) with one worker thread per op in flight, so that N ops in
     * flight are N blocking system calls at once, as N FileChannel threads are.
     *
     * @param t the trial
     * @return the configuration
     */
    static IoUringConfig portableConfig(Trial t) {
        return builder(t).portableWorkers(Math.min(MAX_PORTABLE_WORKERS, inFlight(t))).build();
    }

    /**
     * Whether the trial runs on the loop's own thread with the callback API (everything but cross-thread
     * NOPs and the plain-thread latency variant).
     *
     * @param t the trial
     * @return true for a loop-thread trial
     */
    static boolean onLoopThread(Trial t) {
        return t.threads() == 0;
    }

    /**
     * Whether the trial is the latency workload measured from a plain thread through the Future API.
     *
     * @param t the trial
     * @return true for that variant
     */
    static boolean futureLatency(Trial t) {
        return t.workload() == Workload.LATENCY && t.threads() > 0;
    }
}
