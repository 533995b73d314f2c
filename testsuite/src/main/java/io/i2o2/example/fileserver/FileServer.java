package io.i2o2.example.fileserver;

import io.i2o2.file.IoEngine;
import io.i2o2.file.IoUring;
import io.i2o2.file.IoUringChunkedFile;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.Resolve;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * A static HTTP/1.1 file server whose every file operation goes through io_uring: by default its channels run
 * on Netty's io_uring transport and each file op on the channel's own ring; the other {@link Wiring}s put the
 * channels on NIO and the ops on an {@link IoUringFileEventLoopGroup}. Where io_uring is blocked (a seccomp
 * profile) the same code runs on the library's portable engine, the channels of the default wiring on epoll;
 * the start-up line says which engine serves ({@link #fileEngine()}). Paths are opened with {@code openat2} beneath the root's descriptor
 * ({@code RESOLVE_BENEATH}), stat'ed with {@code statx} on the descriptor, and read into pooled direct
 * buffers of the channel's allocator that are then written to the socket as they are; large bodies stream
 * through {@code ChunkedWriteHandler} and {@link io.i2o2.file.IoUringChunkedFile}. Nothing blocks an event
 * loop (directory listings render on a separate executor). Binds 127.0.0.1.
 *
 * <p>What a public server needs, configured in one {@link ServerConfig}: header, keep-alive and idle
 * timeouts, a bound on connections, an accept loop that survives EMFILE, RFC 9112 checks (Host, version,
 * 414, 431, bad bodies), ETag / Last-Modified / Cache-Control, a full MIME table, {@code index.html}, an
 * optional open-file cache (nginx's {@code open_file_cache}).
 *
 * <pre>{@code
 * try (FileServer server = FileServer.start(FileServer.Options.of(Path.of("www")).withPort(0))) {
 *     System.out.println(server.uri());
 * }
 * }</pre>
 *
 * <p>From the command line: {@code ./i2o2 serve [DIR] [--port N] [--wiring netty-uring|channel|uring]}.
 */
public final class FileServer implements AutoCloseable {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FileServer.class);
    /** The address the server binds. */
    public static final String HOST = "127.0.0.1";
    private static final String USAGE = "usage: ./i2o2 serve [DIR] [--port N] [--wiring netty-uring|channel|uring]"
            + " [--threads N]\n"
            + "                     [--open-file-cache [--no-memory-cache] [--sendfile]]\n"
            + "                     [--chunk-size N] [--read-ahead N] [--spin-us N]\n"
            + "                     [--whole-body-limit N]\n"
            + "                     [--no-symlinks]\n"
            + "  DIR               the directory to serve (default: the current directory)\n"
            + "  --port            the port on 127.0.0.1 (default 8080; 0 picks a free one)\n"
            + "  --wiring          netty-uring: channels on Netty's io_uring transport, every file op on the\n"
            + "                    channel's own ring, no hand-over at all (default; the README's first way);\n"
            + "                    where io_uring is blocked: channels on epoll, file ops on the portable\n"
            + "                    engine of the same loop\n"
            + "                    channel: channels on NIO, each request's ops sent together to an io_uring\n"
            + "                    loop (one hand-over there, one back; the README's second way);\n"
            + "                    uring: channels on NIO, the file handler on an io_uring loop\n"
            + "                    (pipeline.addLast(fileGroup, handler), deprecated by Netty 4.2)\n"
            + "  --threads         socket loops and file loops, N of each (default: one per processor)\n"
            + "  --open-file-cache keep descriptors and metadata of served files (checked again every 60 s)\n"
            + "  --no-memory-cache with the cache, still read small files each time (default: files to 16 KiB\n"
            + "                    stay in memory while their cache entry lives)\n"
            + "  --sendfile        with the cache, send files with sendfile (zero copy, but it blocks the loop\n"
            + "                    when the pages are not in memory) instead of io_uring reads\n"
            + "  --chunk-size N    bytes per read of a streamed body (default 262144)\n"
            + "  --read-ahead N    reads in flight per streamed body (default 2)\n"
            + "  --whole-body-limit N  bodies to N bytes go in one read and one write (default 1048576)\n"
            + "  --spin-us N       how long an idle io_uring loop spins before it sleeps (default 20)\n"
            + "  --no-symlinks     refuse every path with a symbolic link in it (default: links inside DIR)";

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
     * @param config      the HTTP behaviour: timeouts, limits, link policy, caches ({@link ServerConfig})
     */
    public record Options(Path root, int port, Wiring wiring, int ioThreads, int fileThreads, int chunkSize,
                          IoUringConfig fileConfig, ByteBufAllocator allocator, ServerConfig config) {
        /** Validates the values. */
        public Options {
            Objects.requireNonNull(root, "root");
            Objects.requireNonNull(wiring, "wiring");
            Objects.requireNonNull(fileConfig, "fileConfig");
            Objects.requireNonNull(allocator, "allocator");
            Objects.requireNonNull(config, "config");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            if (ioThreads < 1 || fileThreads < 1 || chunkSize < 1) {
                throw new IllegalArgumentException("thread counts and chunkSize must be >= 1");
            }
        }

        /**
         * Serves {@code root} on port 8080 with the {@link Wiring#NETTY_URING} wiring (the README's first way:
         * channels on Netty's io_uring transport, file ops on the channel's own ring), one socket loop and one
         * io_uring file loop per processor, 256 KiB chunks, the shared pooled allocator and
         * {@link ServerConfig#defaults()}.
         *
         * @param root the directory to serve
         * @return the options
         */
        public static Options of(Path root) {
            int cpus = Runtime.getRuntime().availableProcessors();
            return new Options(root, 8080, Wiring.NETTY_URING, cpus, cpus, IoUringChunkedFile.DEFAULT_CHUNK_SIZE,
                    IoUringConfig.defaults(), PooledByteBufAllocator.DEFAULT, ServerConfig.defaults());
        }

        /**
         * Options from command-line arguments: {@code [DIR] [--port N] [--wiring netty-uring|channel|uring]}
         * and the rest of the usage; what is not given is as in {@link #of}.
         *
         * @param args the arguments after {@code serve}
         * @return the options they give
         * @throws IllegalArgumentException for an unknown or incomplete argument
         */
        public static Options parse(String... args) {
            Path root = null;
            Integer port = null;
            Wiring wiring = null;
            Integer threads = null;
            boolean cache = false;
            boolean noLinks = false;
            boolean noMemory = false;
            boolean sendfile = false;
            Integer chunk = null;
            Integer readAhead = null;
            Integer spinMicros = null;
            Integer wholeLimit = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = parsePort(value(args, ++i, a));
                    case "--wiring" -> wiring = Wiring.fromCliName(value(args, ++i, a));
                    case "--threads" -> threads = parseCount(value(args, ++i, a), a);
                    case "--open-file-cache" -> cache = true;
                    case "--no-symlinks" -> noLinks = true;
                    case "--no-memory-cache" -> noMemory = true;
                    case "--sendfile" -> sendfile = true;
                    case "--chunk-size" -> chunk = parseCount(value(args, ++i, a), a);
                    case "--read-ahead" -> readAhead = parseCount(value(args, ++i, a), a);
                    case "--spin-us" -> spinMicros = parseCount(value(args, ++i, a), a, 0);
                    case "--whole-body-limit" -> wholeLimit = parseCount(value(args, ++i, a), a, 0);
                    default -> {
                        if (a.startsWith("-") || root != null) {
                            throw new IllegalArgumentException("unexpected argument: " + a);
                        }
                        root = Path.of(a);
                    }
                }
            }
            Options o = of(root != null ? root : Path.of(""));
            o = o.withPort(port != null ? port : o.port()).withWiring(wiring != null ? wiring : o.wiring());
            if (threads != null) {
                o = o.withThreads(threads, threads);
            }
            ServerConfig.Builder c = o.config().toBuilder().openFileCache(cache);
            if (noLinks) {
                c.links(ServerConfig.LinkPolicy.NONE);
            }
            if (noMemory) {
                c.memoryCacheMaxFileSize(0);
            }
            if (sendfile) {
                c.zeroCopy(true);
            }
            if (readAhead != null) {
                c.readAhead(readAhead);
            }
            if (wholeLimit != null) {
                c.wholeBodyLimit(wholeLimit).memoryCacheMaxFileSize(Math.min(wholeLimit,
                        o.config().memoryCacheMaxFileSize()));
            }
            if (chunk != null) {
                o = o.withChunkSize(chunk);
            }
            if (spinMicros != null) {
                o = o.withFileConfig(IoUringConfig.builder().spin(spinMicros, TimeUnit.MICROSECONDS).build());
            }
            return o.withConfig(c.build());
        }

        private static int parseCount(String s, String option) {
            return parseCount(s, option, 1);
        }

        private static int parseCount(String s, String option, int min) {
            try {
                int n = Integer.parseInt(s);
                if (n >= min) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException(option + " must be a number >= " + min + ": " + s);
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
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with another wiring. */
        public Options withWiring(Wiring wiring) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with other thread counts. */
        public Options withThreads(int ioThreads, int fileThreads) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with another chunk size. */
        public Options withChunkSize(int chunkSize) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with another ring configuration. */
        public Options withFileConfig(IoUringConfig fileConfig) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with another HTTP behaviour. */
        public Options withConfig(ServerConfig config) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
        }

        /** The same options with another allocator. */
        public Options withAllocator(ByteBufAllocator allocator) {
            return new Options(root, port, wiring, ioThreads, fileThreads, chunkSize, fileConfig, allocator, config);
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
    private final IoUringFile rootDir;
    private final OpenFileCaches cache;
    private final ExecutorService listings;
    private final Sockets sockets;
    private final IoEngine fileEngine;

    private FileServer(Options options, UnaryOperator<FileAccess> accessSeam) throws IOException,
            InterruptedException {
        this.options = options;
        if (!Files.isDirectory(options.root())) {
            throw new IOException("not a directory: " + options.root().toAbsolutePath());
        }
        this.paths = new SafePaths(options.root());
        preload();
        this.fileGroup = new IoUringFileEventLoopGroup(options.fileThreads(), options.fileConfig());
        ServerConfig config = options.config();
        this.cache = config.openFileCache()
                ? new OpenFileCaches(config.openFileCacheMax(), options.wiring().ownRing()) : null;
        this.listings = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("file-server-listing-", 0)
                .daemon().factory());
        IoUringFile dir = null;
        EventLoopGroup io = null;
        try {
            // The root directory: every loop opens every path beneath it (openat2, Resolve.BENEATH), each open
            // holding it open until done.
            Future<IoUringFile> opened = fileGroup.nextFileIo().open(paths.root()).awaitUninterruptibly();
            if (!opened.isSuccess()) {
                throw new IOException("cannot open " + paths.root() + ": " + opened.cause().getMessage(),
                        opened.cause());
            }
            dir = opened.getNow();
            Sockets sockets = options.wiring().sockets();
            io = sockets.newGroup(options.ioThreads());
            Set<Resolve> resolve = Set.of(Resolve.BENEATH, config.links() == ServerConfig.LinkPolicy.NONE
                    ? Resolve.NO_SYMLINKS : Resolve.NO_MAGICLINKS);
            ServerContext context = new ServerContext(paths, config, options.wiring(), fileGroup, dir, resolve,
                    cache, config.openFileCacheValid().toNanos(), listings, stats, accessSeam);
            this.initializer = new FileServerInitializer(context, options.chunkSize(), channels);
            ChannelFuture bound = new ServerBootstrap()
                    .group(io)
                    .channel(sockets.serverChannelType())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.ALLOCATOR, options.allocator())
                    .childOption(ChannelOption.ALLOCATOR, options.allocator())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Netty's acceptor already survives EMFILE: an accept error never closes a server channel;
                    // ServerBootstrapAcceptor stops accepting for a second, then tries again.
                    .childHandler(initializer)
                    .bind(HOST, options.port())
                    .sync();
            this.serverChannel = bound.channel();
            this.ioGroup = io;
            this.sockets = sockets;
            this.fileEngine = options.wiring().servingFileIo(io, fileGroup).engine();
            this.rootDir = dir;
        } catch (Exception | Error e) {
            if (dir != null) {
                dir.close();
            }
            listings.shutdownNow();
            if (io != null) {
                shutDown(io);
            }
            shutDown(fileGroup);
            throw e;
        }
    }

    /**
     * Loads now what the JDK would otherwise open a file for on first use: with every descriptor taken
     * (EMFILE), the first log line's time stamp would fail to load the time-zone database, and the Error
     * would kill the event loop that logged it.
     */
    private static void preload() {
        java.util.TimeZone.getDefault().getRawOffset();
        java.time.ZoneId.systemDefault().getRules();
        java.time.ZonedDateTime.now().toString();
        HttpDate.now();
        ContentTypes.size();
        new java.util.logging.SimpleFormatter().format(new java.util.logging.LogRecord(java.util.logging.Level.INFO,
                "preload"));
    }

    /**
     * Starts a server and returns once it listens.
     *
     * @throws IOException if the root is not a directory or the port cannot be bound
     */
    public static FileServer start(Options options) throws IOException, InterruptedException {
        return new FileServer(options, UnaryOperator.identity());
    }

    /**
     * {@link #start(Options)}, with every lookup's {@link FileAccess} wrapped by {@code accessSeam}: for tests
     * that need an open to fail with an errno the kernel will not give them (EACCES as root, say).
     */
    static FileServer start(Options options, UnaryOperator<FileAccess> accessSeam) throws IOException,
            InterruptedException {
        return new FileServer(options, accessSeam);
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

    /**
     * Which engine runs the file ops: io_uring (this library's rings or Netty's), or the portable engine where
     * io_uring is unavailable (a seccomp profile refusing it) or configured away.
     */
    public IoEngine fileEngine() {
        return fileEngine;
    }

    /**
     * What serves, for the start-up line: the wiring, the socket transport and the file engine, with the reason
     * when the portable engine runs, e.g. {@code wiring netty-uring; sockets: epoll; file IO: portable engine,
     * io_uring unavailable: ...}. The only place the server names its engine, so a log says it once.
     */
    String servedBy() {
        String files = switch (fileEngine) {
            case NETTY_RING -> "io_uring (Netty's ring)";
            case RING_SQE64, RING_SQE128 -> "io_uring (this library's rings)";
            case PORTABLE -> "portable engine, " + (IoUring.isAvailable() ? "as configured (io_uring is available)"
                    : "io_uring unavailable: " + oneLine(IoUring.unavailabilityCause()));
        };
        return "wiring " + options.wiring().cliName() + "; sockets: " + sockets.label() + "; file IO: " + files;
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
        if (cache != null) {
            cache.clear();
        }
        rootDir.close();
        listings.shutdownNow();
        shutDown(fileGroup);
        shutDown(ioGroup);
    }

    /**
     * Empties the open-file cache (when on): each cached descriptor closes once no response uses it.
     * For tests that count open files.
     */
    public void dropCachedFiles() {
        if (cache != null) {
            cache.clear();
        }
    }

    /** How many files the open-file cache holds (0 when off). */
    public int cachedFiles() {
        return cache == null ? 0 : cache.size();
    }

    /** Graceful within 5 s; a group still running 10 s later is reported, not waited for forever. */
    private static void shutDown(EventExecutorGroup group) {
        if (!group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS)) {
            logger.error("{} did not terminate within 15 s of shutdownGracefully(0, 5 s)", group);
        }
    }

    /**
     * Runs the server from the command line until Ctrl+C. Any start-up failure (a busy port, a missing
     * root, no engine at all) is one line on stderr and exit status 1; bad arguments give the usage and 2.
     *
     * @param args {@code [DIR] [--port N] [--wiring netty-uring|channel|uring] ...}
     */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (Throwable t) {
            System.err.println("i2o2 serve: " + oneLine(t));
            System.err.flush();
            status = 1;
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main} without the exit: the exit status, after the server stopped (2 for bad arguments). */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(clean(e.getMessage()));
            err.println(USAGE);
            return 2;
        }
        FileServer server;
        try {
            server = start(options);
        } catch (Exception | LinkageError e) {
            err.println("i2o2 serve: cannot start: " + oneLine(e));
            err.flush();
            return 1;
        }
        Thread hook = new Thread(server::close, "file-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("serving " + clean(server.root().toString()) + " at " + server.uri() + " (" + server.servedBy()
                + ")");
        out.println("press Ctrl+C to stop");
        out.flush();
        server.closeFuture().syncUninterruptibly();
        return 0;
    }

    /**
     * A failure as one line: its message, and that of its deepest cause when it says more (a busy port is
     * "Address already in use", no io_uring the errno of io_uring_setup), control characters replaced.
     */
    static String oneLine(Throwable t) {
        String top = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = top;
        if (root != t && root.getMessage() != null && !top.contains(root.getMessage())) {
            msg = top + ": " + root.getMessage();
        }
        if (t instanceof java.net.BindException || root instanceof java.net.BindException) {
            msg = "cannot listen on " + HOST + ": " + msg;
        }
        return clean(msg);
    }

    /** Replaces control characters (newlines, terminal escapes) so a message is one plain line. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
        }
        return b.toString();
    }
}
