package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringChunkedFile;

import java.time.Duration;
import java.util.Objects;

/**
 * How the server behaves towards its clients: timeouts, limits, path policy, caching and body streaming.
 * Immutable; defaults follow nginx where nginx has one. Change it with {@link #toBuilder()}.
 *
 * @param headerTimeout    the most time from a request's first byte (or the connection's start) to the end
 *                         of its headers; then 408 and close (nginx {@code client_header_timeout}, 60 s)
 * @param keepAliveTimeout how long an idle keep-alive connection waits for its next request (nginx
 *                         {@code keepalive_timeout}, 75 s)
 * @param idleTimeout      the most time with neither a read nor a write while a response is under way
 *                         (nginx {@code send_timeout}, 60 s)
 * @param maxConnections   connections beyond this many are closed on accept
 * @param maxInitialLineLength the longest request line; longer gets 414
 * @param maxHeaderSize    the most bytes of header fields; more gets 431
 * @param links            which symbolic links a path may pass through
 * @param openFileCache    whether open descriptors and their metadata are kept between requests
 * @param openFileCacheMax the most cached files
 * @param openFileCacheValid how long a cached entry is trusted before the path is opened and checked again
 *                         (nginx {@code open_file_cache_valid}, 60 s)
 * @param cacheControl     the {@code Cache-Control} of files and listings, or null for none
 * @param indexFile        served for a directory that holds it, or null to always list
 * @param listHidden       whether listings show dot files
 * @param readAhead        reads in flight per streamed body ({@link IoUringChunkedFile})
 * @param wholeBodyLimit   bodies up to this many bytes are read in one read and sent with their headers in
 *                         one write; larger ones stream in chunks
 * @param memoryCacheMaxFileSize with the open-file cache on, files up to this size keep their content in
 *                         memory after their first whole read (until the entry goes); 0 for never
 * @param zeroCopy         with the open-file cache on, send cached files with {@code sendfile}
 *                         ({@code DefaultFileRegion}) instead of io_uring reads; off by default, since
 *                         {@code sendfile} blocks the event loop whenever the pages are not in memory
 */
public record ServerConfig(Duration headerTimeout, Duration keepAliveTimeout, Duration idleTimeout,
                           int maxConnections, int maxInitialLineLength, int maxHeaderSize, LinkPolicy links,
                           boolean openFileCache, int openFileCacheMax, Duration openFileCacheValid,
                           String cacheControl, String indexFile, boolean listHidden, int readAhead,
                           int wholeBodyLimit, int memoryCacheMaxFileSize, boolean zeroCopy) {
    /** Which symbolic links path resolution may follow; escapes from the root are refused either way. */
    public enum LinkPolicy {
        /** None at all ({@code RESOLVE_NO_SYMLINKS}): a path with a link in it gets 403. */
        NONE,
        /** Links that stay inside the root, no magic links ({@code RESOLVE_NO_MAGICLINKS}). */
        INSIDE_ROOT
    }

    /** Validates the values. */
    public ServerConfig {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(links, "links");
        Objects.requireNonNull(openFileCacheValid, "openFileCacheValid");
        if (headerTimeout.isNegative() || headerTimeout.isZero() || keepAliveTimeout.isNegative()
                || keepAliveTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConnections < 1 || maxInitialLineLength < 16 || maxHeaderSize < 64 || openFileCacheMax < 1
                || readAhead < 1 || wholeBodyLimit < 0 || memoryCacheMaxFileSize < 0
                || memoryCacheMaxFileSize > wholeBodyLimit) {
            throw new IllegalArgumentException("limits out of range: " + maxConnections + ", " + maxInitialLineLength
                    + ", " + maxHeaderSize + ", " + openFileCacheMax + ", " + readAhead + ", " + wholeBodyLimit);
        }
    }

    /**
     * nginx-like defaults: 60 s header and idle timeouts, 75 s keep-alive, 10 000 connections, 8 KiB request
     * line and headers, links inside the root, no open-file cache (nginx's default too; 1 000 entries
     * trusted 60 s when on, so at most 16 MiB of small files in memory), {@code Cache-Control: no-cache} (revalidate with the ETag), {@code index.html},
     * dot files hidden, two reads ahead, bodies to 1 MiB in one read and one write, and (with the cache on)
     * files to 16 KiB kept in memory.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(60), 10_000,
                8192, 8192, LinkPolicy.INSIDE_ROOT, false, 1_000, Duration.ofSeconds(60), "no-cache",
                "index.html", false, IoUringChunkedFile.DEFAULT_READ_AHEAD, 1 << 20, 16 * 1024, false);
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link ServerConfig}; starts from {@link #defaults()} or another config. */
    public static final class Builder {
        private Duration headerTimeout;
        private Duration keepAliveTimeout;
        private Duration idleTimeout;
        private int maxConnections;
        private int maxInitialLineLength;
        private int maxHeaderSize;
        private LinkPolicy links;
        private boolean openFileCache;
        private int openFileCacheMax;
        private Duration openFileCacheValid;
        private String cacheControl;
        private String indexFile;
        private boolean listHidden;
        private int readAhead;
        private int wholeBodyLimit;
        private int memoryCacheMaxFileSize;
        private boolean zeroCopy;

        private Builder(ServerConfig c) {
            headerTimeout = c.headerTimeout;
            keepAliveTimeout = c.keepAliveTimeout;
            idleTimeout = c.idleTimeout;
            maxConnections = c.maxConnections;
            maxInitialLineLength = c.maxInitialLineLength;
            maxHeaderSize = c.maxHeaderSize;
            links = c.links;
            openFileCache = c.openFileCache;
            openFileCacheMax = c.openFileCacheMax;
            openFileCacheValid = c.openFileCacheValid;
            cacheControl = c.cacheControl;
            indexFile = c.indexFile;
            listHidden = c.listHidden;
            readAhead = c.readAhead;
            wholeBodyLimit = c.wholeBodyLimit;
            memoryCacheMaxFileSize = c.memoryCacheMaxFileSize;
            zeroCopy = c.zeroCopy;
        }

        /** @see ServerConfig#headerTimeout() */
        public Builder headerTimeout(Duration d) {
            headerTimeout = d;
            return this;
        }

        /** @see ServerConfig#keepAliveTimeout() */
        public Builder keepAliveTimeout(Duration d) {
            keepAliveTimeout = d;
            return this;
        }

        /** @see ServerConfig#idleTimeout() */
        public Builder idleTimeout(Duration d) {
            idleTimeout = d;
            return this;
        }

        /** @see ServerConfig#maxConnections() */
        public Builder maxConnections(int n) {
            maxConnections = n;
            return this;
        }

        /** @see ServerConfig#maxInitialLineLength() */
        public Builder maxInitialLineLength(int n) {
            maxInitialLineLength = n;
            return this;
        }

        /** @see ServerConfig#maxHeaderSize() */
        public Builder maxHeaderSize(int n) {
            maxHeaderSize = n;
            return this;
        }

        /** @see ServerConfig#links() */
        public Builder links(LinkPolicy p) {
            links = p;
            return this;
        }

        /** @see ServerConfig#openFileCache() */
        public Builder openFileCache(boolean on) {
            openFileCache = on;
            return this;
        }

        /** @see ServerConfig#openFileCacheMax() */
        public Builder openFileCacheMax(int n) {
            openFileCacheMax = n;
            return this;
        }

        /** @see ServerConfig#openFileCacheValid() */
        public Builder openFileCacheValid(Duration d) {
            openFileCacheValid = d;
            return this;
        }

        /** @see ServerConfig#cacheControl() */
        public Builder cacheControl(String value) {
            cacheControl = value;
            return this;
        }

        /** @see ServerConfig#indexFile() */
        public Builder indexFile(String name) {
            indexFile = name;
            return this;
        }

        /** @see ServerConfig#listHidden() */
        public Builder listHidden(boolean on) {
            listHidden = on;
            return this;
        }

        /** @see ServerConfig#readAhead() */
        public Builder readAhead(int n) {
            readAhead = n;
            return this;
        }

        /** @see ServerConfig#wholeBodyLimit() */
        public Builder wholeBodyLimit(int n) {
            wholeBodyLimit = n;
            return this;
        }

        /** @see ServerConfig#memoryCacheMaxFileSize() */
        public Builder memoryCacheMaxFileSize(int n) {
            memoryCacheMaxFileSize = n;
            return this;
        }

        /** @see ServerConfig#zeroCopy() */
        public Builder zeroCopy(boolean on) {
            zeroCopy = on;
            return this;
        }

        /** The config. */
        public ServerConfig build() {
            return new ServerConfig(headerTimeout, keepAliveTimeout, idleTimeout, maxConnections,
                    maxInitialLineLength, maxHeaderSize, links, openFileCache, openFileCacheMax, openFileCacheValid,
                    cacheControl, indexFile, listHidden, readAhead, wholeBodyLimit, memoryCacheMaxFileSize,
                    zeroCopy);
        }
    }
}
