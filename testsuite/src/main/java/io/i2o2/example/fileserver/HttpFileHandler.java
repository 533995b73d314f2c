package io.i2o2.example.fileserver;

import io.i2o2.file.FileIoException;
import io.i2o2.file.FileIoOverloadedException;
import io.i2o2.file.IoUringChunkedFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 * and {@code statx} it, all through the ring ({@link FileAccess}); decide 304 / 416 / 200 / 206 from the
 * metadata ({@link ResponsePlan}) and read a small body, all of it chained on one io_uring loop
 * ({@link FileLookup}), so a request crosses to a file loop at most once and back once; then send the small
 * body with its headers in one write, or stream a large one through {@link ChunkedWriteHandler} and
 * {@link IoUringChunkedFile}. Directories get their {@code index.html}, or a listing rendered on a separate
 * executor.
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
    /** The access of every request when the handler's loop runs them ({@link Wiring#ownRing()}), else null. */
    private FileAccess ownAccess;
    /** This handler's open-file cache, or null when off. */
    private OpenFileCache cache;
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
        Wiring wiring = server.wiring();
        this.ownAccess = wiring.ownRing()
                ? server.accessSeam().apply(wiring.access(ctx.executor(), server.files(), server.stats())) : null;
        this.cache = server.caches() == null ? null : server.caches().of(ctx.executor());
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
            lookUp(r, key, null);
        } else {
            switch (server.paths().parse(r.target())) {
                case SafePaths.Found found -> {
                    List<String> segments = found.segments();
                    lookUp(r, segments.isEmpty() ? "." : String.join("/", segments), segments);
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
     * The file at {@code key} (a path relative to the root). A cache hit is answered here, unless its body must
     * be read: then that read runs on the file's loop. A miss runs {@link FileLookup#find} on the loop of
     * {@link #access}. Either way the file operations of the request cross to another loop at most once, and
     * come back once, with one {@link Prepared}.
     */
    private void lookUp(FileRequest r, String key, List<String> segments) {
        FileServerStats stats = server.stats();
        if (cache != null) {
            OpenFile hit = cache.get(key);
            if (hit != null) {
                ResponsePlan plan = ResponsePlan.decide(r, hit, server.config());
                if (!ResponsePlan.needsRead(r, plan, hit)) {
                    answer(r, new Prepared.Answer(hit, plan, null));
                    return;
                }
                // The read goes to the loop that opened the file: its ring holds the descriptor.
                FileAccess there = new RingAccess(hit.file.io(), stats);
                FileLookup lookup = new FileLookup(server, there, cache, ctx.alloc(), r);
                whenPrepared(r, segments, there, p -> lookup.read(hit, key, (ResponsePlan.Send) plan, p),
                        hit::release);
                return;
            }
        }
        FileAccess there = ownAccess != null ? ownAccess
                : server.accessSeam().apply(server.wiring().access(ctx.executor(), server.files(), stats));
        FileLookup lookup = new FileLookup(server, there, cache, ctx.alloc(), r);
        whenPrepared(r, segments, there, p -> lookup.find(key, false, p), () -> { });
    }

    /** Runs {@code work} on {@code there}'s loop, then answers with what it prepared, back on this loop. */
    private void whenPrepared(FileRequest r, List<String> segments, FileAccess there,
                              Consumer<Promise<Prepared>> work, Runnable abandoned) {
        Promise<Prepared> prepared = ctx.executor().newPromise();
        prepared.addListener((Future<Prepared> done) -> {
            Prepared p = done.getNow();
            if (closed) {
                p.release();
                return;
            }
            switch (p) {
                case Prepared.Answer a -> answer(r, a);
                case Prepared.Listing l -> listDirectory(r, segments, l.dirKey());
                case Prepared.Refused refused -> respond(r, refused.status());
                case Prepared.Failed failed -> fail(r, failed.cause());
            }
        });
        FileLookup.onLoop(there, server.stats(), work, prepared, abandoned);
    }

    /** Answers from an open file as {@code a} planned; takes over what {@code a} holds. */
    private void answer(FileRequest r, Prepared.Answer a) {
        OpenFile f = a.file();
        switch (a.plan()) {
            case ResponsePlan.NotModified ignored -> {
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER, HEADERS, TRAILERS);
                res.headers().set(HttpHeaderNames.ETAG, f.etag).set(HttpHeaderNames.LAST_MODIFIED, f.lastModified);
                cacheControl(res.headers());
                a.release();
                send(r, res);
            }
            case ResponsePlan.Unsatisfiable u -> {
                a.release();
                FullHttpResponse refused = text(r, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                refused.headers().set(HttpHeaderNames.CONTENT_RANGE, u.contentRange());
                send(r, refused);
            }
            case ResponsePlan.Send s -> sendFile(r, f, s, a.body());
        }
    }

    /** Sends a 200 or 206; takes over the reference to {@code f} and {@code body} (read already, or null). */
    private void sendFile(FileRequest r, OpenFile f, ResponsePlan.Send s, ByteBuf body) {
        if (!s.whole()) {
            streamFile(r, f, s.status(), s.contentRange(), s.first(), s.length());
            return;
        }
        CharSequence contentRange = s.contentRange();
        if (r.isHead() || s.length() == 0) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s.status(), Unpooled.EMPTY_BUFFER,
                    HEADERS, TRAILERS);
            fileHeaders(res.headers(), f, contentRange, s.length());
            f.release();
            keepAliveHeaders(r, res.headers());
            finish(r, ctx.writeAndFlush(res));
            return;
        }
        int n = (int) s.length();
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, s.status(), HEADERS);
        fileHeaders(res.headers(), f, contentRange, n);
        keepAliveHeaders(r, res.headers());
        if (body != null) {
            // Read on the file's loop: the headers and the body in one write and one flush.
            f.release();
            ctx.write(res);
            finish(r, ctx.writeAndFlush(new LastBody(body)));
            return;
        }
        ByteBuf kept = f.content();
        if (kept != null) {
            // A small cached file: its content is in memory, no operation at all.
            ByteBuf slice = kept.retainedSlice(kept.readerIndex() + (int) s.first(), n);
            f.release();
            ctx.write(res);
            finish(r, ctx.writeAndFlush(new LastBody(slice)));
            return;
        }
        java.nio.channels.FileChannel fc = f.channel();
        if (fc != null) {
            // Zero copy (config zeroCopy): sendfile from the cached file's channel; headers, region and end in
            // one flush. The region holds this response's reference to the file.
            ctx.write(res);
            ctx.write(f.region(fc, s.first(), n));
            finish(r, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        // ResponsePlan.needsRead said otherwise when the body was prepared: cannot happen.
        f.release();
        fail(r, new IllegalStateException(r.target() + ": no body prepared"));
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

    /**
     * Answers a failed operation ({@link #statusOf}). Every answer is a complete response; the connection stays
     * open for the next request unless the request said otherwise, so no error leaves a client waiting.
     */
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

    /**
     * The status of a failed lookup or read: 404 for a name that leads nowhere, 403 for one the server refuses
     * to serve, 414 for one too long to look up, 503 when the ring or the descriptors are full, 500 for the rest.
     *
     * @param cause why the operation failed
     * @return the status to answer with
     */
    static HttpResponseStatus statusOf(Throwable cause) {
        if (cause instanceof FileIoOverloadedException) {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        if (cause instanceof AccessDeniedException) {
            return HttpResponseStatus.FORBIDDEN;
        }
        if (cause instanceof FileIoException io) {
            return switch (io.errnoName()) {
                case "ENOENT", "ENOTDIR" -> HttpResponseStatus.NOT_FOUND;
                // EXDEV: openat2 refused a way out of the root (RESOLVE_BENEATH); ELOOP: a link refused by policy
                // or a cycle; EISDIR: a directory where a file was needed (a directory is listed, never read).
                case "EACCES", "EPERM", "ELOOP", "EXDEV", "EISDIR" -> HttpResponseStatus.FORBIDDEN;
                // A name over NAME_MAX (255 bytes) or a path over PATH_MAX (4096): the target is too long.
                case "ENAMETOOLONG" -> HttpResponseStatus.REQUEST_URI_TOO_LONG;
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

    /**
     * Runs {@code ok} or {@code failed} once {@code f} (a promise of this handler's executor) completes;
     * if the channel closed meanwhile, what it produced is released and {@code failed} runs with a
     * {@link ClosedChannelException}, so the stage releases what it holds.
     */
    private <T> void then(Future<T> f, Consumer<T> ok, Consumer<Throwable> failed, Class<T> type) {
        f.addListener((Future<T> done) -> {
            if (closed) {
                if (done.isSuccess()) {
                    ReferenceCountUtil.release(done.getNow());
                }
                // Lets the stage clean up what it holds; fail() sends nothing.
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
