package io.i2o2.file;

/**
 * What one loop's file IO has done so far, read with {@link FileIo#metrics()}. The counters run from
 * the loop's start and are cheap enough to stay on: the loop's own are plain stores on its thread, and those
 * of submitting threads (refusals, wake-ups) are touched only off the fast path. A snapshot is not atomic
 * across fields; each field is exact while the loop runs.
 *
 * @param submitted       ops written into the ring (or handed to the portable engine's workers)
 * @param completed       ops that completed successfully
 * @param failed          ops that failed (a negative result other than {@code ECANCELED}, or an error)
 * @param cancelled       ops that ended with {@code ECANCELED}: dropped by {@code cancel()} before the ring,
 *                        cancelled by the kernel, or refused by a shutdown after they were accepted
 * @param refusedOverload submissions refused because the loop held {@code maxInFlight} ops
 * @param refusedShutdown submissions refused because the loop was shutting down or the file was closed
 * @param inFlight        ops in the ring now, waiting for their CQE
 * @param queued          ops handed over by other threads and not yet in the ring, now
 * @param cqOverflows     CQEs the kernel had to hold back because the CQ was full (the ring's own counter;
 *                        0 on Netty's ring, whose counter is not public)
 * @param wakeupsSent     wake-ups other threads sent to the sleeping loop
 * @param engine          which engine runs the loop's file IO
 * @param workerThreads   the portable engine's worker threads alive now (each runs one blocking system call at a
 *                        time); 0 on a ring, where the kernel runs the ops
 */
public record IoUringLoopMetrics(long submitted, long completed, long failed, long cancelled, long refusedOverload,
                                 long refusedShutdown, int inFlight, int queued, long cqOverflows,
                                 long wakeupsSent, IoEngine engine, int workerThreads) {
}
