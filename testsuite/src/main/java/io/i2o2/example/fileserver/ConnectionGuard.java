package io.i2o2.example.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timeouts, on the channel's own loop, ahead of the HTTP codec:
 * <ul>
 *   <li>header: from the connection's start, or the first byte of a request, to the end of its headers
 *       ({@code 408} and close);</li>
 *   <li>keep-alive: an idle connection between requests (close);</li>
 *   <li>idle: while a request is being answered, no read and no write for that long (close: a client that
 *       stopped reading).</li>
 * </ul>
 * {@link #headersHandler()} goes after the codec and reports each decoded request; the file handler calls
 * {@link #responseFinished()} once per request answered.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ConnectionGuard.class);
    private static final ByteBuf TIMEOUT_408 = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
            ("HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private enum State { HEADER, BUSY, IDLE }

    private final long headerNanos;
    private final long keepAliveNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private State state = State.HEADER;
    private ScheduledFuture<?> timer;
    private long lastActivity;
    private long deadline;
    private long timerDue;
    private int started;
    private int finished;

    ConnectionGuard(ServerConfig config) {
        this.headerNanos = config.headerTimeout().toNanos();
        this.keepAliveNanos = config.keepAliveTimeout().toNanos();
        this.idleNanos = config.idleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(headerNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivity = System.nanoTime();
        if (state == State.IDLE) {
            state = State.HEADER;
            arm(headerNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = System.nanoTime();
        ctx.write(msg, promise);
    }

    /** Goes right after the HTTP codec: a decoded request ends the header timeout. */
    ChannelInboundHandlerAdapter headersHandler() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (msg instanceof HttpRequest) {
                    started++;
                    if (state != State.BUSY) {
                        state = State.BUSY;
                        arm(idleNanos);
                    }
                }
                c.fireChannelRead(msg);
            }
        };
    }

    /** One request is answered (its last write issued); from any thread. */
    void responseFinished() {
        if (ctx.executor().inEventLoop()) {
            finished();
        } else {
            ctx.executor().execute(this::finished);
        }
    }

    private void finished() {
        finished++;
        if (finished >= started && state == State.BUSY && ctx.channel().isActive()) {
            state = State.IDLE;
            arm(keepAliveNanos);
        }
    }

    /**
     * Sets the deadline of the current state. Cheap on the hot path: a timer already due no later than the
     * new deadline stays (when it fires early it re-arms for what is left), so a busy connection schedules
     * about one task per timeout period, not two per request.
     */
    private void arm(long nanos) {
        long now = System.nanoTime();
        lastActivity = now;
        deadline = now + nanos;
        if (timer != null && timerDue - deadline <= 0) {
            return;
        }
        cancel();
        schedule(nanos);
    }

    private void schedule(long nanos) {
        timerDue = System.nanoTime() + nanos;
        timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (state != State.BUSY && left > 0) {
            schedule(left);
            return;
        }
        switch (state) {
            case HEADER -> {
                logger.debug("{}: no complete request headers in time: 408", ctx.channel());
                ctx.writeAndFlush(TIMEOUT_408.duplicate()).addListener(ChannelFutureListener.CLOSE);
            }
            case IDLE -> {
                logger.debug("{}: keep-alive timeout", ctx.channel());
                ctx.close();
            }
            case BUSY -> {
                long quiet = System.nanoTime() - lastActivity;
                if (quiet >= idleNanos) {
                    logger.debug("{}: no progress for {} ms: closing", ctx.channel(), quiet / 1_000_000);
                    ctx.close();
                } else {
                    timer = ctx.executor().schedule(this::expired, idleNanos - quiet, TimeUnit.NANOSECONDS);
                }
            }
        }
    }
}
