package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.Resolve;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * What every connection of one server shares.
 *
 * @param paths           checks request targets by name
 * @param config          the HTTP behaviour
 * @param wiring          where handlers run and which ring runs their file operations
 * @param files           the io_uring loops
 * @param root            the root directory, which every path is opened beneath ({@code openat2}); a file of one of
 *                        {@code files}' loops, used by all of them
 * @param resolve         how paths may resolve beneath it: {@link Resolve#BENEATH} and the link policy
 * @param caches          the open-file caches, or null when off
 * @param cacheValidNanos how long a cached file is trusted
 * @param listings        where directory listings are rendered (blocking, off the loops)
 * @param stats           the counters
 * @param accessSeam      wraps every {@link FileAccess} a lookup opens through: the identity, except in tests
 *                        that make opens fail with errnos the kernel cannot be made to give them
 */
record ServerContext(SafePaths paths, ServerConfig config, Wiring wiring, IoUringFileEventLoopGroup files,
                     IoUringFile root, Set<Resolve> resolve, OpenFileCaches caches, long cacheValidNanos, Executor listings,
                     FileServerStats stats, UnaryOperator<FileAccess> accessSeam) {
}
