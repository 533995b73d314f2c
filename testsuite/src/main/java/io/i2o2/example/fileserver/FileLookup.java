package io.i2o2.example.fileserver;

import io.i2o2.file.FileStat;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The file operations of one request, chained on the loop of one {@link FileAccess}: open beneath the root
 * and {@code statx} (a directory's index file next, when it has one), then {@link ResponsePlan#decide}, then
 * the read of a body sent whole. Every step is called on that loop with a promise of that loop, so the chain
 * never leaves it; {@link #onLoop} brings the end result, one {@link Prepared}, to the handler's loop.
 *
 * <p>Ownership: each {@link Prepared} it completes with owns its file reference and body buffer (allocated
 * here, released wherever the response ends), and every path that produces none releases what it opened.
 */
final class FileLookup {
    private final ServerContext server;
    private final FileAccess access;
    private final OpenFileCache cache;
    private final ByteBufAllocator alloc;
    private final FileRequest request;

    /**
     * @param access  the loop and ring of the operations
     * @param cache   the handler's open-file cache, or null
     * @param alloc   the channel's allocator, for the body
     * @param request the request being answered
     */
    FileLookup(ServerContext server, FileAccess access, OpenFileCache cache, ByteBufAllocator alloc,
               FileRequest request) {
        this.server = server;
        this.access = access;
        this.cache = cache;
        this.alloc = alloc;
        this.request = request;
    }

    /**
     * Runs {@code work} on {@code access}'s loop and completes {@code result}, a promise of the caller's loop,
     * with what it prepared. On the caller's own loop it runs at once (zero crossings); otherwise it costs
     * one hand-over there and one completion back, whatever {@code work} chains, each counted in
     * {@code stats}. {@code abandoned} runs when the loop takes no more tasks, so {@code work} never ran.
     */
    static void onLoop(FileAccess access, FileServerStats stats, Consumer<Promise<Prepared>> work,
                       Promise<Prepared> result, Runnable abandoned) {
        EventExecutor loop = access.executor();
        if (loop.inEventLoop()) {
            run(work, result);
            return;
        }
        stats.handedOver();
        try {
            loop.execute(() -> {
                Promise<Prepared> there = loop.newPromise();
                there.addListener((Future<Prepared> done) -> {
                    stats.handedBack();
                    deliver(result, done.getNow());
                });
                run(work, there);
            });
        } catch (RejectedExecutionException e) {
            abandoned.run();
            deliver(result, new Prepared.Failed(e));
        }
    }

    private static void run(Consumer<Promise<Prepared>> work, Promise<Prepared> done) {
        try {
            work.accept(done);
        } catch (RuntimeException e) {
            // A bug, not an IO error: still answer (500) rather than leave the connection waiting.
            deliver(done, new Prepared.Failed(e));
        }
    }

    /** Completes {@code done}, or releases {@code p} if {@code done} was completed already. */
    private static void deliver(Promise<Prepared> done, Prepared p) {
        if (!done.trySuccess(p)) {
            p.release();
        }
    }

    /**
     * Opens and stats {@code key} (a path under the root); {@code index}: this is a directory's index file,
     * listed instead when absent.
     */
    void find(String key, boolean index, Promise<Prepared> done) {
        Promise<IoUringFile> opened = access.executor().newPromise();
        access.openBeneath(server.root(), key, server.resolve(), opened);
        opened.addListener((Future<IoUringFile> o) -> {
            if (!o.isSuccess()) {
                boolean absentIndex = index && HttpFileHandler.statusOf(o.cause()) == HttpResponseStatus.NOT_FOUND;
                deliver(done, absentIndex ? new Prepared.Listing(dirKey(key, true)) : new Prepared.Failed(o.cause()));
                return;
            }
            IoUringFile file = o.getNow();
            Promise<FileStat> statted = access.executor().newPromise();
            access.stat(file, statted);
            statted.addListener((Future<FileStat> s) -> {
                if (s.isSuccess()) {
                    found(key, index, file, s.getNow(), done);
                } else {
                    file.close();
                    deliver(done, new Prepared.Failed(s.cause()));
                }
            });
        });
    }

    private void found(String key, boolean index, IoUringFile file, FileStat s, Promise<Prepared> done) {
        if (s.isDirectory()) {
            file.close();
            String indexFile = server.config().indexFile();
            if (index || indexFile == null) {
                deliver(done, new Prepared.Listing(dirKey(key, index)));
                return;
            }
            String indexKey = key.equals(".") ? indexFile : key + "/" + indexFile;
            OpenFile hit = cache != null ? cache.get(indexKey) : null;
            if (hit != null) {
                answer(hit, indexKey, done);
            } else {
                find(indexKey, true, done);
            }
        } else if (!s.isRegularFile()) {
            // FIFOs, sockets and devices (opened with O_NONBLOCK, never read): refused.
            file.close();
            deliver(done, index ? new Prepared.Listing(dirKey(key, true))
                    : new Prepared.Refused(HttpResponseStatus.FORBIDDEN));
        } else {
            String name = key.substring(key.lastIndexOf('/') + 1);
            OpenFile f = new OpenFile(file, s, name, server.cacheValidNanos());
            if (cache != null) {
                cache.put(key, f);
                if (server.config().zeroCopy()) {
                    attachChannelLater(f);
                }
            }
            answer(f, key, done);
        }
    }

    /** Opens the {@code sendfile} channel off the loops (blocking); later responses use it. */
    private void attachChannelLater(OpenFile f) {
        f.retain();
        try {
            server.listings().execute(() -> {
                try {
                    f.attachChannel();
                } finally {
                    f.release();
                }
            });
        } catch (RejectedExecutionException e) {
            f.release();
        }
    }

    /** Decides the response from {@code f} (whose reference this takes over) and reads its body if needed. */
    void answer(OpenFile f, String key, Promise<Prepared> done) {
        ResponsePlan plan = ResponsePlan.decide(request, f, server.config());
        if (ResponsePlan.needsRead(request, plan, f)) {
            read(f, key, (ResponsePlan.Send) plan, done);
        } else {
            deliver(done, new Prepared.Answer(f, plan, null));
        }
    }

    /** Reads the body {@code plan} sends whole (one read); takes over the reference to {@code f}. */
    void read(OpenFile f, String key, ResponsePlan.Send plan, Promise<Prepared> done) {
        int n = (int) plan.length();
        boolean keep = cache != null && plan.first() == 0 && n == f.size
                && f.size <= server.config().memoryCacheMaxFileSize();
        ByteBuf body;
        try {
            body = alloc.directBuffer(n, n);
        } catch (RuntimeException | OutOfMemoryError e) {
            f.release();
            deliver(done, new Prepared.Failed(e));
            return;
        }
        Promise<Integer> read = access.executor().newPromise();
        access.read(f.file, body, plan.first(), read);
        read.addListener((Future<Integer> r) -> {
            if (r.isSuccess() && body.readableBytes() == n) {
                if (keep) {
                    f.keepContent(body);
                }
                deliver(done, new Prepared.Answer(f, plan, body));
                return;
            }
            body.release();
            // A short read: the file shrank since its statx (a cached one, say). Nothing is sent yet.
            if (cache != null) {
                cache.remove(key, f);
            }
            f.release();
            deliver(done, new Prepared.Failed(r.isSuccess() ? new IOException(key + " shrank under a response")
                    : r.cause()));
        });
    }

    /** The directory's own key, from the key of it or (index) of its index file. */
    private static String dirKey(String key, boolean index) {
        if (!index) {
            return key;
        }
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "." : key.substring(0, slash);
    }
}
