package io.i2o2.bench;

/**
 * One point of the benchmark for one backend: a workload at a queue depth and/or thread count.
 *
 * <p>{@code qd} is the number of ops a ring keeps in flight (for NOP on the ring's own thread: the batch
 * size). {@code threads} is the number of the backend's own threads: blocking readers for thread-based
 * peers, producer threads handing ops to a ring for NOP ({@code 0} = the ring's own thread submits).
 * {@code loops} is the number of event loops a ring backend spreads the trial over ({@code --loops}), each
 * keeping its own {@code qd} ops in flight from its own thread: one loop is one core, so this is the ring's
 * answer to a pool of threads on the same cores.
 *
 * @param workload   what is done
 * @param qd         ops in flight (ring backends), per loop; for NOP producers, the in-flight total across them
 * @param threads    the backend's own threads; 0 = none besides the ring's
 * @param kind       platform or virtual threads
 * @param registered whether buffers and files are registered with the ring (fixed buffers and files)
 * @param loops      event loops the ops run on, each with its own {@code qd} in flight (1 for all but the
 *                   library's loop-thread reads with {@code --loops})
 */
public record Trial(Workload workload, int qd, int threads, ThreadKind kind, boolean registered, int loops) {

    /** Checks the loop count. */
    public Trial {
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be >= 1: " + loops);
        }
    }

    /**
     * A trial on one loop (or none: a peer's threads).
     *
     * @param workload   what is done
     * @param qd         ops in flight
     * @param threads    the backend's own threads
     * @param kind       platform or virtual threads
     * @param registered fixed buffers and files
     */
    public Trial(Workload workload, int qd, int threads, ThreadKind kind, boolean registered) {
        this(workload, qd, threads, kind, registered, 1);
    }

    /**
     * This trial spread over {@code n} loops, each with this trial's queue depth.
     *
     * @param n the loop count, {@code >= 1}
     * @return a copy with {@code loops == n}
     */
    public Trial withLoops(int n) {
        return new Trial(workload, qd, threads, kind, registered, n);
    }

    /**
     * A trial for a ring backend: {@code qd} ops in flight from the ring's own thread.
     *
     * @param workload   the workload
     * @param qd         the queue depth
     * @param registered fixed buffers and files
     * @return the trial
     */
    public static Trial ring(Workload workload, int qd, boolean registered) {
        return new Trial(workload, qd, 0, ThreadKind.PLATFORM, registered);
    }

    /** Whether ops come from producer threads other than the ring's (NOP and randread-xt hand-over). */
    public boolean crossThread() {
        return threads > 0 && (workload == Workload.NOP || workload == Workload.RANDREAD_XT);
    }

    /** Ops each NOP producer keeps in flight: the total queue depth shared out, at least one. */
    public int perProducerWindow() {
        return Math.max(1, qd / Math.max(1, threads));
    }

    /**
     * The concurrency this row is compared at: the queue depth for rings (of each loop: a group of loops at
     * QD 32 is held against 32 threads, the pool on the same cores), the thread count for blocking peers (one
     * op in flight per thread), and producers plus depth for NOP hand-over.
     */
    public String concurrencyKey() {
        if (crossThread()) {
            return "t" + threads + "/qd" + qd;
        }
        return Integer.toString(threads > 0 ? threads : qd);
    }

    /** The family of rows that share one reference figure (a ratio never crosses families). */
    public String familyKey() {
        String mode = workload == Workload.NOP ? (crossThread() ? "/cross-thread" : "/same-thread") : "";
        return workload.cliName() + mode + (registered ? "/registered" : "");
    }

    /**
     * A short label for the QD/threads column, e.g. {@code qd32}, {@code t2}, {@code qd64 t1024v}, and
     * {@code qd32 x2 loops} for 32 in flight on each of two loops.
     */
    public String label() {
        String more = (registered ? " reg" : "") + (loops > 1 ? " x" + loops + " loops" : "");
        if (threads == 0) {
            return "qd" + qd + more;
        }
        if (crossThread()) {
            return "qd" + qd + " t" + threads + kind.suffix() + more;
        }
        return "t" + threads + kind.suffix() + more;
    }
}
