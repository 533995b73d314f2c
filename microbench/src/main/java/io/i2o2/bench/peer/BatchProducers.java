package io.i2o2.bench.peer;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Threads that hand their reads to one loop as {@code BatchedOps} batches, through the callback form
 * ({@link BatchReads}): each fills its batches, then waits for the oldest batch's future (spin, then park:
 * {@link Producers#await}), checks its reads and submits the next batch in its place, until the deadline.
 *
 * <ul>
 *   <li><b>randread-xt as batches</b> ({@code i2o2-batch}, {@code portable-batch}): each producer keeps its share
 *       of the QD in flight as whole batches of the trial's batch size ({@code --batch}, at most the share). It
 *       measures the hand-over of many reads at once (one hand-over and one wake-up per batch instead of per
 *       read) against the same reads handed over one by one ({@code i2o2-callback}) and submitted on the loop's
 *       own thread ({@code randread}). At 32 in flight in batches of 32 there is one batch in flight: the
 *       producer waits for a batch to end before it submits the next, so the ring idles while the producer
 *       wakes and builds the next; at 64 in flight two batches take turns. One op is one read; every read of a
 *       batch is given the batch's latency, from just before its first read was added to when the producer saw
 *       the batch end.</li>
 *   <li><b>query</b>, <b>query-direct</b> ({@code i2o2}, {@code portable}): each querying thread runs queries
 *       back to back, a query being the trial's {@code qd} reads as one batch and the thread waiting for the
 *       batch's future. One op is one query, its latency from just before its first read was added to when the
 *       thread saw the batch end ({@link Queries}).</li>
 * </ul>
 */
final class BatchProducers {
    private BatchProducers() {
    }

    /**
     * How a thread's reads are cut into batches.
     *
     * @param batches batches in flight at once
     * @param size    reads per batch
     */
    record Shape(int batches, int size) {
        /**
         * The trial's shape: batches of the trial's batch size (at most the producer's share of the QD), as many
         * as fit in the share; for a query, the query's reads as one batch.
         *
         * @param t the trial
         * @return the shape
         */
        static Shape of(Trial t) {
            if (t.workload().query()) {
                return new Shape(1, t.qd());    // a query's reads are one batch; the next query waits for it
            }
            int window = t.perProducerWindow();
            int size = t.batch() > 0 ? Math.min(t.batch(), window) : window;
            return new Shape(Math.max(1, window / size), size);
        }

        /** Reads in flight at once: a buffer each. */
        int reads() {
            return batches * size;
        }
    }

    /**
     * Runs the trial's producers on one loop.
     *
     * @param loop    the loop the file belongs to
     * @param file    the data file
     * @param trial   producers, kind, QD and batch size; or querying threads, kind and reads per query
     * @param env     the duration and file size
     * @param buffers makes {@code n} buffers of the block size, suitably aligned for the file, released by the
     *                caller after the trial
     * @return the measurement: every read, with its batch's latency; or every query
     * @throws Exception if a read or a batch failed
     */
    static Measurement run(FileIo loop, IoUringFile file, Trial trial, BenchEnv env, IntFunction<List<ByteBuf>> buffers)
            throws Exception {
        Shape shape = Shape.of(trial);
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        boolean queries = trial.workload().query();
        int opsPerBatch = queries ? 1 : shape.size();
        Measurement m = Producers.runBodies(trial.threads(), trial.kind(), env.durationNanos(), p -> {
            BatchReads reads = new BatchReads(loop.batch(), file, buffers.apply(shape.reads()), shape.size(), bs, blocks);
            return (hist, deadline) -> windowed(reads, opsPerBatch, hist, deadline);
        });
        return queries ? Queries.measured(m, trial.qd()) : m;
    }

    /**
     * Runs the query trial with each query split over several loops: a querying thread's reads go out as one
     * batch per loop ({@code files.get(i)} is the data file on loop {@code i}, its reads an equal share of the
     * query), and the query ends when every loop's batch has. What a user does to put a query on more than the
     * one core a loop is: {@code GroupFile.fileOn(loop)} and one {@code FileIo.batch()} per loop.
     *
     * @param files   the data file on each loop
     * @param trial   querying threads, kind and reads per query (a multiple of the loop count)
     * @param env     the duration and file size
     * @param buffers as for {@link #run}
     * @return the measurement: every query
     * @throws Exception if a read or a batch failed
     */
    static Measurement runSplit(List<IoUringFile> files, Trial trial, BenchEnv env, IntFunction<List<ByteBuf>> buffers)
            throws Exception {
        int loops = files.size();
        if (trial.qd() % loops != 0) {
            throw new IllegalArgumentException("a query of " + trial.qd() + " reads does not split over " + loops
                    + " loops");
        }
        int share = trial.qd() / loops;
        int bs = trial.workload().blockSize();
        long blocks = env.blocks(bs);
        Measurement m = Producers.runBodies(trial.threads(), trial.kind(), env.durationNanos(), p -> {
            BatchReads[] parts = new BatchReads[loops];
            for (int i = 0; i < loops; i++) {
                IoUringFile file = files.get(i);
                parts[i] = new BatchReads(file.io().batch(), file, buffers.apply(share), share, bs, blocks);
            }
            return (hist, deadline) -> splitQueries(parts, hist, deadline);
        });
        return Queries.measured(m, trial.qd());
    }

    /** One querying thread of {@link #runSplit}: a query's batches on every loop at once, until the deadline. */
    private static long splitQueries(BatchReads[] parts, LatencyHistogram hist, long deadline) {
        Future<?>[] inFlight = new Future<?>[parts.length];
        long count = 0;
        for (long now = System.nanoTime(); now < deadline; count++) {
            long started = now;
            for (int i = 0; i < parts.length; i++) {
                inFlight[i] = parts[i].submit(0);
            }
            for (int i = 0; i < parts.length; i++) {
                Producers.await(inFlight[i]);
                parts[i].check(0, inFlight[i]);
            }
            now = System.nanoTime();
            hist.record(now - started, 1);
        }
        return count;
    }

    /**
     * One thread: fills its batch slots, then waits for the oldest batch, checks and counts it and submits the
     * next in its slot until the deadline; after it, waits for the batches still in flight.
     *
     * @param reads       the thread's reads
     * @param opsPerBatch what one batch counts for (its reads, or 1 for a query)
     * @param hist        where each batch's latency goes, once per op it counts for
     * @param deadline    when to stop submitting
     * @return ops completed
     */
    static long windowed(BatchReads reads, int opsPerBatch, LatencyHistogram hist, long deadline) {
        int slots = reads.slots();
        Future<?>[] inFlight = new Future<?>[slots];
        long[] started = new long[slots];
        for (int s = 0; s < slots; s++) {
            started[s] = System.nanoTime();
            inFlight[s] = reads.submit(s);
        }
        long count = 0;
        for (int s = 0, outstanding = slots; outstanding > 0; s = (s + 1) % slots) {
            Producers.await(inFlight[s]);
            long now = System.nanoTime();
            reads.check(s, inFlight[s]);
            hist.record(now - started[s], opsPerBatch);
            count += opsPerBatch;
            if (now < deadline) {
                started[s] = now;
                inFlight[s] = reads.submit(s);
            } else {
                inFlight[s] = null;
                outstanding--;
            }
        }
        return count;
    }
}
