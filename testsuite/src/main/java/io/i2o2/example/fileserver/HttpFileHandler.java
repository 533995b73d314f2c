package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileIo;
import io.netty.channel.IoEventLoop;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringIOException;
import io.i2o2.file.IoUringOverloadedException;
import io.i2o2.file.FileStat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Answers GET and HEAD requests with files under one root, reading them through io_uring: one connection,
 * one instance, one request at a time (pipelined requests wait their turn).
 *
 * <p>Per request: resolve the target safely ({@link SafePaths}), {@code statx} it, then either list a
 * directory, answer 304 or 416 from the metadata, or open the file, send the headers and stream the body
 * ({@link ChunkedFileSender}). Each io_uring operation runs on the handler's own executor when that is an
 * {@link IoUringFileIo} ({@link Wiring#URING}); otherwise on a loop of the file group, with the
 * continuation brought back to the handler's executor ({@link Wiring#CHANNEL}).
 */
public final class HttpFileHandler extends ChannelInboundHandlerAdapter {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpFileHandler.class);

    private final SafePaths paths;
    private final IoUringFileEventLoopGroup files;
    private final int chunkSize;
    private final FileServerStats stats;
    /** Requests that arrived while another was being answered (HTTP pipelining). */
    private final Queue<FileRequest> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean busy;
    /** A response said {@code Connection: close}: later requests are ignored. */
    private boolean closing;
    private boolean closed;
    private ChunkedFileSender sender;

    /**
     * @param paths     resolves request targets under the served root
     * @param files     the io_uring loops to read with, when this handler does not run on one itself
     * @param chunkSize the most bytes read (and held) per chunk of a body
     * @param stats     the server's counters
     */
    public HttpFileHandler(SafePaths paths, IoUringFileEventLoopGroup files, int chunkSize, FileServerStats stats) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1: " + chunkSize);
        }
        this.paths = paths;
        this.files = files;
        this.chunkSize = chunkSize;
        this.stats = stats;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            // Request bodies (HttpContent) are dropped: only GET and HEAD are served.
            if (msg instanceof HttpRequest request) {
                accept(FileRequest.of(request));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (sender != null) {
            sender.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        waiting.clear();
        if (sender != null) {
            sender.abort(new ClosedChannelException());
        }
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
        if (r.malformed()) {
            respond(r.withoutKeepAlive(), HttpResponseStatus.BAD_REQUEST);
        } else if (!r.method().equals(HttpMethod.GET) && !r.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse res = text(r, HttpResponseStatus.METHOD_NOT_ALLOWED);
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(r, res);
        } else {
            switch (paths.resolve(r.target())) {
                case SafePaths.Found found -> lookUp(r, found);
                case SafePaths.NotFound ignored -> respond(r, HttpResponseStatus.NOT_FOUND);
                case SafePaths.Forbidden forbidden -> {
                    logger.debug("{}: refused {}: {}", ctx.channel(), r.target(), forbidden.reason());
                    respond(r, HttpResponseStatus.FORBIDDEN);
                }
            }
        }
    }

    /** {@code statx} through the ring, then the answer the metadata decides. */
    private void lookUp(FileRequest r, SafePaths.Found found) {
        IoUringFileIo loop = IoUringFileIo.isSupported(ctx.executor())
                ? IoUringFileIo.of((IoEventLoop) ctx.executor()) : files.nextFileIo();
        whenDone(loop.stat(found.path()), stat -> {
            if (!stat.isSuccess()) {
                fail(r, stat.cause());
                return;
            }
            FileStat s = stat.getNow();
            if (s.isDirectory()) {
                listDirectory(r, found);
            } else if (!s.isRegularFile()) {
                // FIFOs, sockets and devices: opening some of them blocks, reading others never ends.
                respond(r, HttpResponseStatus.FORBIDDEN);
            } else if (notModified(r, s.modifyTime())) {
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
                res.headers().set(HttpHeaderNames.LAST_MODIFIED, httpDate(s.modifyTime()));
                send(r, res);
            } else {
                open(loop, r, found, s);
            }
        });
    }

    private void open(IoUringFileIo loop, FileRequest r, SafePaths.Found found, FileStat s) {
        // NOFOLLOW_LINKS: a symbolic link swapped in since SafePaths checked the path fails to open.
        whenDone(loop.open(found.path(), LinkOption.NOFOLLOW_LINKS), opened -> {
            if (opened.isSuccess()) {
                sendFile(r, opened.getNow(), found, s);
            } else {
                fail(r, opened.cause());
            }
        });
    }

    private void sendFile(FileRequest r, IoUringFile file, SafePaths.Found found, FileStat s) {
        long size = s.size();
        RangeHeader.Result range = ifRangeHolds(r, s.modifyTime()) ? RangeHeader.parse(r.range(), size)
                : RangeHeader.WHOLE;
        HttpResponse res;
        long first;
        long length;
        switch (range) {
            case RangeHeader.Unsatisfiable u -> {
                file.close();
                FullHttpResponse refused = text(r, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                refused.headers().set(HttpHeaderNames.CONTENT_RANGE, u.contentRange(size));
                send(r, refused);
                return;
            }
            case RangeHeader.Satisfiable part -> {
                res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
                res.headers().set(HttpHeaderNames.CONTENT_RANGE, part.contentRange(size));
                first = part.first();
                length = part.length();
            }
            case RangeHeader.Whole whole -> {
                res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                first = 0;
                length = size;
            }
        }
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.of(found.path().getFileName().toString()))
                .set(HttpHeaderNames.LAST_MODIFIED, httpDate(s.modifyTime()))
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        keepAliveHeaders(r, res.headers());
        ctx.write(res);
        if (r.isHead() || length == 0) {
            file.close();
            finish(r, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        ChannelPromise done = ctx.newPromise();
        sender = new ChunkedFileSender(ctx, file, first, length, chunkSize, stats, done);
        done.addListener(f -> {
            sender = null;
            if (f.isSuccess()) {
                finish(r, done);
            } else {
                // The status line is out: the only way left to say "incomplete" is to close. A client that
                // left is routine; a file that failed or shrank under an open connection is worth a warning.
                if (ctx.channel().isActive()) {
                    logger.warn("{}: {} failed mid-body; closing", ctx.channel(), r.target(), f.cause());
                } else {
                    logger.debug("{}: {} stopped: the client left", ctx.channel(), r.target(), f.cause());
                }
                busy = false;
                closing = true;
                ctx.close();
            }
        });
        sender.start();
    }

    private void listDirectory(FileRequest r, SafePaths.Found found) {
        ByteBuf body;
        try {
            body = DirectoryListing.render(ctx.alloc(), found.segments(), found.path());
        } catch (IOException e) {
            fail(r, e);
            return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        send(r, res);
    }

    /** Answers a failed io_uring operation: 404, 403, 503 when the ring is full, 500 for the rest. */
    private void fail(FileRequest r, Throwable cause) {
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
                case "EACCES", "EPERM", "ELOOP" -> HttpResponseStatus.FORBIDDEN;
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
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
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
        keepAliveHeaders(r, h);
        finish(r, ctx.writeAndFlush(res));
    }

    /** The response is written (or being written): close, or answer the next request. */
    private void finish(FileRequest r, ChannelFuture lastWrite) {
        busy = false;
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

    private static boolean notModified(FileRequest r, Instant modified) {
        Date since = r.ifModifiedSince() == null ? null : DateFormatter.parseHttpDate(r.ifModifiedSince());
        // HTTP dates have whole seconds: compare at that precision, or a file always looks newer.
        return since != null && modified.getEpochSecond() <= since.getTime() / 1000;
    }

    /** Whether a Range applies: no If-Range, or one naming exactly the current Last-Modified. */
    private static boolean ifRangeHolds(FileRequest r, Instant modified) {
        if (r.ifRange() == null) {
            return true;
        }
        Date date = DateFormatter.parseHttpDate(r.ifRange());
        return date != null && date.getTime() / 1000 == modified.getEpochSecond();
    }

    private static String httpDate(Instant instant) {
        return DateFormatter.format(new Date(instant.getEpochSecond() * 1000));
    }

    /**
     * Runs {@code then} on this handler's executor once {@code f} completes, unless the channel closed
     * meanwhile. io_uring futures complete on their loop's thread, which is this executor only in the
     * {@link Wiring#URING} wiring.
     */
    private <T> void whenDone(Future<T> f, Consumer<Future<T>> then) {
        EventExecutor here = ctx.executor();
        Runnable next = () -> {
            if (!closed) {
                then.accept(f);
            } else {
                closeOpened(f);
            }
        };
        if (f.isDone()) {
            // Refused at once (ring full, loop shut down): handle it here. A listener would be notified on
            // the refusing loop, and never at all if that loop has terminated.
            next.run();
            return;
        }
        f.addListener(done -> {
            if (here.inEventLoop()) {
                next.run();
                return;
            }
            try {
                here.execute(next);
            } catch (RejectedExecutionException gone) {
                // The channel's loop is shut down: nobody will use what the operation opened.
                closeOpened(f);
            }
        });
    }

    private static void closeOpened(Future<?> f) {
        if (f.isSuccess() && f.getNow() instanceof IoUringFile orphan) {
            orphan.close();
        }
    }
}
