package io.i2o2.bench.files;

/**
 * Holds a file's pages in memory for the whole run.
 *
 * <p>Why: these machines run a DAMON reclaim scheme that pages out page cache that is only read (read(2)
 * and io_uring reads do not mark pages as mapped-accessed), so a "page-cache" benchmark quietly turns into
 * a disk benchmark within a minute. Locking the pages keeps the workload honest; {@link Residency} prints
 * the proof before and after.
 */
public interface MemoryLock extends AutoCloseable {

    /** A one-line description of how the file is held, for the run header. */
    String describe();

    /** Releases the lock. */
    @Override
    void close();
}
