package io.i2o2.file;

import io.i2o2.uring.IoUringProbe;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.SetupFlag;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The file API of one Netty event loop: opens, stats, deletes, timers, raw SQEs and linked chains here,
 * reads, writes and syncs on the {@link IoUringFile}s it opens. Every method may be called from any thread;
 * the ops run on the loop's engine ({@link #engine()}: an io_uring ring, or the portable engine) and complete
 * on the loop's thread. A failed op fails with a {@link FileIoException} (the errno), a refused one with a
 * {@link FileIoOverloadedException}.
 *
 * <p>The name says what it is, not how it runs: where io_uring is blocked (a container's seccomp profile, a
 * sysctl, an old kernel) the portable engine ({@link IoEngine#PORTABLE}: the same ops as blocking system calls
 * on worker threads, the same results and errnos) serves this same API, so one code path runs everywhere.
 * Every object the library hands out is still an {@link IoUringFileIo}, the deprecated old name, so code
 * written against that keeps working.
 *
 * <p>Get one with {@link #of(EventExecutor)} for
 * <ul>
 *   <li>a loop of an {@link IoUringFileEventLoopGroup} (64-byte SQEs) or an
 *       {@link IoUringPassthroughEventLoopGroup} (128-byte SQEs, for {@code uring_cmd}), or of any
 *       {@code MultiThreadIoEventLoopGroup} made with their {@code newIoHandlerFactory}: the loop's own
 *       ring, every feature;</li>
 *   <li>a loop of Netty's own io_uring transport ({@code IoUringIoHandler}, with
 *       {@code netty-transport-classes-io_uring} on the class path): the ring Netty's channels already use,
 *       so a channel handler reads a file without leaving its loop. What Netty's public API cannot do there
 *       is refused, as below;</li>
 *   <li>a loop of any other Netty 4.2 transport (epoll, NIO): the portable engine, attached to that loop, so the file API of {@code ctx.channel().eventLoop()} completes on the
 *       channel's own loop on every transport. It takes the process-wide defaults ({@code -Dio.i2o2.*}).</li>
 * </ul>
 * Where io_uring is unavailable, this library's groups run the portable engine by themselves (logged once at
 * INFO, with the reason), and so does a loop of Netty's io_uring transport; {@link EngineChoice#IO_URING}
 * ({@code -Dio.i2o2.engine=io_uring}) fails fast instead.
 *
 * <p><b>What the portable engine cannot do.</b> Raw SQEs ({@link #submitRaw}) need a ring and are refused there
 * as below; NVMe passthrough runs through the NVMe driver's ioctls (same command layout, same status), other
 * {@code uring_cmd}s are refused. Registered buffers and files are emulated (plain memory, a descriptor table),
 * so code written for them runs unchanged. A linked chain runs link after link on one worker; a link timeout
 * cannot stop a blocking call, so it reports whether its link overran. {@code cancel()} is true until a worker
 * takes the op (it then never runs); one inside its system call completes as it will.
 *
 * <p><b>What Netty's io_uring loop cannot do.</b> Netty's public API cannot register buffers or files with its
 * ring, has no 128-byte SQEs, and may submit between two links of a chain. So on its loops
 * ({@link #isNettyRing()}) {@link #fixedBuffers()}, {@link #link()}, {@code open} with
 * {@link IoUringOpenOption#REGISTER}, {@link IoUringFile#readFixed}, {@link IoUringFile#writeFixed},
 * {@link IoUringFile#uringCmd} and {@link IoUringFile#uringCmdVectored} are all refused the same way: with an
 * {@link UnsupportedOperationException} whose message names the group to use instead
 * ({@link IoUringFileEventLoopGroup} or {@link IoUringPassthroughEventLoopGroup}), the way this API refuses
 * anything: a method that returns a future fails that future before it returns (its {@link IoCallback}
 * variant throws), and a method that returns no future throws. Nothing is taken.
 *
 * <p><b>The kill switch.</b> With {@code -Dio.i2o2.disable=true} this library never touches io_uring:
 * {@link IoUring#isAvailable()} is false and every loop runs the portable engine, a loop of Netty's io_uring
 * transport too (Netty's own channels go on using its ring: the switch is this library's).
 */
@SuppressWarnings("deprecation")    // permits the deprecated old name, the class of every object handed out
public sealed class FileIo permits IoUringFileIo {
    private final FileIoCore core;
    /** Builds, checks and submits this loop's ops on no open file. */
    private final OpBuilder ops;

    FileIo(FileIoCore core) {
        this.core = core;
        this.ops = new OpBuilder(core, null, false);
    }

    /**
     * The file API of {@code loop}.
     *
     * @param executor a loop of one of this library's groups, of a {@code MultiThreadIoEventLoopGroup} made
     *                 with their handler factory, or of any Netty 4.2 transport (for example
     *                 {@code ctx.channel().eventLoop()})
     * @return the loop's file API (the same object every time for the same loop)
     * @throws UnsupportedOperationException where no engine can run (not Linux, native access denied), or
     *                                       {@code -Dio.i2o2.engine=io_uring} and the loop cannot have io_uring
     * @throws IllegalArgumentException if it is not a Netty {@code IoEventLoop}
     */
    public static FileIo of(EventExecutor executor) {
        Objects.requireNonNull(executor, "loop");
        if (!(executor instanceof IoEventLoop loop)) {
            throw new IllegalArgumentException(executor + " is not a Netty IoEventLoop: use a loop of one of this "
                    + "library's groups, or a channel's loop (ctx.channel().eventLoop()) of a Netty 4.2 transport");
        }
        FileIoCore core = CoreRegistry.of(loop);
        if (core != null) {
            return core.api();
        }
        return attach(loop).api();
    }

    /** The core of a loop of another transport: Netty's io_uring ring where this library may use io_uring, else the portable engine. */
    private static FileIoCore attach(IoEventLoop loop) {
        IoUringProbe.Availability a = IoUringProbe.availability();
        EngineChoice choice = ConfigProperties.ENGINE;
        if (choice != EngineChoice.PORTABLE && a.available() && NettyUring.runs(loop)) {
            return NettyRingHandle.attach(loop);
        }
        if (choice == EngineChoice.IO_URING) {
            throw new UnsupportedOperationException("-Dio.i2o2.engine=io_uring, but " + loop + (a.available()
                    ? " is not a loop of Netty's io_uring transport" : " cannot use io_uring: " + a.message()),
                    a.toException());
        }
        if (!EngineSelection.portableRuns()) {
            throw new UnsupportedOperationException("failed to run file IO on " + loop + ": " + a.message()
                    + " (the portable engine needs Linux and native access too)", a.toException());
        }
        return PortableEngine.attach(loop);
    }

    /**
     * Whether {@link #of} works for {@code executor}: a Netty {@code IoEventLoop} on a machine where one of the
     * engines can run (Linux and native access: the portable engine runs wherever io_uring cannot).
     *
     * @param executor any executor, for example {@code ctx.executor()}
     * @return whether the file API can run on it
     */
    public static boolean isSupported(EventExecutor executor) {
        if (!(executor instanceof IoEventLoop loop)) {
            return false;
        }
        if (CoreRegistry.of(loop) != null) {
            return true;
        }
        IoUringProbe.Availability a = IoUringProbe.availability();
        if (ConfigProperties.ENGINE == EngineChoice.IO_URING) {
            return a.available() && NettyUring.runs(loop);
        }
        return EngineSelection.portableRuns();
    }

    /** Whether a loop runs Netty's io_uring handler; false when that optional dependency is absent. */
    private static final class NettyUring {
        private static final Class<? extends IoHandler> HANDLER = load();

        @SuppressWarnings("unchecked")
        private static Class<? extends IoHandler> load() {
            try {
                return (Class<? extends IoHandler>) Class.forName("io.netty.channel.uring.IoUringIoHandler", false,
                        FileIo.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError absent) {
                return null;
            }
        }

        static boolean runs(IoEventLoop loop) {
            return HANDLER != null && loop.isIoType(HANDLER);
        }
    }

    // ---- what this loop is ----

    /**
     * The event loop whose ring runs this API's operations (and whose thread completes them).
     *
     * @return the event loop whose ring runs this API's operations
     */
    public IoEventLoop executor() {
        return core.executor();
    }

    /**
     * Which engine runs this loop's file IO.
     *
     * @return the engine: one of this library's rings, Netty's ring, or the portable engine
     */
    public IoEngine engine() {
        return core.traits().engine();
    }

    /**
     * What runs this loop's file IO: the engine, its ring's setup flags (and those dropped for this kernel),
     * and how other threads wake the loop.
     *
     * @return the facts, read now; their {@code wake} is null before the loop started
     */
    public EngineFacts engineFacts() {
        EngineTraits t = core.traits();
        return new EngineFacts(t.engine(), t.setupFlags(), t.droppedSetupFlags(), core.wakeMechanism());
    }

    /**
     * Whether this loop runs {@code uring_cmd} (NVMe passthrough): a ring with 128-byte SQEs and 32-byte CQEs,
     * or the portable engine (through the NVMe driver's ioctls).
     *
     * @return whether {@link IoUringFile#uringCmd} runs here
     */
    public boolean isPassthrough() {
        return core.isPassthrough();
    }

    /**
     * Whether this is Netty's own io_uring loop (shared with its channels) rather than this library's ring.
     *
     * @return {@code true} on a Netty {@code IoUringIoHandler} loop, {@code false} on this library's ring
     */
    public boolean isNettyRing() {
        return core.traits().isNettyRing();
    }

    /**
     * The setup flags the ring runs with, by their names without prefix ({@code "SINGLE_ISSUER"},
     * {@code "SQE128"}, ...); empty on Netty's ring, whose flags are not public.
     *
     * @return the flag names
     * @deprecated use {@code engineFacts().setupFlags()}, typed
     */
    @Deprecated(since = "0.1.0")
    public Set<String> ringFlags() {
        return names(core.traits().setupFlags());
    }

    /**
     * Preferred flags this kernel lacks, which the ring runs without.
     *
     * @return the flag names
     * @deprecated use {@code engineFacts().droppedSetupFlags()}, typed
     */
    @Deprecated(since = "0.1.0")
    public Set<String> droppedRingFlags() {
        return names(core.traits().droppedSetupFlags());
    }

    private static Set<String> names(Set<SetupFlag> flags) {
        Set<String> names = new java.util.TreeSet<>();
        for (SetupFlag f : flags) {
            names.add(f.name());
        }
        return java.util.Collections.unmodifiableSet(names);
    }

    /**
     * Whether this kernel supports an io_uring opcode.
     *
     * @param opcode an {@link Opcode} constant, such as {@link Opcode#FTRUNCATE}
     * @return whether the kernel's probe lists it
     */
    public boolean supportsOpcode(int opcode) {
        return core.supports(opcode);
    }

    /**
     * Whether this kernel supports an io_uring opcode.
     *
     * @param opcode its name without prefix, such as {@code "FTRUNCATE"} for {@code IORING_OP_FTRUNCATE}
     * @return whether the kernel's probe lists it
     * @deprecated use {@link #supportsOpcode(int)} with an {@link Opcode} constant
     */
    @Deprecated(since = "0.1.0")
    public boolean supportsOpcode(String opcode) {
        return core.probe().supportedNames().contains(opcode);
    }

    /**
     * How other threads wake this loop: {@code "msg_ring"}, {@code "eventfd"} or {@code "netty"}; null before it started.
     *
     * @return {@code "msg_ring"}, {@code "eventfd"} or {@code "netty"}; null before the loop started
     * @deprecated use {@code engineFacts().wake()}, typed
     */
    @Deprecated(since = "0.1.0")
    public String wakeMechanism() {
        WakeMechanism mechanism = core.wakeMechanism();
        return mechanism == null ? null : mechanism.label();
    }

    /**
     * The most operations this loop holds at once, queued or in flight.
     *
     * @return the bound beyond which submissions fail with {@link FileIoOverloadedException}
     */
    public int maxInFlight() {
        return core.capacity();
    }

    /**
     * What this loop's file IO has done so far: ops submitted, completed, failed, cancelled, refused, in
     * flight and queued now, CQ overflows, wake-ups.
     *
     * @return a snapshot of the loop's counters
     */
    public IoUringLoopMetrics metrics() {
        return core.metrics();
    }

    /**
     * Operations accepted and not yet completed, right now.
     *
     * @return the count of operations accepted and not yet completed (a moment's reading)
     */
    public int pendingOps() {
        return core.table.inUse();
    }

    /**
     * This loop's registered buffers.
     *
     * @return the pool
     * @throws UnsupportedOperationException on Netty's io_uring loop, which cannot have any
     * @throws IllegalStateException if the group was configured without {@link IoUringConfig.Builder#fixedBuffers}
     */
    public FixedBufferPool fixedBuffers() {
        if (core.lacks(EngineFeature.FIXED_BUFFERS)) {
            throw core.refusal(EngineFeature.FIXED_BUFFERS);
        }
        FixedBufferPool pool = core.fixedBuffersOrNull();
        if (pool == null) {
            throw new IllegalStateException("no registered buffers: configure IoUringConfig.builder().fixedBuffers()");
        }
        return pool;
    }

    /**
     * A promise whose listeners each run exactly once, whenever they are added: on this loop's thread while the
     * loop still runs the tasks it accepts; on {@code GlobalEventExecutor}'s thread once the loop is shut down
     * ({@code isShutdown()}), when it refuses the notification, or when it accepted it too late to be sure to
     * run it before it terminates. Every future this API returns notifies its listeners the same way.
     *
     * @param <V> the result type
     * @return a new promise
     */
    public <V> Promise<V> newPromise() {
        return new IoPromise<>(core);
    }

    /**
     * A failed future whose listeners run like those of {@link #newPromise()}.
     *
     * @param cause the failure
     * @param <V> the result type
     * @return the failed future
     */
    public <V> Future<V> newFailedFuture(Throwable cause) {
        return new IoPromise<V>(core).setFailure(cause);
    }

    // ---- operations that need no open file ----
    //
    // Each comes as a returned future and as "complete the promise you pass" (for example
    // ctx.executor().newPromise(), so listeners run on your channel's loop). Ops whose result is an int also
    // take an allocation-free IoCallback; open and stat do not: a callback's int cannot carry their value.

    /**
     * A no-op through the ring.
     *
     * @return a future completing with 0
     */
    public IntFuture nop() {
        return ops.nop(ops.intPromise());
    }

    /**
     * A no-op through the ring, completing {@code promise} with 0.
     *
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> nop(Promise<Integer> promise) {
        return ops.nop(Target.user(promise)).promise();
    }

    /**
     * A no-op that reports to {@code callback} (result 0) and allocates nothing.
     *
     * @param callback called on the loop thread
     * @param tag handed to the callback
     */
    public void nop(IoCallback callback, long tag) {
        ops.nop(callback, tag);
    }

    /**
     * Opens a file ({@code openat(2)} through the ring). With no options, opens for reading. Supports the
     * {@link java.nio.file.StandardOpenOption}s READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING,
     * SYNC, DSYNC, {@link java.nio.file.LinkOption#NOFOLLOW_LINKS}, and {@link IoUringOpenOption}s.
     * New files get mode 0644.
     *
     * @param path a path of the default file system
     * @param options how to open it
     * @return a future completing with the open file
     */
    public Future<IoUringFile> open(Path path, OpenOption... options) {
        return open(path, Set.of(options), 0644);
    }

    /**
     * Opens a file with the given options and creation mode.
     *
     * @param path a path of the default file system
     * @param options how to open it (see {@link #open(Path, OpenOption...)})
     * @param mode the permissions of a created file, e.g. {@code 0600}
     * @return a future completing with the open file
     */
    public Future<IoUringFile> open(Path path, Set<? extends OpenOption> options, int mode) {
        return ops.open(path, options, mode, ops.promise());
    }

    /**
     * {@link #open(Path, Set, int)}, completing {@code promise}; a file opened for a promise that was
     * completed meanwhile (cancelled) is closed again, never leaked.
     *
     * @param path a path of the default file system
     * @param options how to open it
     * @param mode the permissions of a created file
     * @param promise completed with the open file
     * @return {@code promise}
     */
    public Future<IoUringFile> open(Path path, Set<? extends OpenOption> options, int mode,
                                    Promise<IoUringFile> promise) {
        return ops.open(path, options, mode, Target.user(promise)).promise();
    }

    /**
     * Opens a path relative to a directory, restricted in how it may resolve ({@code openat2(2)} through the
     * ring, Linux 5.6): with {@link Resolve#BENEATH}, say, neither {@code ..}, an absolute path nor a link
     * leads out of {@code directory}. The path goes to the kernel as given: what the restrictions refuse fails
     * the future with a {@link FileIoException} carrying the kernel's errno (EXDEV for a way out, ELOOP for a
     * link refused, ENOENT for a missing file, ...). Takes the options of {@link #open(Path, OpenOption...)}; a
     * new file gets {@code mode}.
     *
     * <p>{@code directory} may be a file of any loop (for example one root shared by every loop) and is not
     * closed by this call; the open keeps its descriptor open until it completes, so closing it meanwhile is
     * safe. Refused at once, with nothing submitted: a closed {@code directory} ({@link ClosedFileException}),
     * an option {@code open} refuses, and a kernel without {@code IORING_OP_OPENAT2} (a
     * {@link FileIoException} with EINVAL, the ring's answer to an opcode it does not know).
     *
     * @param directory an open directory the path is resolved from
     * @param relativePath the path, resolved from {@code directory} (an absolute one too, unless
     *                     {@code resolve} forbids or re-roots it); no NUL characters
     * @param options how to open it (see {@link #open(Path, OpenOption...)})
     * @param mode the permissions of a created file, e.g. {@code 0600} (used with {@code CREATE} only)
     * @param resolve the restrictions, possibly none
     * @return a future completing with the open file, of this loop
     */
    public Future<IoUringFile> open(IoUringFile directory, String relativePath, Set<? extends OpenOption> options,
                                    int mode, Set<Resolve> resolve) {
        return ops.openat2(Objects.requireNonNull(directory, "directory").openFile(), relativePath, options, mode,
                resolve, ops.promise());
    }

    /**
     * {@link #open(IoUringFile, String, Set, int, Set)}, completing {@code promise}; a file opened for a promise
     * that was completed meanwhile (cancelled) is closed again, never leaked.
     *
     * @param directory an open directory the path is resolved from
     * @param relativePath the path, resolved from {@code directory}
     * @param options how to open it
     * @param mode the permissions of a created file
     * @param resolve the restrictions, possibly none
     * @param promise completed with the open file
     * @return {@code promise}
     */
    public Future<IoUringFile> open(IoUringFile directory, String relativePath, Set<? extends OpenOption> options,
                                    int mode, Set<Resolve> resolve, Promise<IoUringFile> promise) {
        return ops.openat2(Objects.requireNonNull(directory, "directory").openFile(), relativePath, options, mode,
                resolve, Target.user(promise)).promise();
    }

    /**
     * {@code statx(2)} of a path, following symbolic links.
     *
     * @param path a path of the default file system
     * @return a future completing with the metadata
     */
    public Future<FileStat> stat(Path path) {
        return ops.pathOp(OpKind.STATX, path, null, 0, ops.promise());
    }

    /**
     * {@link #stat(Path)}, completing {@code promise}.
     *
     * @param path a path of the default file system
     * @param promise completed with the metadata
     * @return {@code promise}
     */
    public Future<FileStat> stat(Path path, Promise<FileStat> promise) {
        return ops.pathOp(OpKind.STATX, path, null, 0, Target.user(promise)).promise();
    }

    /**
     * Deletes a file ({@code unlinkat(2)}).
     *
     * @param path a path of the default file system
     * @return a future completing with 0
     */
    public IntFuture delete(Path path) {
        return intPathOp(OpKind.UNLINKAT, path, null, 0);
    }

    /**
     * {@link #delete(Path)}, completing {@code promise}.
     *
     * @param path a path of the default file system
     * @param promise completed with 0
     * @return {@code promise}
     */
    public Future<Integer> delete(Path path, Promise<Integer> promise) {
        return intPathOp(OpKind.UNLINKAT, path, null, 0, promise);
    }

    /**
     * Deletes an empty directory ({@code unlinkat(2)} with {@code AT_REMOVEDIR}).
     *
     * @param path a path of the default file system
     * @return a future completing with 0
     */
    public IntFuture deleteDirectory(Path path) {
        return intPathOp(OpKind.UNLINKAT, path, null, Linux.AT_REMOVEDIR);
    }

    /**
     * {@link #deleteDirectory(Path)}, completing {@code promise}.
     *
     * @param path a path of the default file system
     * @param promise completed with 0
     * @return {@code promise}
     */
    public Future<Integer> deleteDirectory(Path path, Promise<Integer> promise) {
        return intPathOp(OpKind.UNLINKAT, path, null, Linux.AT_REMOVEDIR, promise);
    }

    /**
     * Creates a directory ({@code mkdirat(2)}).
     *
     * @param path a path of the default file system
     * @param mode its permissions, e.g. {@code 0755}
     * @return a future completing with 0
     */
    public IntFuture createDirectory(Path path, int mode) {
        return intPathOp(OpKind.MKDIRAT, path, null, mode);
    }

    /**
     * {@link #createDirectory(Path, int)}, completing {@code promise}.
     *
     * @param path a path of the default file system
     * @param mode its permissions
     * @param promise completed with 0
     * @return {@code promise}
     */
    public Future<Integer> createDirectory(Path path, int mode, Promise<Integer> promise) {
        return intPathOp(OpKind.MKDIRAT, path, null, mode, promise);
    }

    /**
     * Renames {@code from} to {@code to} ({@code renameat2(2)}).
     *
     * @param from the current path
     * @param to the new path
     * @param flags 0, or {@link Linux#RENAME_NOREPLACE} and friends
     * @return a future completing with 0
     */
    public IntFuture rename(Path from, Path to, int flags) {
        return intPathOp(OpKind.RENAMEAT, from, Objects.requireNonNull(to, "to"), flags);
    }

    /**
     * {@link #rename(Path, Path, int)}, completing {@code promise}.
     *
     * @param from the current path
     * @param to the new path
     * @param flags 0, or {@link Linux#RENAME_NOREPLACE} and friends
     * @param promise completed with 0
     * @return {@code promise}
     */
    public Future<Integer> rename(Path from, Path to, int flags, Promise<Integer> promise) {
        return intPathOp(OpKind.RENAMEAT, from, Objects.requireNonNull(to, "to"), flags, promise);
    }

    private IntFuture intPathOp(OpKind kind, Path path, Path second, int arg) {
        return ops.pathOp(kind, path, second, arg, ops.intPromise());
    }

    private Future<Integer> intPathOp(OpKind kind, Path path, Path second, int arg, Promise<Integer> promise) {
        return ops.pathOp(kind, path, second, arg, Target.user(promise)).promise();
    }

    /**
     * Completes after {@code delay} ({@code IORING_OP_TIMEOUT}): a timer without a scheduled task.
     *
     * @param delay how long, {@code >= 0}
     * @param unit its unit
     * @return a future completing when the time is up
     */
    public Future<Void> timeout(long delay, TimeUnit unit) {
        return ops.timeout(delay, unit, ops.promise());
    }

    /**
     * {@link #timeout(long, TimeUnit)}, completing {@code promise}.
     *
     * @param delay how long, {@code >= 0}
     * @param unit its unit
     * @param promise completed when the time is up
     * @return {@code promise}
     */
    public Future<Void> timeout(long delay, TimeUnit unit, Promise<Void> promise) {
        return ops.timeout(delay, unit, Target.user(promise)).promise();
    }

    /**
     * {@code madvise(2)} on page-aligned memory, for advice that cannot lose data ({@code NORMAL, RANDOM,
     * SEQUENTIAL, WILLNEED, COLD, POPULATE_READ}); others fail with {@link IllegalArgumentException}. The
     * segment must stay alive until the future completes. A heap segment ({@code MemorySegment.ofArray}) fails
     * with {@link IllegalArgumentException}: the kernel advises on native memory only.
     *
     * @param memory whole pages of native memory
     * @param advice one of the safe {@code MADV_*} values in {@link Linux}
     * @return a future completing with 0
     */
    public IntFuture madvise(MemorySegment memory, int advice) {
        return ops.madvise(memory, advice, ops.intPromise());
    }

    /**
     * {@link #madvise(MemorySegment, int)}, completing {@code promise}.
     *
     * @param memory whole pages of native memory
     * @param advice one of the safe {@code MADV_*} values
     * @param promise completed with 0
     * @return {@code promise}
     */
    public Future<Integer> madvise(MemorySegment memory, int advice, Promise<Integer> promise) {
        return ops.madvise(memory, advice, Target.user(promise)).promise();
    }

    /**
     * Submits an SQE for an opcode this library does not wrap. {@code filler} writes it on the loop thread;
     * {@code guard} (may be null) is kept until the CQE arrives, then released if it is reference counted or
     * closed if it is {@link AutoCloseable}; refused, it is released (or closed) at once. Unchecked:
     * addresses written by the filler are yours to keep valid.
     *
     * @param filler writes the entry (opcode and fields; flags and {@code user_data} are the loop's)
     * @param guard kept alive until the CQE, or null
     * @return a future completing with the CQE's {@code res} (negative: the kernel's -errno, as a failure)
     */
    public IntFuture submitRaw(SqeFiller filler, Object guard) {
        return ops.submitRaw(filler, guard, ops.intPromise());
    }

    /**
     * {@link #submitRaw(SqeFiller, Object)}, completing {@code promise}.
     *
     * @param filler writes the entry
     * @param guard kept alive until the CQE, or null
     * @param promise completed with the CQE's {@code res}
     * @return {@code promise}
     */
    public Future<Integer> submitRaw(SqeFiller filler, Object guard, Promise<Integer> promise) {
        return ops.submitRaw(filler, guard, Target.user(promise)).promise();
    }

    /**
     * Starts a chain of linked operations: each starts when the one before succeeded ({@code IOSQE_IO_LINK}).
     *
     * @return an empty chain to add operations to
     * @throws UnsupportedOperationException on Netty's io_uring loop, which may submit between two links
     */
    public LinkedOps link() {
        if (core.lacks(EngineFeature.LINKED_CHAINS)) {
            throw core.refusal(EngineFeature.LINKED_CHAINS);
        }
        return new LinkedOps(core);
    }

    /**
     * Starts a batch: many independent operations handed to the loop in one go from any thread, one hand-over
     * and one wake-up for all, each with its own result, admitted whole or refused whole against
     * {@link #maxInFlight()}. Runs on every engine, Netty's io_uring loop included. Reuse the batch after
     * {@link BatchedOps#submit()}: it is empty again.
     *
     * @return an empty batch to add operations to
     */
    public BatchedOps batch() {
        return new BatchedOps(core);
    }

    FileIoCore core() {
        return core;
    }

    /** What builds this loop's ops on no open file. */
    OpBuilder ops() {
        return ops;
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
