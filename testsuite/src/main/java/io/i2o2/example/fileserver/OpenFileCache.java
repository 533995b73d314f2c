package io.i2o2.example.fileserver;

import io.netty.util.IllegalReferenceCountException;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open files by their path under the root, like nginx's {@code open_file_cache}: bounded in entries, each
 * trusted for {@code open_file_cache_valid}, after which the next request opens and stats the path again
 * (through the ring, as on a miss) and the old descriptor goes once no response uses it. Shared by every
 * connection; lock-free reads.
 */
final class OpenFileCache {
    private final ConcurrentHashMap<String, OpenFile> files = new ConcurrentHashMap<>();
    private final int max;

    OpenFileCache(int max) {
        this.max = max;
    }

    /** The entry for {@code key}, retained for the caller, or null (absent or expired). */
    OpenFile get(String key) {
        OpenFile f = files.get(key);
        if (f == null) {
            return null;
        }
        if (System.nanoTime() - f.expiresAt > 0) {
            remove(key, f);
            return null;
        }
        try {
            return (OpenFile) f.retain();
        } catch (IllegalReferenceCountException evictedMeanwhile) {
            return null;
        }
    }

    /** Caches {@code f} (the cache takes its own reference), replacing and releasing any previous entry. */
    void put(String key, OpenFile f) {
        f.retain();
        OpenFile old = files.put(key, f);
        if (old != null && old != f) {
            old.release();
        }
        if (files.size() > max) {
            Iterator<String> it = files.keySet().iterator();
            while (files.size() > max && it.hasNext()) {
                String k = it.next();
                if (!k.equals(key)) {
                    OpenFile victim = files.get(k);
                    if (victim != null) {
                        remove(k, victim);
                    }
                }
            }
        }
    }

    /** Drops {@code f} if it is still the entry of {@code key}. */
    void remove(String key, OpenFile f) {
        if (files.remove(key, f)) {
            f.release();
        }
    }

    /** Drops every entry; descriptors close as their last responses finish. */
    void clear() {
        for (String k : files.keySet()) {
            OpenFile f = files.get(k);
            if (f != null) {
                remove(k, f);
            }
        }
    }

    int size() {
        return files.size();
    }
}
