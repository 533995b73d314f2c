package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.Openat2;
import io.i2o2.file.FileStat;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.Locale;

/**
 * Where the file-serving handler runs, and which ring runs its file operations: the small pluggable piece
 * that turns a handler's executor into a {@link FileAccess}, and says which socket transport goes with it.
 *
 * <p>A {@code NETTY_URING} wiring (channels on Netty's io_uring transport, file ops on the channel's own
 * ring) is one more constant: {@link #newSocketGroup} gives io_uring loops, {@link #serverChannelType} their
 * server channel, and {@link #access} a {@link FileAccess} that submits {@code openat2}, {@code statx} and
 * reads to the ring of {@code handlerExecutor}, completing on that same thread.
 */
public enum Wiring {
    /**
     * The handler is added with {@code pipeline.addLast(fileGroup, handler)}: it runs on an io_uring loop,
     * so its operations go straight into that loop's submission queue and complete on the same thread. Netty
     * 4.2 deprecates that {@code addLast} overload (its next major version drops it).
     */
    URING {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files) {
            IoUringFileIo own = IoUringFileIo.of(handlerExecutor);
            return new RingAccess(() -> own);
        }

        @Override
        boolean handlerOnFileLoop() {
            return true;
        }
    },
    /**
     * The handler runs on the channel's own event loop and submits to loops of {@code fileGroup.next()},
     * passing promises of its own executor so completions come back to it.
     */
    CHANNEL {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files) {
            return new RingAccess(files::nextFileIo);
        }
    },
    /**
     * The channels run on Netty's own io_uring transport, and every file op of a request goes into the ring
     * of the channel's own loop ({@code IoUringFileIo.of(ctx.channel().eventLoop())}): no hand-over at all,
     * each completion on the thread that serves the connection.
     */
    NETTY_URING {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files) {
            IoUringFileIo own = IoUringFileIo.of(handlerExecutor);
            return new RingAccess(() -> own);
        }

        @Override
        EventLoopGroup newSocketGroup(int threads) {
            return new MultiThreadIoEventLoopGroup(threads, IoUringIoHandler.newFactory());
        }

        @Override
        Class<? extends ServerChannel> serverChannelType() {
            return IoUringServerSocketChannel.class;
        }
    };

    /** The file access of a handler running on {@code handlerExecutor}. */
    abstract FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files);

    /** The loops of the sockets: NIO for both wirings of today. */
    EventLoopGroup newSocketGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** The listening socket's channel type, for {@link #newSocketGroup}'s loops. */
    Class<? extends ServerChannel> serverChannelType() {
        return NioServerSocketChannel.class;
    }

    /** Whether the handler goes on an io_uring loop ({@code addLast(group, ...)}). */
    boolean handlerOnFileLoop() {
        return false;
    }

    /** The name on the command line: {@code uring}, {@code channel} or {@code netty-uring}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The wiring a command-line name stands for.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Wiring fromCliName(String name) {
        for (Wiring w : values()) {
            if (w.cliName().equals(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("--wiring must be uring, channel or netty-uring: " + name);
    }

    /** Opens and stats through a ring that {@code loops} picks per operation; reads go to the file's own loop. */
    private record RingAccess(java.util.function.Supplier<IoUringFileIo> loops) implements FileAccess {
        private static final long FLAGS = Openat2.O_RDONLY | Openat2.O_NONBLOCK | Openat2.O_NOCTTY
                | Openat2.O_CLOEXEC;

        @Override
        public Future<IoUringFile> openBeneath(int dirFd, String relative, long resolve,
                                               Promise<IoUringFile> promise) {
            return Openat2.openFile(loops.get(), dirFd, relative, FLAGS, Openat2.RESOLVE_BENEATH | resolve, promise);
        }

        @Override
        public Future<FileStat> stat(IoUringFile file, Promise<FileStat> promise) {
            return file.stat(promise);
        }
    }
}
