package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringChunkedFile;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringIOException;
import io.i2o2.file.IoUringOverloadedException;
import io.i2o2.file.Openat2;
import io.i2o2.file.FileStat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Answers GET and HEAD requests with files under one root, with no blocking call on its loop: one
 * connection, one instance, one request at a time (pipelined requests wait their turn).
 *
 * <p>Per request: check the target's names ({@link SafePaths#parse}), then take the file from the
 * {@link OpenFileCache} or open it beneath the root's descriptor ({@code openat2}, {@code RESOLVE_BENEATH})
 * and {@code statx} it, all through the ring ({@link FileAccess}); then answer 304 / 416 from the metadata,
 * send a small body with its headers in one write after one read, or stream a large one through
 * {@link ChunkedWriteHandler} and {@link IoUringChunkedFile}. Directories get their {@code index.html}, or a
 * listing rendered on a separate executor.
 */
public final class HttpFileHandler extends ChannelInboundHandlerAdapter {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpFileHandler.class);
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory()
            .withValidation(false);
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString HTML = AsciiString.cached("text/html; charset=utf-8");
    private static final AsciiString SERVER = AsciiString.cached("i2o2");

    private final ServerContext server;
    private final int chunkSize;
    /** Requests that arrived while another was being answered (HTTP pipelining). */
    private final Queue<FileRequest> waiting = new ArrayDeque<>();
    /** The request whose body is still arriving: it is served once its last content came. */
    private FileRequest reading;
    private ChannelHandlerContext ctx;
    private FileAccess access;
    private ConnectionGuard guard;
    private ChannelHandlerContext chunked;
    private boolean busy;
    /** A response said {@code Connection: close}: later requests are ignored. */
    private boolean closing;
    private boolean closed;

    /**
     * @param server    what every connection shares: root, config, cache, file group, stats
     * @param chunkSize the most bytes read (and held) per chunk of a streamed body
     */
    HttpFileHandler(ServerContext server, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1: " + chunkSize);
        }
        this.server = server;
        this.chunkSize = chunkSize;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.access = server.wiring().access(ctx.executor(), server.files());
        this.guard = ctx.pipeline().get(ConnectionGuard.class);
        this.chunked = ctx.pipeline().context(ChunkedWriteHandler.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                reading = FileRequest.of(request);
                if (request.decoderResult().isFailure() && !(msg instanceof LastHttpContent)) {
                    // The decoder gave up on this request (a bad header, say): no content follows.
                    FileRequest r = reading;
                    reading = null;
                    accept(r);
                    return;
                }
            }
            // Request bodies are read and dropped: only GET and HEAD are served. A malformed one (bad chunked
            // encoding) makes its request a 400, and the decoder takes nothing more from this connection.
            if (msg instanceof HttpContent content) {
                boolean bad = content.decoderResult().isFailure();
                if (reading != null && (bad || content instanceof LastHttpContent)) {
                    FileRequest r = bad && reading.reject() == null ? reading.rejected(HttpResponseStatus.BAD_REQUEST)
                            : reading;
                    reading = null;
                    accept(r);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("{}: closing after an error", ctx.channel(), cause);
        ctx.close();
    }

    private void accept(FileRequest request) {
        if (closed || closing) {
            return;
        }
        if (busy) {
            waiting.add(request);
            // Reading on would only queue more requests: wait until the current ones are answered.
            ctx.channel().config().setAutoRead(false);
        } else {
            serve(request);
        }
    }

    private void serve(FileRequest r) {
        busy = true;
        if (r.reject() != null) {
            respond(r, r.reject());
        } else if (!r.method().equals(HttpMethod.GET) && !r.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse res = text(r, HttpResponseStatus.METHOD_NOT_ALLOWED);
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(r, res);
        } else if (SafePaths.quickKey(r.target()) instanceof String key) {
            lookUp(r, key, null, false);
        } else {
            switch (server.paths().parse(r.target())) {
                case SafePaths.Found found -> {
                    List<String> segments = found.segments();
                    lookUp(r, segments.isEmpty() ? "." : String.join("/", segments), segments, false);
                }
                case SafePaths.Forbidden forbidden -> {
                    logger.debug("{}: refused {}: {}", ctx.channel(), r.target(), forbidden.reason());
                    respond(r, HttpResponseStatus.FORBIDDEN);
                }
                case SafePaths.NotFound ignored -> respond(r, HttpResponseStatus.NOT_FOUND);
            }
        }
    }

    /**
     * The file at {@code key} (a path relative to the root): from the cache, or opened and stat'ed through
     * the ring. {@code index}: this is a directory's index file, listed instead when absent.
     */
    private void lookUp(FileRequest r, String key, List<String> segments, boolean index) {
        OpenFileCache cache = server.cache();
        if (cache != null) {
            OpenFile hit = cache.get(key);
            if (hit != null) {
                sendFile(r, hit, key);
                return;
            }
        }
        Promise<IoUringFile> opened = ctx.executor().newPromise();
        access.openBeneath(server.rootFd(), key, server.resolveFlags(), opened);
        then(opened, file -> {
            Promise<FileStat> statted = ctx.executor().newPromise();
            access.stat(file, statted);
            then(statted, s -> {
                if (s.isDirectory()) {
                    file.close();
                    String indexFile = server.config().indexFile();
                    if (!index && indexFile != null) {
                        lookUp(r, key.equals(".") ? indexFile : key + "/" + indexFile, segments, true);
                    } else {
                        listDirectory(r, segments, dirKey(key, index));
                    }
                } else if (!s.isRegularFile()) {
                    // FIFOs, sockets and devices (opened with O_NONBLOCK, never read): refused.
                    file.close();
                    if (index) {
                        listDirectory(r, segments, dirKey(key, index));
                    } else {
                        respond(r, HttpResponseStatus.FORBIDDEN);
                    }
                } else {
                    String name = key.substring(key.lastIndexOf('/') + 1);
                    OpenFile f = new OpenFile(file, s, name, server.cacheValidNanos());
                    if (cache != null) {
                        cache.put(key, f);
                        if (server.config().zeroCopy()) {
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
                    }
                    sendFile(r, f, key);
                }
            }, cause -> {
                file.close();
                fail(r, cause);
            }, FileStat.class);
        }, cause -> {
            if (index && statusOf(cause) == HttpResponseStatus.NOT_FOUND) {
                listDirectory(r, segments, dirKey(key, index));
            } else {
                fail(r, cause);
            }
        }, IoUringFile.class);
    }

    /** Answers from an open file; takes over the caller's reference to {@code f}. */
    private void sendFile(FileRequest r, OpenFile f, String key) {
        if (notModified(r, f)) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED,
                    Unpooled.EMPTY_BUFFER, HEADERS, TRAILERS);
            res.headers().set(HttpHeaderNames.ETAG, f.etag).set(HttpHeaderNames.LAST_MODIFIED, f.lastModified);
            cacheControl(res.headers());
            f.release();
            send(r, res);
            return;
        }
        long size = f.size;
        RangeHeader.Result range = ifRangeHolds(r, f) ? RangeHeader.parse(r.range(), size) : RangeHeader.WHOLE;
        HttpResponseStatus status;
        long first;
        long length;
        CharSequence contentRange = null;
        switch (range) {
            case RangeHeader.Unsatisfiable u -> {
                f.release();
                FullHttpResponse refused = text(r, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                refused.headers().set(HttpHeaderNames.CONTENT_RANGE, u.contentRange(size));
                send(r, refused);
                return;
            }
            case RangeHeader.Satisfiable part -> {
                status = HttpResponseStatus.PARTIAL_CONTENT;
                contentRange = part.contentRange(size);
                first = part.first();
                length = part.length();
            }
            case RangeHeader.Whole whole -> {
                status = HttpResponseStatus.OK;
                first = 0;
                length = size;
            }
        }
        boolean small = r.isHead() || length <= server.config().wholeBodyLimit();
        if (!small) {
            streamFile(r, f, status, contentRange, first, length);
            return;
        }
        if (r.isHead() || length == 0) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER,
                    HEADERS, TRAILERS);
            fileHeaders(res.headers(), f, contentRange, length);
            f.release();
            keepAliveHeaders(r, res.headers());
            finish(r, ctx.writeAndFlush(res));
            return;
        }
        int n = (int) length;
        ByteBuf kept = f.content();
        if (kept != null) {
            // A small cached file: its content is in memory, no operation at all.
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, HEADERS);
            fileHeaders(res.headers(), f, contentRange, n);
            ByteBuf slice = kept.retainedSlice(kept.readerIndex() + (int) first, n);
            f.release();
            keepAliveHeaders(r, res.headers());
            ctx.write(res);
            finish(r, ctx.writeAndFlush(new LastBody(slice)));
            return;
        }
        java.nio.channels.FileChannel fc = f.channel();
        if (fc != null) {
            // Zero copy (config zeroCopy): sendfile from the cached file's channel; headers, region and end in
            // one flush. The region holds this response's reference to the file.
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, HEADERS);
            fileHeaders(res.headers(), f, contentRange, n);
            keepAliveHeaders(r, res.headers());
            ctx.write(res);
            ctx.write(f.region(fc, first, n));
            finish(r, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        boolean keep = server.cache() != null && first == 0 && n == size
                && size <= server.config().memoryCacheMaxFileSize();
        // One read, then the headers and the body in one write and one flush.
        ByteBuf body = ctx.alloc().directBuffer(n, n);
        Promise<Integer> read = ctx.executor().newPromise();
        access.read(f.file, body, first, read);
        HttpResponseStatus st = status;
        CharSequence cr = contentRange;
        read.addListener((Future<Integer> done) -> {
            if (closed) {
                body.release();
                f.release();
                return;
            }
            if (done.isSuccess() && body.readableBytes() == n) {
                if (keep) {
                    f.keepContent(body);
                }
                HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, st, HEADERS);
                fileHeaders(res.headers(), f, cr, n);
                f.release();
                keepAliveHeaders(r, res.headers());
                ctx.write(res);
                finish(r, ctx.writeAndFlush(new LastBody(body)));
            } else {
                body.release();
                // A short read: the file shrank since its statx (a cached one, say). Nothing is sent yet.
                OpenFileCache cache = server.cache();
                if (cache != null) {
                    cache.remove(key, f);
                }
                f.release();
                fail(r, done.isSuccess() ? new IOException(key + " shrank under a response") : done.cause());
            }
        });
    }

    private void streamFile(FileRequest r, OpenFile f, HttpResponseStatus status, CharSequence contentRange,
                            long first, long length) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, HEADERS);
        fileHeaders(res.headers(), f, contentRange, length);
        keepAliveHeaders(r, res.headers());
        ctx.write(res);
        ChunkedWriteHandler handler = (ChunkedWriteHandler) chunked.handler();
        IoUringChunkedFile body = new IoUringChunkedFile(f.file, first, length, chunkSize, server.config().readAhead(),
                chunked.executor(), handler::resumeTransfer, f::release);
        BodyChunks chunks = new BodyChunks(body);
        ChannelFuture done = ctx.writeAndFlush(chunks);
        done.addListener(w -> {
            if (w.isSuccess()) {
                if (ctx.executor().inEventLoop()) {
                    finish(r, done);
                } else {
                    ctx.executor().execute(() -> finish(r, done));
                }
            } else {
                // If the channel was gone before ChunkedWriteHandler queued the body, nothing closed it: close
                // it here (idempotent), on the executor that owns it, so its file reference goes back.
                chunked.executor().execute(() -> {
                    try {
                        chunks.close();
                    } catch (Exception e) {
                        logger.debug("closing a body", e);
                    }
                });
                // The status line is out: the only way left to say "incomplete" is to close. A client that
                // left is routine; a file that failed or shrank under an open connection is worth a warning.
                if (ctx.channel().isActive()) {
                    logger.warn("{}: {} failed mid-body; closing", ctx.channel(), r.target(), w.cause());
                } else {
                    logger.debug("{}: {} stopped: the client left", ctx.channel(), r.target(), w.cause());
                }
                ctx.close();
            }
        });
    }

    private void fileHeaders(HttpHeaders h, OpenFile f, CharSequence contentRange, long length) {
        h.set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.DATE, HttpDate.now())
                .set(HttpHeaderNames.CONTENT_LENGTH, length == f.size ? f.contentLength : Long.toString(length))
                .set(HttpHeaderNames.CONTENT_TYPE, f.contentType)
                .set(HttpHeaderNames.LAST_MODIFIED, f.lastModified)
                .set(HttpHeaderNames.ETAG, f.etag)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (contentRange != null) {
            h.set(HttpHeaderNames.CONTENT_RANGE, contentRange);
        }
        cacheControl(h);
    }

    private void cacheControl(HttpHeaders h) {
        String cc = server.config().cacheControl();
        if (cc != null) {
            h.set(HttpHeaderNames.CACHE_CONTROL, cc);
        }
    }

    private void listDirectory(FileRequest r, List<String> known, String key) {
        List<String> segments = known != null ? known : key.equals(".") ? List.of() : List.of(key.split("/"));
        Path dir = server.paths().root();
        for (String s : segments) {
            dir = dir.resolve(s);
        }
        Path target = dir;
        Promise<ByteBuf> rendered = ctx.executor().newPromise();
        try {
            server.listings().execute(() -> {
                try {
                    ByteBuf b = DirectoryListing.render(ctx.alloc(), segments, target, server.paths().root(),
                            server.config().listHidden(), server.config().links());
                    if (!rendered.trySuccess(b)) {
                        b.release();
                    }
                } catch (IOException | RuntimeException e) {
                    rendered.tryFailure(e);
                }
            });
        } catch (RejectedExecutionException e) {
            rendered.tryFailure(e);
        }
        then(rendered, body -> {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body,
                    HEADERS, TRAILERS);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HTML);
            cacheControl(res.headers());
            send(r, res);
        }, cause -> fail(r, cause), ByteBuf.class);
    }

    /** The directory's own key, from the key of it or (index) of its index file. */
    private String dirKey(String key, boolean index) {
        if (!index) {
            return key;
        }
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "." : key.substring(0, slash);
    }

    /** Answers a failed operation: 404, 403, 503 when the ring or the descriptors are full, 500 for the rest. */
    private void fail(FileRequest r, Throwable cause) {
        if (closed) {
            return;
        }
        HttpResponseStatus status = statusOf(cause);
        if (status == HttpResponseStatus.INTERNAL_SERVER_ERROR) {
            logger.warn("{}: {} failed", ctx.channel(), r.target(), cause);
        }
        FullHttpResponse res = text(r, status);
        if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        send(r, res);
    }

    static HttpResponseStatus statusOf(Throwable cause) {
        if (cause instanceof IoUringOverloadedException) {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        if (cause instanceof AccessDeniedException) {
            return HttpResponseStatus.FORBIDDEN;
        }
        if (cause instanceof IoUringIOException io) {
            return switch (io.errnoName()) {
                case "ENOENT", "ENOTDIR" -> HttpResponseStatus.NOT_FOUND;
                // EXDEV: openat2 refused a way out of the root (RESOLVE_BENEATH); ELOOP: a link refused by policy.
                case "EACCES", "EPERM", "ELOOP", "EXDEV" -> HttpResponseStatus.FORBIDDEN;
                case "EMFILE", "ENFILE", "ENOMEM", "EAGAIN" -> HttpResponseStatus.SERVICE_UNAVAILABLE;
                default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            };
        }
        return HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }

    private void respond(FileRequest r, HttpResponseStatus status) {
        send(r, text(r, status));
    }

    /** A short plain-text response naming the status; for HEAD, its headers only. */
    private FullHttpResponse text(FileRequest r, HttpResponseStatus status) {
        String message = status + "\n";
        ByteBuf body = r.isHead() ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(ctx.alloc(), message);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, HEADERS, TRAILERS);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT);
        if (r.isHead()) {
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, ByteBufUtil.utf8Bytes(message));
        }
        return res;
    }

    /** Sends a complete response; for HEAD, its headers only (with the length the body would have). */
    private void send(FileRequest r, FullHttpResponse res) {
        HttpHeaders h = res.headers();
        if (!h.contains(HttpHeaderNames.CONTENT_LENGTH) && res.status() != HttpResponseStatus.NOT_MODIFIED) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        }
        if (r.isHead() && res.content().isReadable()) {
            res.content().clear();
        }
        h.set(HttpHeaderNames.SERVER, SERVER).set(HttpHeaderNames.DATE, HttpDate.now());
        keepAliveHeaders(r, h);
        finish(r, ctx.writeAndFlush(res));
    }

    /** The response is written (or being written): close, or answer the next request. */
    private void finish(FileRequest r, ChannelFuture lastWrite) {
        busy = false;
        if (guard != null) {
            guard.responseFinished();
        }
        if (!r.keepAlive()) {
            closing = true;
            waiting.clear();
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (closed) {
            return;
        }
        FileRequest next = waiting.poll();
        if (next != null) {
            serve(next);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static void keepAliveHeaders(FileRequest r, HttpHeaders h) {
        if (!r.keepAlive()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!r.version().isKeepAliveDefault()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it. */
    private static boolean notModified(FileRequest r, OpenFile f) {
        if (r.ifNoneMatch() != null) {
            return etagMatches(r.ifNoneMatch(), f.etag, true);
        }
        Date since = r.ifModifiedSince() == null ? null : DateFormatter.parseHttpDate(r.ifModifiedSince());
        // HTTP dates have whole seconds: compare at that precision, or a file always looks newer.
        return since != null && f.modifiedSeconds <= since.getTime() / 1000;
    }

    /** Whether a list of entity tags ({@code *}, or comma-separated, maybe weak) names {@code etag}. */
    static boolean etagMatches(String header, CharSequence etag, boolean weak) {
        String tag = etag.toString();
        for (String part : header.split(",")) {
            String t = part.trim();
            if (t.equals("*")) {
                return true;
            }
            if (weak && t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Range applies: no If-Range, or one naming the current ETag (strongly) or Last-Modified. */
    private static boolean ifRangeHolds(FileRequest r, OpenFile f) {
        String ifRange = r.ifRange();
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(f.etag.toString());
        }
        Date date = DateFormatter.parseHttpDate(ifRange);
        return date != null && date.getTime() / 1000 == f.modifiedSeconds;
    }

    /**
     * Runs {@code ok} or {@code failed} once {@code f} (a promise of this handler's executor) completes;
     * if the channel closed meanwhile, what it produced is released and {@code failed} runs with a
     * {@link ClosedChannelException}, so the stage releases what it holds.
     */
    private <T> void then(Future<T> f, Consumer<T> ok, Consumer<Throwable> failed, Class<T> type) {
        f.addListener((Future<T> done) -> {
            if (closed) {
                if (done.isSuccess()) {
                    Object v = done.getNow();
                    if (v instanceof IoUringFile file) {
                        file.close();
                    } else {
                        ReferenceCountUtil.release(v);
                    }
                }
                // Lets the stage clean up what it holds (the file being stat'ed, say); fail() sends nothing.
                failed.accept(new ClosedChannelException());
                return;
            }
            if (done.isSuccess()) {
                ok.accept(type.cast(done.getNow()));
            } else {
                failed.accept(done.cause());
            }
        });
    }
}
