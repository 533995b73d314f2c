package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A static HTTP/1.1 file server on Netty's NIO transport whose every file read goes through io_uring
 * ({@link IoUringFileEventLoopGroup}), into pooled direct buffers of the channel's allocator that are then
 * written to the socket as they are. Binds 127.0.0.1.
 *
 * <pre>{@code
 * try (FileServer server = FileServer.start(FileServer.Options.of(Path.of("www")).withPort(0))) {
 *     System.out.println(server.uri());
 * }
 * }</pre>
 *
 * <p>From the command line: {@code ./i2o2 serve [DIR] [--port N] [--wiring uring|channel]}.
 */
public final class FileServer implements AutoCloseable {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FileServer.class);
    /** The address the server binds. */
    public static final String HOST = "127.0.0.1";
    private static final String USAGE = "usage: ./i2o2 serve [DIR] [--port N] [--wiring uring|channel]\n"
            + "  DIR       the directory to serve (default: the current directory)\n"
            + "  --port    the port on 127.0.0.1 (default 8080; 0 picks a free one)\n"
            + "  --wiring  uring: the file handler runs on an io_uring loop (default);\n"
            + "            channel: it runs on the channel's loop and sends its reads to io_uring loops";

    /**
     * How to run a server; immutable, change it with the {@code with...} methods.
     *
     * @param root        the directory to serve
     * @param port        the TCP port, 0 for any free one
     * @param wiring      where the file handler runs
     * @param ioThreads   NIO event loop threads for the sockets
     * @param fileThreads io_uring loops for the files
     * @param chunkSize   the most bytes per read of a response body
     * @param fileConfig  how the io_uring loops set up their rings
     * @param allocator   the buffers' allocator, for the sockets and the file reads alike
     */
    public record Options(Path root, int port, Wiring wiring, int ioThreads, int fileThreads, int chunkSize,
                          IoUringConfig fileConfig, ByteBufAllocator allocator) {
        /** Validates the values. */
        public Options {
            Objects.requireNonNull(root, "root");
            Objects.requireNonNull(wiring, "wiring");
            Objects.requireNonNull(fileConfig, "fileConfig");
            Objects.requireNonNull(allocator, "allocator");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            if (ioThreads < 1 || fileThreads < 1 || chunkSize < 1) {
                throw new IllegalArgumentException("thread counts and chunkSize must be >= 1");
            }
        }

        /**
         * Serves {@code root} on port 8080 with the {@link Wiring#URING} wiring, one NIO and one io_uring
         * loop per processor, 64 KiB chunks and the shared pooled allocator.
         */
        public static Options of(Path root) {
            int cpus = Runtime.getRuntime().availableProcessors();
            return new Options(root, 8080, Wiring.URING, cpus, cpus, 64 * 1024, IoUringConfig.defaults(),
                    PooledByteBufAllocator.DEFAULT);
        }

        /**
         * Options from command-line arguments: {@code [DIR] [--port N] [--wiring uring|channel]}.
         *
         * @throws IllegalArgumentException for an unknown or incomplete argument
         */
        public static Options parse(String... args) {
            Path root = null;
            Integer port = null;
            Wiring wiring = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = parsePort(value(args, ++i, a));
                    case "--wiring" -> wiring = Wiring.fromCliName(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("-") || root != null) {
                            throw new IllegalArgumentException("unexpected argument: " + a);
                        }
                        root = Path.of(a);
                    }
                }
            }
            Options o = of(root != null ? root : Path.of(""));
            return o.withPort(port != null ? port : o.port()).withWiring(wiring != null ? wiring : o.wiring());
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int parsePort(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port must be a number: " + s);
            }
        }

        /** The same options with another port. */
        public Options withPort(int port) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }

        /** The same options with another wiring. */
        public Options withWiring(Wiring wiring) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }

        /** The same options with other thread counts. */
        public Options withThreads(int ioThreads, int fileThreads) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }

        /** The same options with another chunk size. */
        public Options withChunkSize(int chunkSize) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }

        /** The same options with another ring configuration. */
        public Options withFileConfig(IoUringConfig fileConfig) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }

        /** The same options with another allocator. */
        public Options withAllocator(ByteBufAllocator allocator) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator);
        }
    }

    private final Options options;
    private final EventLoopGroup ioGroup;
    private final IoUringFileEventLoopGroup fileGroup;
    private final ChannelGroup channels = new DefaultChannelGroup("file-server", GlobalEventExecutor.INSTANCE);
    private final FileServerStats stats = new FileServerStats();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel serverChannel;
    private final SafePaths paths;
    private final FileServerInitializer initializer;

    private FileServer(Options options) throws IOException, InterruptedException {
        this.options = options;
        if (!Files.isDirectory(options.root())) {
            throw new IOException("not a directory: " + options.root().toAbsolutePath());
        }
        this.paths = new SafePaths(options.root());
        this.fileGroup = new IoUringFileEventLoopGroup(options.fileThreads(), options.fileConfig());
        this.ioGroup = new MultiThreadIoEventLoopGroup(options.ioThreads(), NioIoHandler.newFactory());
        this.initializer = new FileServerInitializer(paths, fileGroup, options.wiring(), options.chunkSize(), stats,
                channels);
        try {
            ChannelFuture bound = new ServerBootstrap()
                    .group(ioGroup)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.ALLOCATOR, options.allocator())
                    .childOption(ChannelOption.ALLOCATOR, options.allocator())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(initializer)
                    .bind(HOST, options.port())
                    .sync();
            this.serverChannel = bound.channel();
        } catch (Exception | Error e) {
            shutDownGroups();
            throw e;
        }
    }

    /**
     * Starts a server and returns once it listens.
     *
     * @throws IOException if the root is not a directory or the port cannot be bound
     */
    public static FileServer start(Options options) throws IOException, InterruptedException {
        return new FileServer(options);
    }

    /** The options the server runs with. */
    public Options options() {
        return options;
    }

    /** The real path of the served directory. */
    public Path root() {
        return paths.root();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The bound port (the chosen one when the options said 0). */
    public int port() {
        return address().getPort();
    }

    /** {@code http://127.0.0.1:PORT/}. */
    public URI uri() {
        return URI.create("http://" + HOST + ":" + port() + "/");
    }

    /** Live counters: connections and buffered chunk bytes. */
    public FileServerStats stats() {
        return stats;
    }

    /** The io_uring loops that read the files. */
    public IoUringFileEventLoopGroup fileGroup() {
        return fileGroup;
    }

    /** Completes when the listening socket closes ({@link #close()}). */
    public ChannelFuture closeFuture() {
        return serverChannel.closeFuture();
    }

    /**
     * Stops the server and waits for it: stops listening, closes every connection (transfers stop, their
     * files close) and lets their last events pass, lets the io_uring loops complete what is in flight, then
     * stops the socket loops, which run the last completions' listeners. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly();
        // A closed channel's last events still travel through its pipeline, partly on an io_uring loop in
        // the URING wiring: let them pass before that loop stops.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (initializer.livePipelines() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        shutDownGroups();
    }

    private void shutDownGroups() {
        shutDown(fileGroup);
        shutDown(ioGroup);
    }

    /** Graceful within 5 s; a group still running 10 s later is reported, not waited for forever. */
    private static void shutDown(EventExecutorGroup group) {
        if (!group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS)) {
            logger.error("{} did not terminate within 15 s of shutdownGracefully(0, 5 s)", group);
        }
    }

    /**
     * Runs the server from the command line until Ctrl+C.
     *
     * @param args {@code [DIR] [--port N] [--wiring uring|channel]}
     */
    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main} without the exit: the exit status, after the server stopped (2 for bad arguments). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        FileServer server = start(options);
        Thread hook = new Thread(server::close, "file-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("serving " + server.root() + " at " + server.uri() + " (" + options.wiring().cliName()
                + " wiring, reads through io_uring)");
        out.println("press Ctrl+C to stop");
        out.flush();
        server.closeFuture().syncUninterruptibly();
        return 0;
    }
}
