package io.i2o2.example.fileserver;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.Locale;

/**
 * Where the file-serving handler runs, and which ring runs its file operations: the small pluggable piece
 * that turns a handler's executor into a {@link FileAccess}, and says which socket transport goes with it.
 *
 * <p>What a request costs in crossings between threads, for its file operations: none in {@code URING} and
 * {@code NETTY_URING} (the handler's loop owns the ring, and each loop has its own open-file cache, so even
 * a cached descriptor is on that ring); in {@code CHANNEL}, at most one hand-over to a file loop and one
 * back, for all of a request's operations together ({@link FileLookup}), and none when the answer needs no
 * operation (a 304 or an in-memory body from the cache). {@link FileServerStats#fileHandOvers()} counts them.
 */
public enum Wiring {
    /**
     * The handler is added with {@code pipeline.addLast(fileGroup, handler)}: it runs on an io_uring loop,
     * so its operations go straight into that loop's submission queue and complete on the same thread. Netty
     * 4.2 deprecates that {@code addLast} overload (its next major version drops it).
     */
    URING {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files, FileServerStats stats) {
            return new RingAccess(FileIo.of(handlerExecutor), stats);
        }

        @Override
        boolean ownRing() {
            return true;
        }

        @Override
        boolean handlerOnFileLoop() {
            return true;
        }
    },
    /**
     * The handler runs on the channel's own (NIO) event loop; each request's file operations run together on
     * one loop of {@code fileGroup.next()}, and their result comes back to the handler in one piece.
     */
    CHANNEL {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files, FileServerStats stats) {
            return new RingAccess(files.nextFileIo(), stats);
        }
    },
    /**
     * The channels run on Netty's own io_uring transport, and every file op of a request goes into the ring
     * of the channel's own loop ({@code FileIo.of(ctx.channel().eventLoop())}): no hand-over at all,
     * each completion on the thread that serves the connection. Where Netty's io_uring does not run (a
     * seccomp profile refusing it), the channels run on epoll (else NIO) and the same call attaches the
     * portable engine to the channel's loop: still no hand-over, each completion on that loop.
     */
    NETTY_URING {
        @Override
        FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files, FileServerStats stats) {
            return new RingAccess(FileIo.of(handlerExecutor), stats);
        }

        @Override
        boolean ownRing() {
            return true;
        }

        @Override
        Sockets sockets() {
            return Sockets.nativeBest();
        }
    };

    /**
     * Where the next request of a handler running on {@code handlerExecutor} runs its file operations: the
     * same loop every time when {@link #ownRing()}, else the next loop of {@code files}.
     */
    abstract FileAccess access(EventExecutor handlerExecutor, IoUringFileEventLoopGroup files, FileServerStats stats);

    /**
     * Whether the handler's own loop runs its file operations. Then each loop also gets its own open-file
     * cache: a descriptor opened on another loop's ring would send every read of it to that ring, a
     * hand-over and a completion back each time.
     */
    boolean ownRing() {
        return false;
    }

    /**
     * The file API of a loop that serves this wiring's file ops: a channel's loop in {@link #NETTY_URING}, a
     * file loop in the others. For saying which engine serves ({@link FileIo#engine()}): every loop of a group
     * runs the same one.
     */
    FileIo servingFileIo(EventLoopGroup sockets, IoUringFileEventLoopGroup files) {
        return this == NETTY_URING ? FileIo.of(sockets.next()) : files.nextFileIo();
    }

    /** The transport of the sockets: NIO, unless the wiring says otherwise ({@link #NETTY_URING}). */
    Sockets sockets() {
        return Sockets.NIO;
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
        throw new IllegalArgumentException("--wiring must be netty-uring, channel or uring: " + name);
    }
}
