package io.i2o2.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What every trial of one run shares: the files, how long a trial lasts, the write pattern.
 *
 * @param dataFile   the random-bytes file that reads go to (created once, locked in memory for the run)
 * @param fileSize   its size in bytes; reads pick block-aligned offsets below it; writes wrap at it
 * @param writeFile  the scratch file that sequential writes go to (recreated, sparse, before each trial)
 * @param duration   how long one trial submits ops
 * @param fsyncEvery writes between two fdatasyncs in the seqwrite workload
 * @param workDir    a directory for the backend's own scratch files (the compiled C peer, fio's logs)
 */
public record BenchEnv(Path dataFile, long fileSize, Path writeFile, Duration duration, int fsyncEvery,
                       Path workDir) {

    /** The trial's length in nanoseconds. */
    public long durationNanos() {
        return duration.toNanos();
    }

    /**
     * The same environment with another trial length (used for warm-up runs).
     *
     * @param d the trial length
     * @return a copy
     */
    public BenchEnv withDuration(Duration d) {
        return new BenchEnv(dataFile, fileSize, writeFile, d, fsyncEvery, workDir);
    }

    /**
     * Number of whole blocks of the given size in the data file (random offsets are drawn below it).
     *
     * @param blockSize the block size
     * @return the block count
     */
    public long blocks(int blockSize) {
        return fileSize / blockSize;
    }
}
