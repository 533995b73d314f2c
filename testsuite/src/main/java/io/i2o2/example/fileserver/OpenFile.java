package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileStat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCounted;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Date;

/**
 * An open regular file and what its responses say about it, computed once: the descriptor is closed when
 * the last holder releases it (the {@link OpenFileCache}, and each response that reads from it).
 */
final class OpenFile extends AbstractReferenceCounted {
    final IoUringFile file;
    final FileStat stat;
    final long size;
    final long modifiedSeconds;
    final AsciiString etag;
    final AsciiString lastModified;
    final AsciiString contentType;
    final AsciiString contentLength;
    /** {@link System#nanoTime()} after which a cache must not hand this out any more. */
    final long expiresAt;
    /** The whole content, read once, for small cached files (never written to); or null. */
    private volatile ByteBuf content;
    /** The same file as a {@link FileChannel}, for {@code sendfile}; or null. */
    private volatile FileChannel channel;

    OpenFile(IoUringFile file, FileStat stat, String name, long validNanos) {
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


    /** The cached content, or null. */
    ByteBuf content() {
        return content;
    }

    /**
     * Keeps {@code whole} (all {@link #size} bytes, read at offset 0) as this file's content; the caller's
     * buffer is untouched: this takes its own reference. At most once.
     */
    synchronized void keepContent(ByteBuf whole) {
        if (content == null && refCnt() > 0 && whole.readableBytes() == size) {
            content = whole.retainedDuplicate();
        }
    }

    /** The file as a channel for {@code sendfile}, once {@link #attachChannel()} opened it; or null. */
    FileChannel channel() {
        return channel;
    }

    /**
     * Opens the same file as a {@link FileChannel} (through {@code /proc/self/fd}, so the very inode that
     * openat2 opened beneath the root); blocking, so called off the event loops. Quietly does nothing when
     * it cannot, or when this entry is already gone.
     */
    void attachChannel() {
        FileChannel fc;
        try {
            fc = FileChannel.open(Path.of("/proc/self/fd/" + file.fd()), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return;
        }
        synchronized (this) {
            if (refCnt() > 0 && channel == null) {
                channel = fc;
                return;
            }
        }
        closeQuietly(fc);
    }

    private static void closeQuietly(FileChannel fc) {
        try {
            fc.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    protected void deallocate() {
        ByteBuf c;
        FileChannel fc;
        synchronized (this) {
            c = content;
            content = null;
            fc = channel;
            channel = null;
        }
        if (c != null) {
            c.release();
        }
        if (fc != null) {
            closeQuietly(fc);
        }
        file.close();
    }

    /** A region of this file for {@code sendfile} that releases its reference to the file when done. */
    DefaultFileRegion region(FileChannel fc, long position, long count) {
        return new DefaultFileRegion(fc, position, count) {
            @Override
            protected void deallocate() {
                // The channel is the entry's: not closed here.
                OpenFile.this.release();
            }
        };
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
