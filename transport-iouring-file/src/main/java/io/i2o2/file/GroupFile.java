package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One file opened on every loop of a group, so that its reads and writes spread over the group's loops: one
 * loop is one core, and a group of loops is how the file API uses several.
 *
 * <p>{@link #open} opens the path on each loop ({@code FileIo.of(loop).open(...)}: one {@link IoUringFile} per
 * loop, each with its own descriptor). An op then runs on one of them:
 * <ul>
 *   <li>called on one of the group's loops (a handler on that loop, a completion of an earlier op), on that
 *       loop's file: no hand-over to another thread;</li>
 *   <li>called from any other thread, on the loops in turn (a counter of this file's, one atomic increment per
 *       op).</li>
 * </ul>
 * Each op is an ordinary op of that loop's {@link IoUringFile}, so everything it promises holds here: the buffer
 * is pinned until the kernel is done with it, a refusal fails at once and holds nothing, a failure is a
 * {@link FileIoException} with the errno, and the future's listeners (an {@link IoCallback}) run on the thread of
 * the loop that ran it. As on one file, ops in flight at once are not ordered against each other: wait for a
 * write before reading it back. What the single-file API has beyond reads, writes and syncs (vectored and fixed
 * ops, stat, truncate, ...) is on {@link #fileOn}'s file of a loop.
 *
 * <p>Every loop opens the path itself, so the path should name the same file for as long as the opens run (as
 * for any two opens of one path). Options that create or truncate ({@code CREATE}, {@code CREATE_NEW},
 * {@code TRUNCATE_EXISTING}) take effect once: the first loop opens with the options as given, the others then
 * open what it opened without them.
 */
public final class GroupFile {
    /** Options the first open carries out for all: a second create would fail (CREATE_NEW) or truncate again. */
    private static final Set<StandardOpenOption> FIRST_OPEN_ONLY = Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING);

    private final Path path;
    /** The file of each loop, in the group's order. */
    private final IoUringFile[] files;
    /** {@code loops[i]} runs {@code files[i]}'s ops. */
    private final EventExecutor[] loops;
    /** The next loop in turn for an op from a thread that is none of the loops. */
    private final AtomicInteger next = new AtomicInteger();
    /** The one future {@link #close()} returns, once it was called. */
    private final AtomicReference<Future<Void>> closed = new AtomicReference<>();

    private GroupFile(Path path, List<IoUringFile> opened) {
        this.path = path;
        this.files = opened.toArray(IoUringFile[]::new);
        this.loops = new EventExecutor[files.length];
        for (int i = 0; i < files.length; i++) {
            loops[i] = files[i].io().executor();
        }
    }

    /**
     * Opens {@code path} on every loop of {@code group} for reading, or as {@code options} say (those of
     * {@link FileIo#open(Path, OpenOption...)}; a new file gets mode 0644).
     *
     * @param group a group whose every loop runs the file API ({@link FileIo#isSupported}): this library's
     *              groups, Netty's io_uring loops, any other Netty {@code IoEventLoop} (the portable engine)
     * @param path a path of the default file system
     * @param options how to open it
     * @return a future completing with the file open on every loop, its listeners run like those of
     *         {@link FileIo#newPromise()} of the group's first loop; see {@link #open(EventLoopGroup, Path, Set, int)}
     *         for how it fails
     * @throws NullPointerException if an argument is null
     */
    public static Future<GroupFile> open(EventLoopGroup group, Path path, OpenOption... options) {
        return open(group, path, Set.of(Objects.requireNonNull(options, "options")), 0644);
    }

    /**
     * Opens {@code path} on every loop of {@code group}, with the given options and creation mode. The first
     * loop opens first, with the options as given; then the others open it at once, without the options that
     * create or truncate.
     *
     * <p>It fails with {@link IllegalArgumentException} naming the loop if a loop of the group cannot run the
     * file API (a {@code DefaultEventLoop}, say), or if the group has no loops, before anything is opened. If an
     * open fails, the future fails with that open's exception (a {@link FileIoException} with the errno; those of
     * other loops' failed opens added as suppressed) once the files that did open are closed again. A future
     * cancelled meanwhile closes the files too: none is leaked.
     *
     * @param group a group whose every loop runs the file API ({@link FileIo#isSupported})
     * @param path a path of the default file system
     * @param options how to open it (see {@link FileIo#open(Path, OpenOption...)})
     * @param mode the permissions of a created file, e.g. {@code 0600}
     * @return a future completing with the file open on every loop (listeners: as for
     *         {@link FileIo#newPromise()} of the group's first loop)
     * @throws NullPointerException if an argument is null
     */
    public static Future<GroupFile> open(EventLoopGroup group, Path path, Set<? extends OpenOption> options,
                                         int mode) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        List<FileIo> ios = new ArrayList<>();
        for (EventExecutor loop : group) {
            if (!FileIo.isSupported(loop)) {
                // Refused before anything is opened: nothing to close.
                return GlobalEventExecutor.INSTANCE.newFailedFuture(new IllegalArgumentException(loop + " of "
                        + group + " cannot run the file API (FileIo.isSupported is false): use a group of Netty "
                        + "IoEventLoops, such as IoUringFileEventLoopGroup"));
            }
            ios.add(FileIo.of(loop));
        }
        if (ios.isEmpty()) {
            return GlobalEventExecutor.INSTANCE.newFailedFuture(new IllegalArgumentException(group + " has no loops"));
        }
        Set<OpenOption> again = new HashSet<>(options);
        again.removeAll(FIRST_OPEN_ONLY);
        Promise<GroupFile> promise = ios.getFirst().newPromise();
        ios.getFirst().open(path, options, mode).addListener((Future<IoUringFile> first) -> {
            if (!first.isSuccess()) {
                promise.tryFailure(first.cause());
                return;
            }
            List<Future<IoUringFile>> opens = new ArrayList<>(ios.size());
            opens.add(first);
            for (FileIo io : ios.subList(1, ios.size())) {
                opens.add(io.open(path, again, mode));
            }
            whenAllDone(opens, () -> settle(path, opens, promise));
        });
        return promise;
    }

    /** Completes {@code promise} once every open is done: the file, or the first failure after closing the rest. */
    private static void settle(Path path, List<Future<IoUringFile>> opens, Promise<GroupFile> promise) {
        List<IoUringFile> opened = new ArrayList<>(opens.size());
        Throwable failure = null;
        for (Future<IoUringFile> f : opens) {
            if (f.isSuccess()) {
                opened.add(f.getNow());
            } else if (failure == null) {
                failure = f.cause();
            } else {
                failure.addSuppressed(f.cause());
            }
        }
        if (failure == null) {
            GroupFile file = new GroupFile(path, opened);
            if (!promise.trySuccess(file)) {
                file.close();       // cancelled meanwhile: nobody will
            }
            return;
        }
        Throwable cause = failure;
        List<Future<Void>> closes = new ArrayList<>(opened.size());
        opened.forEach(f -> closes.add(f.close()));
        whenAllDone(closes, () -> promise.tryFailure(cause));
    }

    /** Runs {@code then} once, on the thread that completes the last of {@code futures}. */
    private static void whenAllDone(List<? extends Future<?>> futures, Runnable then) {
        if (futures.isEmpty()) {
            then.run();
            return;
        }
        AtomicInteger left = new AtomicInteger(futures.size());
        for (Future<?> f : futures) {
            f.addListener(done -> {
                if (left.decrementAndGet() == 0) {
                    then.run();
                }
            });
        }
    }

    /**
     * The file of the loop the next op runs on: the calling thread's own loop when it is one of the group's,
     * else the next loop in turn.
     */
    private IoUringFile pick() {
        // A thread comparison per loop: what lets a handler on one of the loops stay on its own thread.
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return files[i];
            }
        }
        return files[(next.getAndIncrement() & Integer.MAX_VALUE) % files.length];
    }

    // ---- what it is ----

    /**
     * How many loops the file is open on.
     *
     * @return the group's loop count when it was opened
     */
    public int loops() {
        return files.length;
    }

    /**
     * The file of one loop: for the ops of {@link IoUringFile} this class does not repeat, or to pin an op to
     * a loop.
     *
     * @param loop one of the group's loops
     * @return the file whose ops run on {@code loop} (closed once this one is)
     * @throws NullPointerException if {@code loop} is null
     * @throws IllegalArgumentException if {@code loop} is not one of the loops the file was opened on
     */
    public IoUringFile fileOn(EventExecutor loop) {
        Objects.requireNonNull(loop, "loop");
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return files[i];
            }
        }
        throw new IllegalArgumentException(loop + " is not one of the loops " + path + " is open on");
    }

    /**
     * Whether {@link #close()} has not been called.
     *
     * @return {@code false} once {@link #close()} has been called
     */
    public boolean isOpen() {
        return closed.get() == null;
    }

    // ---- read and write ----

    /**
     * Reads into {@code dst}'s writable bytes from file {@code offset}, on the caller's loop or the next in turn
     * ({@link IoUringFile#read(ByteBuf, long)}).
     *
     * @param dst the buffer, filled from its writer index (which advances by the count)
     * @param offset the file offset
     * @return a future completing with the count, its listeners on the thread of the loop that ran it
     */
    public IntFuture read(ByteBuf dst, long offset) {
        return pick().read(dst, offset);
    }

    /**
     * {@link #read(ByteBuf, long)} reporting to {@code callback}; throws instead of failing a future
     * ({@link IoUringFile#read(ByteBuf, long, IoCallback, long)}).
     *
     * @param dst the buffer, filled from its writer index (which advances by the count)
     * @param offset the file offset
     * @param callback called on the thread of the loop that ran it, with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void read(ByteBuf dst, long offset, IoCallback callback, long tag) {
        pick().read(dst, offset, callback, tag);
    }

    /**
     * Writes {@code src}'s readable bytes at file {@code offset}, on the caller's loop or the next in turn
     * ({@link IoUringFile#write(ByteBuf, long)}).
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @return a future completing with the count, its listeners on the thread of the loop that ran it
     */
    public IntFuture write(ByteBuf src, long offset) {
        return pick().write(src, offset);
    }

    /**
     * {@link #write(ByteBuf, long)} reporting to {@code callback}; throws instead of failing a future
     * ({@link IoUringFile#write(ByteBuf, long, IoCallback, long)}).
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @param callback called on the thread of the loop that ran it, with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void write(ByteBuf src, long offset, IoCallback callback, long tag) {
        pick().write(src, offset, callback, tag);
    }

    // ---- sync and close ----

    /**
     * Flushes the file's data and metadata to stable storage ({@code fsync(2)}), on one loop: the call flushes
     * the file, not a descriptor, so it covers every write that completed before it was called, whichever loop
     * ran it (not those still in flight).
     *
     * @return a future completing with 0
     */
    public IntFuture fsync() {
        return pick().fsync();
    }

    /**
     * Flushes the file's data, and the metadata needed to read it back, to stable storage
     * ({@code fdatasync(2)}), on one loop: as {@link #fsync()}, it covers every write that completed before it
     * was called, whichever loop ran it.
     *
     * @return a future completing with 0
     */
    public IntFuture fdatasync() {
        return pick().fdatasync();
    }

    /**
     * Closes the file on every loop ({@link IoUringFile#close()}): new ops fail with {@link ClosedFileException}
     * from now on; each descriptor is closed once its loop's ops in flight have completed. Idempotent.
     *
     * @return a future completing once every descriptor is closed (listeners: as for
     *         {@link FileIo#newPromise()} of the first loop); every call returns the same one
     */
    public Future<Void> close() {
        Future<Void> done = closed.get();
        if (done != null) {
            return done;
        }
        Promise<Void> promise = files[0].io().newPromise();
        if (!closed.compareAndSet(null, promise)) {
            return closed.get();
        }
        List<Future<Void>> closes = new ArrayList<>(files.length);
        for (IoUringFile f : files) {
            closes.add(f.close());
        }
        whenAllDone(closes, () -> {
            for (Future<Void> f : closes) {
                if (!f.isSuccess()) {
                    promise.tryFailure(f.cause());
                    return;
                }
            }
            promise.trySuccess(null);
        });
        return promise;
    }

    @Override
    public String toString() {
        return "GroupFile(" + path + " on " + files.length + " loops)";
    }
}
