package io.i2o2.example.fileserver;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The open-file caches of a server: one per handler loop, or one shared by all.
 *
 * <p>Per loop where the handler's loop owns the ring of its file operations ({@link Wiring#ownRing()}),
 * as nginx keeps one {@code open_file_cache} per worker: an {@link io.i2o2.file.IoUringFile} belongs to the
 * ring that opened it, so a shared entry opened by loop A would send every read loop B makes of it to A's
 * ring and its completion back to B, two crossings that the wiring exists to avoid. The price is one
 * descriptor (and, for small files, one in-memory copy) per loop that serves the file, and one miss per loop.
 *
 * <p>Shared in the {@link Wiring#CHANNEL} wiring: a read there crosses to a file loop anyway, and going to
 * the loop that opened the file costs the same as going to any other.
 */
final class OpenFileCaches {
    private final int maxPerCache;
    private final OpenFileCache shared;
    private final ConcurrentHashMap<EventExecutor, OpenFileCache> perLoop = new ConcurrentHashMap<>();

    /**
     * @param maxPerCache the most entries of each cache
     * @param perLoop     one cache per handler loop, else one shared
     */
    OpenFileCaches(int maxPerCache, boolean perLoop) {
        this.maxPerCache = maxPerCache;
        this.shared = perLoop ? null : new OpenFileCache(maxPerCache);
    }

    /** The cache of a handler running on {@code loop}. */
    OpenFileCache of(EventExecutor loop) {
        return shared != null ? shared : perLoop.computeIfAbsent(loop, l -> new OpenFileCache(maxPerCache));
    }

    /** Drops every entry of every cache; descriptors close as their last responses finish. */
    void clear() {
        if (shared != null) {
            shared.clear();
        }
        perLoop.values().forEach(OpenFileCache::clear);
    }

    /** Entries in all caches together. */
    int size() {
        int n = shared != null ? shared.size() : 0;
        for (OpenFileCache c : perLoop.values()) {
            n += c.size();
        }
        return n;
    }
}
