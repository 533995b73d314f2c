package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.uring.Statx;
import io.netty.handler.codec.DateFormatter;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCounted;

import java.util.Date;

/**
 * An open regular file and what its responses say about it, computed once: the descriptor is closed when
 * the last holder releases it (the {@link OpenFileCache}, and each response that reads from it).
 */
final class OpenFile extends AbstractReferenceCounted {
    final IoUringFile file;
    final Statx stat;
    final long size;
    final long modifiedSeconds;
    final AsciiString etag;
    final AsciiString lastModified;
    final AsciiString contentType;
    final AsciiString contentLength;
    /** {@link System#nanoTime()} after which a cache must not hand this out any more. */
    final long expiresAt;

    OpenFile(IoUringFile file, Statx stat, String name, long validNanos) {
        this.file = file;
        this.stat = stat;
        this.size = stat.size();
        this.modifiedSeconds = stat.modifyTime().getEpochSecond();
        long mtimeNanos = modifiedSeconds * 1_000_000_000L + stat.modifyTime().getNano();
        // Strong: a new inode, size or modification time gives a new tag (nginx uses size and mtime).
        this.etag = AsciiString.cached('"' + Long.toHexString(stat.inode()) + '-' + Long.toHexString(size) + '-'
                + Long.toHexString(mtimeNanos) + '"');
        this.lastModified = AsciiString.cached(DateFormatter.format(new Date(modifiedSeconds * 1000)));
        this.contentType = ContentTypes.ascii(name);
        this.contentLength = AsciiString.cached(Long.toString(size));
        this.expiresAt = System.nanoTime() + validNanos;
    }

    boolean sameFileAs(Statx other) {
        return other.inode() == stat.inode() && other.size() == stat.size()
                && other.modifyTime().equals(stat.modifyTime());
    }

    @Override
    protected void deallocate() {
        file.close();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }

    @Override
    public String toString() {
        return "OpenFile(" + file + ", refs " + refCnt() + ")";
    }
}
